//! The rules as Grafana-managed alert rules: a Grafana alerting provisioning file
//! (`apiVersion: 1`, `groups`), each rule a Calicoscope query of its catalog entry on the
//! datasource by uid, a Reduce (last value) and a Threshold — what Grafana's rule editor builds.

use serde_json::{json, Value};

use super::{runbook, table::GROUPS, Alert, Options, ALERTS};

/// The provisioned datasource's uid (`provisioning/datasources/calicoscope.yaml`).
pub const DATASOURCE_UID: &str = "calicoscope";
/// The datasource plugin's id (`src/datasource/plugin.json`).
pub const DATASOURCE_TYPE: &str = "calicoscope-datasource";
/// The Grafana folder the rules are provisioned into.
pub const FOLDER: &str = "Calico";
/// How far back each rule's query looks, in seconds (instant queries: the rate windows).
const LOOKBACK_S: u64 = 600;

/// The provisioning file's body after its header comment.
pub fn render(cluster_label: &str, o: &Options) -> String {
    let every = crate::query::time::format_duration(o.every);
    let mut out = String::from("apiVersion: 1\ngroups:\n");
    for group in GROUPS {
        out.push_str(&format!(
            "  - orgId: 1\n    name: {}\n    folder: {}\n    interval: {}\n    rules:\n",
            q(group),
            q(FOLDER),
            q(&every)
        ));
        for alert in ALERTS.iter().filter(|a| a.group == *group) {
            out.push_str(&rule(alert, cluster_label, o));
        }
    }
    out
}

/// A rule's uid: stable, at most Grafana's 40 characters.
pub fn uid(alert: &Alert) -> String {
    let short = alert.name.trim_start_matches("Calico").to_lowercase();
    format!("calicoscope-{short}")
}

/// The Calicoscope query of a Grafana-managed rule (its data entry A's model).
pub fn model(a: &Alert, datasource_uid: &str) -> Value {
    json!({
        "refId": "A",
        "datasource": { "type": DATASOURCE_TYPE, "uid": datasource_uid },
        "catalog": a.entry,
        "instant": true,
    })
}

fn rule(a: &Alert, cluster_label: &str, o: &Options) -> String {
    let (op, threshold) = a.comparison();
    let evaluator = match op {
        '<' => "lt",
        _ => "gt",
    };
    let expr_source = json!({ "type": "__expr__", "uid": "__expr__" });
    let data = [
        json!({
            "refId": "A",
            "relativeTimeRange": { "from": LOOKBACK_S, "to": 0 },
            "datasourceUid": o.datasource_uid,
            "model": model(a, &o.datasource_uid),
        }),
        json!({
            "refId": "B",
            "datasourceUid": "__expr__",
            "model": { "refId": "B", "datasource": expr_source, "type": "reduce",
                       "expression": "A", "reducer": "last", "settings": { "mode": "dropNN" } },
        }),
        json!({
            "refId": "C",
            "datasourceUid": "__expr__",
            "model": { "refId": "C", "datasource": expr_source, "type": "threshold",
                       "expression": "B",
                       "conditions": [{ "evaluator": { "type": evaluator, "params": [threshold] } }] },
        }),
    ];
    let mut out = format!(
        "      - uid: {}\n        title: {}\n        condition: \"C\"\n        data:\n",
        q(&uid(a)),
        q(a.name)
    );
    for d in data {
        out.push_str(&format!("          - {d}\n"));
    }
    // No series is no problem (a pool that does not grow has no forecast); a query that
    // fails is shown as an error, not as quiet.
    out.push_str(&format!(
        "        noDataState: \"OK\"\n        execErrState: \"Error\"\n        for: {}\n\
         \x20       labels:\n          severity: {}\n        annotations:\n\
         \x20         summary: {}\n          description: {}\n          runbook_url: {}\n\
         \x20       isPaused: false\n",
        q(a.r#for),
        q(a.severity),
        // Grafana's templates name a value by its expression: the reduced one is B.
        q(&a.summary(cluster_label)
            .replace("$value", "$values.B.Value")),
        q(a.description),
        q(&runbook(a, &o.runbook_base)),
    ));
    out
}

fn q(s: &str) -> String {
    Value::from(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The uid and plugin id are the provisioned datasource's and the plugin's own.
    #[test]
    fn the_datasource_is_the_provisioned_one() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
        let provisioned = read("provisioning/datasources/calicoscope.yaml");
        assert!(provisioned.contains(&format!("uid: {DATASOURCE_UID}\n")));
        assert!(provisioned.contains(&format!("type: {DATASOURCE_TYPE}\n")));
        let plugin: Value = serde_json::from_str(&read("src/datasource/plugin.json")).unwrap();
        assert_eq!(plugin["id"], DATASOURCE_TYPE);
    }
}
