//! The report's "denied traffic" section: what policy denied in the last hour (all that
//! Goldmane keeps), by policy, from Goldmane's statistics. A Goldmane that does not answer
//! costs the section its figures, never the report.

use calicoscope_goldmane::v3_32 as api;
use calicoscope_model::format::{count, plural};
use serde::Serialize;

use crate::client::Client;
use crate::goldmane::frames::{is_staged, policy_name};
use crate::settings::Settings;

/// Policies named in the sentence before "and N more".
const LISTED: usize = 3;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Denied {
    /// The cluster the Goldmane serves, when the datasource names it; empty otherwise.
    pub cluster: String,
    /// Packets denied in the last hour, in and out; `None` when Goldmane did not answer.
    pub packets: Option<f64>,
    /// Per policy (`tier/kind:[namespace/]name`), most first.
    pub policies: Vec<PolicyPackets>,
    /// Packets staged (not enforced) policies would deny: not in `packets`.
    pub staged_packets: f64,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyPackets {
    pub policy: String,
    pub packets: f64,
    /// `packets` as every figure of the plugin is written (`6,868`).
    #[serde(rename = "packetsText")]
    pub packets_text: String,
}

/// `None` when the datasource has no Goldmane.
pub async fn last_hour(settings: &Settings, client: &Client) -> Option<Denied> {
    if settings.json.goldmane_address.trim().is_empty() {
        return None;
    }
    let req = api::StatisticsRequest {
        start_time_gte: -crate::goldmane::KEPT_SECONDS,
        r#type: api::StatisticType::PacketCount as i32,
        group_by: api::StatisticsGroupBy::Policy as i32,
        ..Default::default()
    };
    let answer = match client.goldmane().await {
        Ok(g) => g.statistics(req).await,
        Err(e) => Err(e),
    };
    let cluster = settings.json.goldmane_cluster.clone();
    let mut denied = match answer {
        Ok(results) => summary(&results),
        Err(e) => Denied {
            cluster: String::new(),
            packets: None,
            policies: vec![],
            staged_packets: 0.0,
            text: format!("Denied traffic is not known: {e}"),
        },
    };
    if !cluster.is_empty() {
        denied.text = format!("{cluster}: {}", denied.text);
    }
    denied.cluster = cluster;
    Some(denied)
}

fn summary(results: &[api::StatisticsResult]) -> Denied {
    let (mut policies, mut staged) = (Vec::new(), 0.0);
    for r in results {
        let Some(hit) = &r.policy else { continue };
        let packets = r.denied_in.iter().chain(&r.denied_out).sum::<i64>() as f64;
        if is_staged(hit) {
            staged += packets;
        } else if packets > 0.0 {
            policies.push(PolicyPackets {
                policy: policy_name(hit),
                packets_text: count(packets),
                packets,
            });
        }
    }
    policies.sort_by(|a, b| {
        b.packets
            .total_cmp(&a.packets)
            .then_with(|| a.policy.cmp(&b.policy))
    });
    let total = policies.iter().map(|p| p.packets).fold(0.0, |a, b| a + b);
    Denied {
        cluster: String::new(),
        packets: Some(total),
        text: sentence(total, &policies, staged),
        policies,
        staged_packets: staged,
    }
}

/// `In the last hour, policy denied 1,234 packets: 900 by security/GlobalNetworkPolicy:payments-isolation, …`
fn sentence(total: f64, policies: &[PolicyPackets], staged: f64) -> String {
    let mut text = if total == 0.0 {
        "No traffic was denied by policy in the last hour.".to_string()
    } else {
        let mut by: Vec<String> = policies
            .iter()
            .take(LISTED)
            .map(|p| format!("{} by {}", count(p.packets), p.policy))
            .collect();
        let more = policies.len().saturating_sub(LISTED);
        if more > 0 {
            by.push(plural(more as f64, "more policy", "more policies"));
        }
        format!(
            "In the last hour, policy denied {}: {}. Each is traffic a policy stopped on purpose, or a workload missing an allow rule; the Policy & flows dashboard lists the flows.",
            plural(total, "packet", "packets"),
            by.join(", ")
        )
    };
    if staged > 0.0 {
        text.push_str(&format!(
            " Staged policies would deny {} more: check them before enforcing them.",
            plural(staged, "packet", "packets")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, denied_in: i64, denied_out: i64) -> api::StatisticsResult {
        let hit = api::PolicyHit {
            kind: api::PolicyKind::GlobalNetworkPolicy as i32,
            tier: "security".into(),
            name: name.into(),
            ..Default::default()
        };
        api::StatisticsResult {
            policy: Some(hit),
            denied_in: vec![denied_in],
            denied_out: vec![denied_out],
            allowed_in: vec![99],
            ..Default::default()
        }
    }

    #[test]
    fn denied_packets_by_policy() {
        let d = summary(&[
            result("a", 10, 0),
            result("b", 500, 400),
            result("quiet", 0, 0),
        ]);
        assert_eq!(d.packets, Some(910.0));
        assert_eq!(
            d.policies.len(),
            2,
            "a policy that denied nothing is left out"
        );
        assert!(d.text.starts_with("In the last hour, policy denied 910 packets: 900 by security/GlobalNetworkPolicy:b, 10 by security/GlobalNetworkPolicy:a."), "{}", d.text);
        let many: Vec<_> = (0..5).map(|i| result(&format!("p{i}"), 1, 0)).collect();
        assert!(summary(&many).text.contains(", 2 more policies."));
        assert_eq!(
            summary(&[]).text,
            "No traffic was denied by policy in the last hour."
        );
    }
}
