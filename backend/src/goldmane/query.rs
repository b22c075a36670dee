//! A flow entry's query → Goldmane's request → frames. Filter values go into the request as
//! protobuf strings and numbers, so no value can change what is asked, only what matches.

use calicoscope_goldmane::v3_32 as api;

use super::catalog::{Ask, FlowEntry};
use super::{frames, GoldmaneError, KEPT_SECONDS};
use crate::client::Client;
use crate::execute::Request;
use crate::frames::frame::Severity;
use crate::frames::Frame;
use crate::query::model::{Filters, QueryModel};

/// Goldmane's buckets: statistics are counts per bucket.
const BUCKET_SECONDS: f64 = 15.0;

/// A filter value that cannot be what it names, with the fix.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FilterError {
    #[error("unknown verdict {0:?} in the actions filter: use allow, deny or pass")]
    Action(String),
    #[error("port {0:?} in the ports filter is not a port number (1-65535)")]
    Port(String),
}

/// What the entry asks, as the request Goldmane gets. The range becomes absolute seconds.
pub fn list_request(
    entry: &FlowEntry,
    req: &Request,
    q: &QueryModel,
) -> Result<api::FlowListRequest, FilterError> {
    let mut filter = filter(&q.filters)?;
    if entry.ask == Ask::Denied {
        filter.actions = vec![api::Action::Deny as i32];
    }
    Ok(api::FlowListRequest {
        start_time_gte: req.from_ms / 1000,
        start_time_lt: (req.to_ms + 999) / 1000,
        filter: Some(filter),
        ..Default::default()
    })
}

pub fn statistics_request(req: &Request, q: &QueryModel) -> api::StatisticsRequest {
    // Goldmane's statistics take one policy match; more than one policy is a filter on the
    // answer (see `run`).
    let policy_match = match q.filters.policies.as_slice() {
        [one] => Some(api::PolicyMatch {
            name: Some(exact(one)),
            ..Default::default()
        }),
        _ => None,
    };
    api::StatisticsRequest {
        start_time_gte: req.from_ms / 1000,
        start_time_lt: (req.to_ms + 999) / 1000,
        r#type: api::StatisticType::PacketCount as i32,
        group_by: api::StatisticsGroupBy::Policy as i32,
        policy_match,
        time_series: true,
    }
}

fn filter(f: &Filters) -> Result<api::Filter, FilterError> {
    let strings = |v: &[String]| v.iter().map(|s| exact(s)).collect();
    Ok(api::Filter {
        source_namespaces: strings(&f.source_namespaces),
        dest_namespaces: strings(&f.dest_namespaces),
        actions: f
            .actions
            .iter()
            .map(|a| action(a))
            .collect::<Result<_, _>>()?,
        dest_ports: f.ports.iter().map(|p| port(p)).collect::<Result<_, _>>()?,
        policies: f
            .policies
            .iter()
            .map(|p| api::PolicyMatch {
                name: Some(exact(p)),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    })
}

fn exact(s: &str) -> api::StringMatch {
    api::StringMatch {
        value: s.to_string(),
        r#type: api::MatchType::Exact as i32,
    }
}

fn action(s: &str) -> Result<i32, FilterError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "allow" => Ok(api::Action::Allow as i32),
        "deny" => Ok(api::Action::Deny as i32),
        "pass" => Ok(api::Action::Pass as i32),
        _ => Err(FilterError::Action(s.to_string())),
    }
}

/// A verdict filter value as the statistics series label it (`deny` → `denied`).
fn verdict(s: &str) -> Result<&'static str, FilterError> {
    match action(s)? {
        a if a == api::Action::Allow as i32 => Ok("allowed"),
        a if a == api::Action::Deny as i32 => Ok("denied"),
        _ => Ok("passed"),
    }
}

fn port(s: &str) -> Result<api::PortMatch, FilterError> {
    match s.trim().parse::<u16>() {
        Ok(p) if p > 0 => Ok(api::PortMatch { port: p.into() }),
        _ => Err(FilterError::Port(s.to_string())),
    }
}

/// What Goldmane is asked, for the editor's preview: `Goldmane Flows/List where destination
/// namespace is payments and verdict is deny`.
pub fn describe(entry: &FlowEntry, q: &QueryModel) -> String {
    let call = match entry.ask {
        Ask::Flows | Ask::Denied => "Flows/List",
        Ask::Verdicts => "Statistics/List (packets, per policy, 15 s steps)",
    };
    let f = &q.filters;
    let mut wants: Vec<String> = [
        ("source namespace", &f.source_namespaces),
        ("destination namespace", &f.dest_namespaces),
        ("verdict", &f.actions),
        ("policy", &f.policies),
        ("destination port", &f.ports),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(what, v)| format!("{what} is {}", v.join(" or ")))
    .collect();
    if entry.ask == Ask::Denied {
        wants.push("verdict is deny".into());
    }
    match wants.is_empty() {
        true => format!("Goldmane {call}"),
        false => format!("Goldmane {call} where {}", wants.join(" and ")),
    }
}

/// Runs a flow entry: the flows table, or the verdicts as time series.
pub async fn run(
    entry: &FlowEntry,
    req: &Request,
    q: &QueryModel,
    client: &Client,
) -> Result<Vec<Frame>, GoldmaneError> {
    let goldmane = client.goldmane().await?;
    let mut out = match entry.ask {
        Ask::Flows | Ask::Denied => {
            let request =
                list_request(entry, req, q).map_err(|e| GoldmaneError::Settings(e.to_string()))?;
            let (flows, more) = goldmane.list(request).await?;
            let mut frame = frames::flows(&flows);
            if more {
                let note = format!(
                    "only the first {} flows are shown: narrow the range or the filters",
                    super::client::MAX_FLOWS
                );
                frame.add_notice(Severity::Warning, note);
            }
            vec![frame]
        }
        Ask::Verdicts => {
            let results = goldmane.statistics(statistics_request(req, q)).await?;
            let mut frames = frames::statistics(&results, entry.unit, 1.0 / BUCKET_SECONDS);
            let verdicts = q
                .filters
                .actions
                .iter()
                .map(|a| verdict(a))
                .collect::<Result<Vec<_>, _>>();
            let verdicts = verdicts.map_err(|e| GoldmaneError::Settings(e.to_string()))?;
            let keep = |f: &Frame, key: &str, wanted: &[&str]| {
                wanted.is_empty()
                    || f.fields[1]
                        .labels
                        .get(key)
                        .is_some_and(|v| wanted.contains(&v.as_str()))
            };
            let policies: Vec<&str> = q.filters.policies.iter().map(String::as_str).collect();
            frames.retain(|f| keep(f, "name", &policies) && keep(f, "verdict", &verdicts));
            frames
        }
    };
    frames::name_cluster(&mut out, &client.settings().json.goldmane_cluster);
    if out.is_empty() {
        out.push(Frame::new(""));
    }
    if (req.to_ms - req.from_ms) / 1000 > KEPT_SECONDS {
        let note =
            "Goldmane keeps about the last hour of flows: older parts of the range are empty";
        out[0].add_notice(Severity::Info, note);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goldmane::catalog::find;

    fn request() -> Request {
        Request {
            ref_id: "A".into(),
            json: vec![],
            from_ms: 1_795_000_000_500,
            to_ms: 1_795_000_900_200,
            interval_ms: 15_000,
            max_data_points: 100,
        }
    }

    fn model(json: &str) -> QueryModel {
        QueryModel::from_json(json.as_bytes()).unwrap()
    }

    #[test]
    fn filters_become_the_request() {
        let hostile = "a\"}) or vector(1) #";
        let q = model(&format!(
            r#"{{"catalog":"flows","filters":{{"destNamespaces":["payments","{}"],"actions":["Deny"],"ports":["8443"],"policies":["$__all"]}}}}"#,
            hostile.replace('"', "\\\"")
        ));
        let r = list_request(find("flows").unwrap(), &request(), &q).unwrap();
        assert_eq!(
            (r.start_time_gte, r.start_time_lt),
            (1_795_000_000, 1_795_000_901)
        );
        let f = r.filter.unwrap();
        let values: Vec<&str> = f.dest_namespaces.iter().map(|m| m.value.as_str()).collect();
        assert_eq!(
            values,
            ["payments", hostile],
            "a hostile value stays one value"
        );
        assert_eq!(f.actions, [api::Action::Deny as i32]);
        assert_eq!(f.dest_ports, [api::PortMatch { port: 8443 }]);
        assert!(f.policies.is_empty(), "All is no filter");
        let denied = list_request(
            find("denied_flows").unwrap(),
            &request(),
            &model(r#"{"catalog":"denied_flows"}"#),
        )
        .unwrap();
        assert_eq!(denied.filter.unwrap().actions, [api::Action::Deny as i32]);
    }

    #[test]
    fn the_preview_says_what_is_asked() {
        let q = model(r#"{"filters":{"destNamespaces":["payments","search"],"ports":["443"]}}"#);
        assert_eq!(
            describe(find("denied_flows").unwrap(), &q),
            "Goldmane Flows/List where destination namespace is payments or search and destination port is 443 and verdict is deny"
        );
        assert_eq!(
            describe(find("flows").unwrap(), &model("{}")),
            "Goldmane Flows/List"
        );
    }

    #[test]
    fn bad_filter_values_say_the_fix() {
        let cases = [
            (
                r#"{"filters":{"actions":["drop"]}}"#,
                "unknown verdict \"drop\" in the actions filter: use allow, deny or pass",
            ),
            (
                r#"{"filters":{"ports":["http"]}}"#,
                "port \"http\" in the ports filter is not a port number (1-65535)",
            ),
            (
                r#"{"filters":{"ports":["0"]}}"#,
                "port \"0\" in the ports filter is not a port number (1-65535)",
            ),
        ];
        for (json, want) in cases {
            let e = list_request(find("flows").unwrap(), &request(), &model(json)).unwrap_err();
            assert_eq!(e.to_string(), want);
        }
    }

    #[test]
    fn one_policy_is_asked_of_goldmane_more_are_filtered_here() {
        let one = statistics_request(
            &request(),
            &model(r#"{"filters":{"policies":["deny-all"]}}"#),
        );
        assert_eq!(one.policy_match.unwrap().name.unwrap().value, "deny-all");
        assert!(one.time_series);
        let two = statistics_request(&request(), &model(r#"{"filters":{"policies":["a","b"]}}"#));
        assert!(two.policy_match.is_none());
    }
}
