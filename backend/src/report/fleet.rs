//! The fleet report's first part, in a store of several clusters: the clusters ranked by
//! their soonest pool exhaustion, and the clusters whose IPAM figures stopped.
//!
//! ```
//! # use calicoscope_backend::report::fleet::{headline, Quiet};
//! let quiet = [Quiet::new("prod-us", 1_796_263_800_000, 1_796_270_000_000)];
//! assert_eq!(headline(&[], &quiet), "Of 1 cluster, none has IPAM figures now. No IPAM figures from prod-us since 02:10 UTC.");
//! ```

use calicoscope_model::format::plural;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::text::ActionKind;
use super::PoolReport;

/// One cluster's pools, summed up for the ranking.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterReport {
    pub cluster: String,
    pub pools: usize,
    /// Pools that need action now.
    pub needs_action: usize,
    /// Its most urgent pool, `None` without pools.
    pub soonest: Option<String>,
    /// Days until that pool is full (0: full now); `None` when it is not filling up.
    pub days_to_full: Option<f64>,
    /// `prod-eu's default-ipv4-ippool is full around 14 January 2027`.
    pub text: String,
}

/// A cluster that had IPAM figures within the report's window but has none now.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quiet {
    pub cluster: String,
    /// Its last IPAM sample, ms since the epoch.
    pub since: i64,
    /// `No IPAM figures from prod-us since 02:10 UTC.`
    pub text: String,
}

impl Quiet {
    /// `since` and the report's instant `at`, in ms since the epoch.
    pub fn new(cluster: &str, since: i64, at: i64) -> Quiet {
        let (last, now) = (time(since), time(at));
        let when = match last.date_naive() == now.date_naive() {
            true => last.format("%H:%M UTC"),
            false => last.format("%-d %B %H:%M UTC"),
        };
        Quiet {
            cluster: cluster.to_string(),
            since,
            text: format!("No IPAM figures from {cluster} since {when}."),
        }
    }
}

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// How soon a pool runs out, for ranking: full now first, not filling up last.
fn urgency(p: &PoolReport) -> f64 {
    match p.free <= 0.0 {
        true => 0.0,
        false => p
            .days_to_full
            .filter(|d| d.is_finite() && *d >= 0.0)
            .unwrap_or(f64::INFINITY),
    }
}

/// `default-ipv4-ippool is full around 14 January 2027`, as the headline says a pool.
fn state(p: &PoolReport) -> String {
    match (p.free <= 0.0, &p.full_by, p.action.kind) {
        (true, _, _) => "is full".to_string(),
        (false, Some(_), _) => format!("is full around {}", p.figures.full_by),
        (false, None, ActionKind::InvestigateLeaks) => "leaks addresses".to_string(),
        (false, None, _) => format!("is {} used", p.figures.used),
    }
}

/// Each cluster of `pools` (the report's, of clusters named), most urgent first: by the
/// days until its soonest pool is full, then by the pools needing action, then by name.
pub fn clusters(pools: &[PoolReport]) -> Vec<ClusterReport> {
    let mut names: Vec<&str> = pools.iter().map(|p| p.cluster.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out: Vec<ClusterReport> = names.into_iter().map(|c| cluster(c, pools)).collect();
    let key = |c: &ClusterReport| c.days_to_full.unwrap_or(f64::INFINITY);
    out.sort_by(|a, b| {
        key(a)
            .total_cmp(&key(b))
            .then(b.needs_action.cmp(&a.needs_action))
            .then_with(|| a.cluster.cmp(&b.cluster))
    });
    out
}

fn cluster(name: &str, pools: &[PoolReport]) -> ClusterReport {
    let own: Vec<&PoolReport> = pools.iter().filter(|p| p.cluster == name).collect();
    let needs_action = own.iter().filter(|p| p.action.kind.needs_action()).count();
    // The pool to name: the first to fill among those needing action, else among all.
    let urgent = |p: &&&PoolReport| needs_action == 0 || p.action.kind.needs_action();
    let soonest = own.iter().filter(urgent).min_by(|a, b| {
        urgency(a)
            .total_cmp(&urgency(b))
            .then_with(|| a.name.cmp(&b.name))
    });
    ClusterReport {
        cluster: name.to_string(),
        pools: own.len(),
        needs_action,
        soonest: soonest.map(|p| p.name.clone()),
        days_to_full: soonest.map(|p| urgency(p)).filter(|d| d.is_finite()),
        text: soonest.map_or_else(String::new, |p| format!("{name}'s {} {}", p.name, state(p))),
    }
}

/// `Of 12 clusters, 2 need action: prod-eu's default-ipv4-ippool is full around 14 January
/// 2027; prod-us's … . No IPAM figures from prod-ap since 02:10 UTC.`
pub fn headline(clusters: &[ClusterReport], quiet: &[Quiet]) -> String {
    let total = plural((clusters.len() + quiet.len()) as f64, "cluster", "clusters");
    let urgent: Vec<&str> = clusters
        .iter()
        .filter(|c| c.needs_action > 0)
        .map(|c| c.text.as_str())
        .collect();
    let mut s = match (urgent.len(), clusters.first()) {
        (0, None) => format!("Of {total}, none has IPAM figures now."),
        (0, Some(first)) if first.days_to_full.is_some() => {
            format!(
                "Of {total}, none needs action; the first to fill: {}.",
                first.text
            )
        }
        (0, Some(_)) => format!("Of {total}, none needs action."),
        (1, _) => format!("Of {total}, 1 needs action: {}.", urgent[0]),
        (n, _) => format!("Of {total}, {n} need action: {}.", urgent.join("; ")),
    };
    for q in quiet {
        s.push(' ');
        s.push_str(&q.text);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::text::Action;
    use crate::report::{Figures, Trend};

    /// A pool of `cluster` with `free` addresses left and `days` to full.
    fn pool(
        cluster: &str,
        name: &str,
        free: f64,
        days: Option<f64>,
        kind: ActionKind,
    ) -> PoolReport {
        let full_by = days.map(|d| format!("in {d} days"));
        PoolReport {
            cluster: cluster.into(),
            name: name.into(),
            family: "IPv4",
            size: 1024.0,
            reserved: 0.0,
            in_use: 1024.0 - free,
            free,
            utilization: Some(1.0 - free / 1024.0),
            days_to_full: days,
            full_by: full_by.clone(),
            leaked: 0.0,
            borrowing: vec![],
            leaking: vec![],
            unaffine_blocks: 0.0,
            trend: Trend::default(),
            figures: Figures {
                used: "50%".into(),
                free: String::new(),
                reserved: String::new(),
                full_by: full_by.unwrap_or_default(),
            },
            forecast: String::new(),
            borrowing_text: String::new(),
            leaks_text: String::new(),
            action: Action {
                kind,
                text: String::new(),
            },
        }
    }

    #[test]
    fn clusters_rank_by_their_soonest_pool() {
        use ActionKind::*;
        let pools = [
            pool("a", "default-ipv4-ippool", 500.0, None, Nothing),
            pool("b", "default-ipv4-ippool", 10.0, Some(12.0), AddPool),
            pool("b", "default-ipv6-ippool", 9e20, Some(2.0), Nothing),
            pool("c", "default-ipv4-ippool", 0.0, None, AddPool),
            pool("d", "default-ipv4-ippool", 300.0, Some(80.0), Watch),
        ];
        let ranked = clusters(&pools);
        let order: Vec<&str> = ranked.iter().map(|c| c.cluster.as_str()).collect();
        assert_eq!(order, ["c", "b", "d", "a"]);
        // b's IPv6 pool fills sooner but needs nothing: the pool needing action is named.
        assert_eq!(ranked[1].soonest.as_deref(), Some("default-ipv4-ippool"));
        assert_eq!(
            ranked[1].text,
            "b's default-ipv4-ippool is full around in 12 days"
        );
        assert_eq!(ranked[0].text, "c's default-ipv4-ippool is full");
        assert_eq!(ranked[3].days_to_full, None);
        assert_eq!(
            headline(&ranked, &[]),
            "Of 4 clusters, 2 need action: c's default-ipv4-ippool is full; b's default-ipv4-ippool is full around in 12 days."
        );
        let calm = clusters(&pools[3..]);
        assert_eq!(
            headline(&calm[1..], &[Quiet::new("e", 0, 86_400_000 * 2)]),
            "Of 2 clusters, none needs action; the first to fill: d's default-ipv4-ippool is full around in 80 days. \
             No IPAM figures from e since 1 January 00:00 UTC."
        );
    }
}
