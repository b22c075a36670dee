//! The status line: per selected pool, the sentence the CLI report also prints (written once,
//! in `calicoscope_model::pool`), then the orphan blocks.

use crate::model::Topology;
use calicoscope_model::format::plural;
use calicoscope_model::pool::PoolSummary;

/// One sentence per pool in `selected` (all pools when empty), orphan blocks last.
pub fn sentence(topology: &Topology, selected: &[String]) -> String {
    let chosen = |name: &str| selected.is_empty() || selected.iter().any(|s| s == name);
    let mut parts = Vec::new();
    for pool in topology.pools.iter().filter(|p| chosen(&p.name)) {
        if pool.is_orphan() {
            if pool.blocks > 0.0 || pool.in_use > 0.0 {
                parts.push(format!(
                    "{} outside any IP pool (no_ippool) {} {} in use: release or delete them.",
                    plural(pool.blocks.max(0.0), "block", "blocks"),
                    if pool.blocks == 1.0 { "holds" } else { "hold" },
                    plural(pool.in_use.max(0.0), "address", "addresses")
                ));
            }
            continue;
        }
        let borrowers = topology
            .nodes
            .iter()
            .filter(|n| n.is_of(pool) && !n.is_unowned() && n.borrowed > 0.0)
            .count();
        let name = pool.said();
        let summary = PoolSummary {
            name: &name,
            family: pool.family,
            reserved: pool.reserved,
            free: pool.free,
            utilization: pool.utilization,
            days_to_full: pool.days_to_full,
            borrowers,
            leaked: pool.leaked,
        };
        parts.push(summary.sentence());
    }
    if parts.is_empty() {
        return "No pool matches the selection.".into();
    }
    parts.join(" ")
}

/// `prod-eu · 2 pools · 200 nodes · fullest 82% used`.
pub fn cluster_title(t: &Topology, cluster: &str) -> String {
    let pools: Vec<_> = t
        .pools
        .iter()
        .filter(|p| p.cluster == cluster && !p.is_orphan())
        .collect();
    let nodes = t
        .nodes
        .iter()
        .filter(|n| n.cluster == cluster && n.is_real_node())
        .map(|n| n.node.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    let fullest = pools.iter().map(|p| p.utilization).fold(f64::NAN, f64::max);
    let name = if cluster.is_empty() {
        "(no cluster label)"
    } else {
        cluster
    };
    let mut title = format!(
        "{name} · {} · {}",
        plural(pools.len() as f64, "pool", "pools"),
        plural(nodes as f64, "node", "nodes")
    );
    if fullest.is_finite() {
        title.push_str(&format!(
            " · fullest {} used",
            crate::format::percent(fullest)
        ));
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NodeRow, Pool};
    use calicoscope_model::Family;

    #[test]
    fn one_sentence_per_selected_pool() {
        let pool = |name: &str, fam, days| Pool {
            cluster: String::new(),
            name: name.into(),
            family: fam,
            size: 65536.0,
            reserved: 0.0,
            in_use: 53_740.0,
            free: 11_796.0,
            borrowed: 4.0,
            leaked: 40.0,
            blocks: 900.0,
            utilization: 0.82,
            days_to_full: days,
        };
        let node = |name: &str, borrowed| NodeRow {
            cluster: String::new(),
            pool: "default-ipv4-ippool".into(),
            node: name.into(),
            blocks: 1.0,
            capacity: 64.0,
            in_use: 1.0,
            borrowed,
            leaked: 0.0,
            utilization: 0.1,
        };
        let mut orphan = pool("no_ippool", Family::Unknown, None);
        orphan.in_use = 3.0;
        let t = Topology {
            pools: vec![
                pool("default-ipv4-ippool", Family::Ipv4, Some(12.4)),
                pool("v6", Family::Ipv6, None),
                orphan,
            ],
            nodes: vec![
                node("a", 2.0),
                node("b", 0.0),
                node("c", 1.0),
                node("no_affinity", 5.0),
            ],
        };
        // The wording is `calicoscope_model::pool`'s (tested there); here: which pools, and
        // borrowers counted per pool among owned nodes (not `no_affinity`).
        assert_eq!(
            sentence(&t, &["default-ipv4-ippool".into()]),
            "default-ipv4-ippool (IPv4): 82% used, 11,796 addresses free, full in about 12 days at the \
             current rate. 2 nodes borrow addresses. 40 addresses look leaked."
        );
        let all = sentence(&t, &[]);
        assert!(all.contains(
            "look leaked. v6 (IPv6): 82% used, 11,796 addresses free, not growing. 40 addresses look leaked."
        ));
        assert!(all.ends_with(
            "900 blocks outside any IP pool (no_ippool) hold 3 addresses in use: release or delete them."
        ));
        assert_eq!(
            sentence(&t, &["nope".into()]),
            "No pool matches the selection."
        );
    }
}
