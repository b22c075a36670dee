//! The sentence a manager can read: per selected pool, how full it is, how much is free,
//! when it runs out, and who borrows or leaks.

use crate::format::{count, percent, plural};
use crate::model::Topology;
use calicoscope_model::Family;

/// One sentence per pool in `selected` (all pools when empty), orphan blocks last.
pub fn sentence(topology: &Topology, selected: &[String]) -> String {
    let chosen = |name: &str| selected.is_empty() || selected.iter().any(|s| s == name);
    let mut parts = Vec::new();
    for pool in topology.pools.iter().filter(|p| chosen(&p.name)) {
        if pool.is_orphan() {
            if pool.blocks > 0.0 || pool.in_use > 0.0 {
                parts.push(format!(
                    "{} outside any IP pool (no_ippool) {} {} in use: release or delete them.",
                    plural(pool.blocks.max(0.0) as usize, "block", "blocks"),
                    if pool.blocks == 1.0 { "holds" } else { "hold" },
                    plural(pool.in_use.max(0.0) as usize, "address", "addresses")
                ));
            }
            continue;
        }
        let forecast = match pool.days_to_full {
            Some(d) if d < 1.0 => "full within a day at the current rate".to_string(),
            Some(d) if d > 3650.0 => "not filling up within ten years".to_string(),
            Some(d) => format!(
                "full in about {} at the current rate",
                plural(d.round() as usize, "day", "days")
            ),
            None => "not growing".to_string(),
        };
        let borrowers = topology
            .nodes
            .iter()
            .filter(|n| n.pool == pool.name && !n.is_unowned() && n.borrowed > 0.0)
            .count();
        let reserved = if pool.reserved > 0.0 {
            format!(" ({} reserved by IPReservations)", count(pool.reserved))
        } else {
            String::new()
        };
        let mut s = format!(
            "{} ({}): {} used, {} addresses free{reserved}, {forecast}.",
            pool.name,
            family_label(pool.family),
            percent(pool.utilization),
            count(pool.free)
        );
        if borrowers > 0 {
            s.push_str(&format!(
                " {} borrow addresses.",
                plural(borrowers, "node", "nodes")
            ));
        }
        if pool.leaked > 0.0 {
            s.push_str(&format!(
                " {} leaked.",
                plural(pool.leaked as usize, "address", "addresses")
            ));
        }
        parts.push(s);
    }
    if parts.is_empty() {
        return "No pool matches the selection.".into();
    }
    parts.join(" ")
}

pub fn family_label(f: Family) -> &'static str {
    match f {
        Family::Ipv4 => "IPv4",
        Family::Ipv6 => "IPv6",
        Family::Unknown => "family unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NodeRow, Pool};

    #[test]
    fn one_sentence_per_selected_pool() {
        let pool = |name: &str, fam, days| Pool {
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
        let mut t = Topology {
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
        assert_eq!(
            sentence(&t, &["default-ipv4-ippool".into()]),
            "default-ipv4-ippool (IPv4): 82% used, 11,796 addresses free, full in about 12 days at the \
             current rate. 2 nodes borrow addresses. 40 addresses leaked."
        );
        assert!(
            sentence(&t, &[]).contains("v6 (IPv6): 82% used, 11,796 addresses free, not growing.")
        );
        assert!(sentence(&t, &[]).ends_with(
            "900 blocks outside any IP pool (no_ippool) hold 3 addresses in use: release or delete them."
        ));
        t.pools[1].days_to_full = Some(4.3e9);
        assert!(sentence(&t, &[]).contains(
            "v6 (IPv6): 82% used, 11,796 addresses free, not filling up within ten years."
        ));
        assert_eq!(
            sentence(&t, &["nope".into()]),
            "No pool matches the selection."
        );
    }
}
