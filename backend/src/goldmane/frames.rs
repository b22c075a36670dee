//! Goldmane's answers as Grafana frames: flows as one table (`calicoscope_model::flows`),
//! policy statistics as time series, one frame per policy (or rule), verdict and direction,
//! shaped like the Prometheus answers (`Time` + `Value` with labels), so that alert rules
//! and the time-series panel read them the same way.

use std::collections::BTreeMap;

use calicoscope_goldmane::v3_32 as api;
use calicoscope_model::flows::{field, FLOWS};
use serde_json::json;

use crate::frames::frame::FrameType;
use crate::frames::{Field, Frame, Values};

/// The flows table. Rows keep Goldmane's order (newest first unless sorted otherwise).
pub fn flows(results: &[api::FlowResult]) -> Frame {
    let rows: Vec<&api::Flow> = results.iter().filter_map(|r| r.flow.as_ref()).collect();
    // Borrowed, not cloned: a key owns a dozen strings and the policy hits.
    let no_key = api::FlowKey::default();
    let keys: Vec<&api::FlowKey> = rows
        .iter()
        .map(|f| f.key.as_ref().unwrap_or(&no_key))
        .collect();
    let text = |name: &str, f: &dyn Fn(&api::FlowKey) -> String| {
        Field::new(name, Values::Text(keys.iter().map(|k| f(k)).collect()))
    };
    let count = |name: &str, unit: &str, f: &dyn Fn(&api::Flow) -> i64| {
        Field::new(
            name,
            Values::Number(rows.iter().map(|r| f(r) as f64).collect()),
        )
        .with_config(json!({ "unit": unit }))
    };
    let time = |name: &str, f: &dyn Fn(&api::Flow) -> i64| {
        Field::new(
            name,
            Values::Time(rows.iter().map(|r| f(r) * 1000).collect()),
        )
    };
    let mut frame = Frame::new(FLOWS);
    frame.fields = vec![
        time(field::START, &|f| f.start_time),
        time(field::END, &|f| f.end_time),
        text(field::SOURCE_NAMESPACE, &|k| k.source_namespace.clone()),
        text(field::SOURCE_NAME, &|k| k.source_name.clone()),
        text(field::SOURCE_TYPE, &|k| endpoint_type(k.source_type).into()),
        text(field::DEST_NAMESPACE, &|k| k.dest_namespace.clone()),
        text(field::DEST_NAME, &|k| k.dest_name.clone()),
        text(field::DEST_TYPE, &|k| endpoint_type(k.dest_type).into()),
        Field::new(
            field::DEST_PORT,
            Values::Number(keys.iter().map(|k| k.dest_port as f64).collect()),
        ),
        text(field::DEST_SERVICE, &service),
        text(field::PROTOCOL, &|k| k.proto.clone()),
        text(field::REPORTER, &|k| reporter(k.reporter).into()),
        text(field::ACTION, &|k| action(k.action).into()),
        text(field::ENFORCED, &|k| {
            hits(k.policies.as_ref().map(|p| &p.enforced_policies))
        }),
        text(field::PENDING, &|k| {
            hits(k.policies.as_ref().map(|p| &p.pending_policies))
        }),
        text(field::PENDING_ACTION, &pending_action),
        count(field::PACKETS_IN, "short", &|f| f.packets_in),
        count(field::PACKETS_OUT, "short", &|f| f.packets_out),
        count(field::BYTES_IN, "bytes", &|f| f.bytes_in),
        count(field::BYTES_OUT, "bytes", &|f| f.bytes_out),
        count(field::CONNECTIONS_STARTED, "short", &|f| {
            f.num_connections_started
        }),
        count(field::CONNECTIONS_COMPLETED, "short", &|f| {
            f.num_connections_completed
        }),
        count(field::CONNECTIONS_LIVE, "short", &|f| {
            f.num_connections_live
        }),
    ];
    frame
}

/// Names the cluster the datasource's Goldmane belongs to (empty: none): a leading
/// `cluster` column on the flows table, a `cluster` label on each series.
pub fn name_cluster(frames: &mut [Frame], cluster: &str) {
    if cluster.is_empty() {
        return;
    }
    for frame in frames {
        if frame.name == FLOWS {
            let rows = frame.rows();
            let column = Field::new(
                field::CLUSTER,
                Values::Text(vec![cluster.to_string(); rows]),
            );
            frame.fields.insert(0, column);
        } else if let Some(value) = frame.fields.get_mut(1) {
            value
                .labels
                .insert(field::CLUSTER.to_string(), cluster.to_string());
        }
    }
}

/// One time series per statistics result and verdict/direction with data: labels `policy`
/// (`tier/kind:[namespace/]name`), `tier`, `kind`, `namespace`, `name`, `verdict`, `direction`
/// and, per rule, `rule`. Values are Goldmane's counts per 15 s bucket times `scale` (1/15:
/// per second), at the bucket's start.
pub fn statistics(results: &[api::StatisticsResult], unit: &str, scale: f64) -> Vec<Frame> {
    let mut frames = Vec::new();
    for r in results {
        let Some(hit) = &r.policy else { continue };
        let columns = [
            ("allowed", "in", &r.allowed_in),
            ("allowed", "out", &r.allowed_out),
            ("denied", "in", &r.denied_in),
            ("denied", "out", &r.denied_out),
            ("passed", "in", &r.passed_in),
            ("passed", "out", &r.passed_out),
        ];
        for (verdict, way, values) in columns {
            if values.iter().all(|v| *v == 0) || values.len() != r.x.len() {
                continue;
            }
            let mut labels =
                policy_labels(hit, r.group_by == api::StatisticsGroupBy::PolicyRule as i32);
            labels.insert("verdict".into(), verdict.into());
            labels.insert("direction".into(), way.into());
            frames.push(series(&labels, &r.x, values, unit, scale));
        }
    }
    if let Some(first) = frames.first_mut() {
        first.meta_mut().frame_type = Some(FrameType::TimeseriesMulti);
    }
    frames
}

fn series(
    labels: &BTreeMap<String, String>,
    x: &[i64],
    values: &[i64],
    unit: &str,
    scale: f64,
) -> Frame {
    let mut frame = Frame::new("");
    let scaled = values.iter().map(|v| *v as f64 * scale).collect();
    let value = Field::new("Value", Values::Number(scaled));
    let mut value =
        value.with_config(json!({ "unit": unit, "displayNameFromDS": display(labels) }));
    value.labels = labels.clone();
    frame.fields = vec![
        Field::new("Time", Values::Time(x.iter().map(|t| t * 1000).collect())),
        value,
    ];
    frame.meta_mut().frame_type = Some(FrameType::TimeseriesMulti);
    frame
}

fn display(labels: &BTreeMap<String, String>) -> String {
    let get = |k: &str| labels.get(k).map(String::as_str).unwrap_or_default();
    format!("{} {} {}", get("policy"), get("verdict"), get("direction"))
}

fn policy_labels(hit: &api::PolicyHit, per_rule: bool) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    labels.insert("policy".to_string(), policy_name(hit));
    labels.insert("tier".to_string(), hit.tier.clone());
    labels.insert("kind".to_string(), kind(hit.kind).to_string());
    labels.insert("namespace".to_string(), hit.namespace.clone());
    labels.insert("name".to_string(), hit.name.clone());
    if per_rule {
        labels.insert(
            "rule".to_string(),
            format!("{} {}", hit.rule_index, action(hit.action)),
        );
    }
    labels
}

/// `tier/kind:[namespace/]name`, as Calico prints a policy hit. An end-of-tier hit (no rule
/// of the tier matched) is named after the policy that selected the flow when Goldmane says
/// which, else after its tier.
pub fn policy_name(hit: &api::PolicyHit) -> String {
    let mut out = String::new();
    write_policy_name(&mut out, hit);
    out
}

/// [`policy_name`] appended to `out` (the flows table writes a row's hits into one string).
fn write_policy_name(out: &mut String, hit: &api::PolicyHit) {
    if hit.kind == api::PolicyKind::EndOfTier as i32 {
        match &hit.trigger {
            Some(t) => write_policy_name(out, t),
            None => out.push_str(&hit.tier),
        }
        out.push_str(" (end of tier)");
        return;
    }
    out.push_str(&hit.tier);
    out.push('/');
    out.push_str(kind(hit.kind));
    out.push(':');
    if !hit.namespace.is_empty() {
        out.push_str(&hit.namespace);
        out.push('/');
    }
    out.push_str(&hit.name);
}

/// Whether the hit is a staged policy's: it says what would happen, it enforces nothing.
pub fn is_staged(hit: &api::PolicyHit) -> bool {
    use api::PolicyKind::*;
    [
        StagedNetworkPolicy,
        StagedGlobalNetworkPolicy,
        StagedKubernetesNetworkPolicy,
    ]
    .iter()
    .any(|k| *k as i32 == hit.kind)
}

/// The hits in order, `; `-separated; an end-of-tier hit names the policy that selected the
/// flow and says that no rule of the tier matched.
fn hits(hits: Option<&Vec<api::PolicyHit>>) -> String {
    let mut out = String::new();
    for (i, h) in hits.into_iter().flatten().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        write_policy_name(&mut out, h);
        out.push(' ');
        out.push_str(action(h.action));
    }
    out
}

/// The verdict with staged policies counted: the last pending hit's action, else the
/// enforced verdict.
fn pending_action(k: &api::FlowKey) -> String {
    let last = k.policies.as_ref().and_then(|p| p.pending_policies.last());
    action(last.map_or(k.action, |h| h.action)).into()
}

fn service(k: &api::FlowKey) -> String {
    if k.dest_service_name.is_empty() {
        return String::new();
    }
    format!(
        "{}/{}:{}",
        k.dest_service_namespace, k.dest_service_name, k.dest_service_port
    )
}

fn action(a: i32) -> &'static str {
    match api::Action::try_from(a) {
        Ok(api::Action::Allow) => "allow",
        Ok(api::Action::Deny) => "deny",
        Ok(api::Action::Pass) => "pass",
        _ => "",
    }
}

fn reporter(r: i32) -> &'static str {
    match api::Reporter::try_from(r) {
        Ok(api::Reporter::Src) => "src",
        Ok(api::Reporter::Dst) => "dst",
        _ => "",
    }
}

fn endpoint_type(t: i32) -> &'static str {
    match api::EndpointType::try_from(t) {
        Ok(api::EndpointType::WorkloadEndpoint) => "workload",
        Ok(api::EndpointType::HostEndpoint) => "host",
        Ok(api::EndpointType::NetworkSet) => "networkset",
        Ok(api::EndpointType::Network) => "network",
        _ => "",
    }
}

/// Calico's kind names; 7 and 8 are the 3.30-3.31 admin network policies (unknown to 3.32's
/// enum, so named here).
fn kind(k: i32) -> &'static str {
    match (k, api::PolicyKind::try_from(k)) {
        (7, _) => "AdminNetworkPolicy",
        (8, _) => "BaselineAdminNetworkPolicy",
        (_, Ok(kind)) => kind.as_str_name(),
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(
        kind: api::PolicyKind,
        tier: &str,
        ns: &str,
        name: &str,
        action: api::Action,
    ) -> api::PolicyHit {
        api::PolicyHit {
            kind: kind as i32,
            tier: tier.into(),
            namespace: ns.into(),
            name: name.into(),
            action: action as i32,
            ..Default::default()
        }
    }

    fn denied_flow() -> api::FlowResult {
        let trigger = hit(
            api::PolicyKind::NetworkPolicy,
            "default",
            "payments",
            "allow-checkout",
            api::Action::Unspecified,
        );
        let end_of_tier = api::PolicyHit {
            trigger: Some(Box::new(trigger)),
            ..hit(
                api::PolicyKind::EndOfTier,
                "default",
                "",
                "",
                api::Action::Deny,
            )
        };
        let staged = hit(
            api::PolicyKind::StagedNetworkPolicy,
            "default",
            "payments",
            "deny-all",
            api::Action::Deny,
        );
        let key = api::FlowKey {
            source_name: "frontend-5d8c7f9b6-".into(),
            source_namespace: "frontend".into(),
            source_type: api::EndpointType::WorkloadEndpoint as i32,
            dest_name: "payments-7f6d9c8b5-".into(),
            dest_namespace: "payments".into(),
            dest_type: api::EndpointType::WorkloadEndpoint as i32,
            dest_port: 8443,
            dest_service_name: "payments".into(),
            dest_service_namespace: "payments".into(),
            dest_service_port: 443,
            proto: "tcp".into(),
            reporter: api::Reporter::Dst as i32,
            action: api::Action::Deny as i32,
            policies: Some(api::PolicyTrace {
                enforced_policies: vec![end_of_tier],
                pending_policies: vec![staged],
            }),
            ..Default::default()
        };
        let flow = api::Flow {
            key: Some(key),
            start_time: 1_795_000_000,
            end_time: 1_795_000_015,
            packets_in: 12,
            bytes_in: 960,
            num_connections_started: 3,
            ..Default::default()
        };
        api::FlowResult {
            id: 7,
            flow: Some(flow),
        }
    }

    fn text<'a>(frame: &'a Frame, name: &str) -> &'a str {
        match &frame.fields.iter().find(|f| f.name == name).unwrap().values {
            Values::Text(v) => &v[0],
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn a_flow_is_a_row_of_the_flows_table() {
        let frame = flows(&[denied_flow()]);
        assert_eq!(frame.name, FLOWS);
        assert_eq!(frame.rows(), 1);
        let cases = [
            (field::SOURCE_TYPE, "workload"),
            (field::DEST_SERVICE, "payments/payments:443"),
            (field::REPORTER, "dst"),
            (field::ACTION, "deny"),
            (
                field::ENFORCED,
                "default/NetworkPolicy:payments/allow-checkout (end of tier) deny",
            ),
            (
                field::PENDING,
                "default/StagedNetworkPolicy:payments/deny-all deny",
            ),
            (field::PENDING_ACTION, "deny"),
        ];
        for (name, want) in cases {
            assert_eq!(text(&frame, name), want, "{name}");
        }
        let start = frame
            .fields
            .iter()
            .find(|f| f.name == field::START)
            .unwrap();
        assert_eq!(start.values, Values::Time(vec![1_795_000_000_000]));
    }

    #[test]
    fn statistics_are_one_series_per_verdict_and_direction_with_data() {
        let result = api::StatisticsResult {
            policy: Some(hit(
                api::PolicyKind::GlobalNetworkPolicy,
                "security",
                "",
                "deny-to-payments",
                api::Action::Unspecified,
            )),
            x: vec![1_795_000_000, 1_795_000_015],
            denied_in: vec![4, 9],
            allowed_in: vec![0, 0],
            allowed_out: vec![1, 0],
            ..Default::default()
        };
        let frames = statistics(&[result], "pps", 0.5);
        assert_eq!(
            frames.len(),
            2,
            "allowed out and denied in; all-zero and empty arrays are left out"
        );
        let denied = &frames[1].fields[1];
        assert_eq!(
            denied.labels["policy"],
            "security/GlobalNetworkPolicy:deny-to-payments"
        );
        assert_eq!(
            (
                denied.labels["verdict"].as_str(),
                denied.labels["direction"].as_str()
            ),
            ("denied", "in")
        );
        assert_eq!(denied.values, Values::Number(vec![2.0, 4.5]));
        assert_eq!(
            frames[1].fields[0].values,
            Values::Time(vec![1_795_000_000_000, 1_795_000_015_000])
        );
        assert_eq!(kind(7), "AdminNetworkPolicy");
    }
}
