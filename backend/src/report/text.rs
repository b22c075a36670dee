//! The capacity report's words: what a manager reads about each pool, and what to do. The
//! figures they quote are formatted by `calicoscope_model::format`, as everywhere else.

use calicoscope_model::format::{count, percent, plural};
use calicoscope_model::pool::HORIZON_DAYS;
use chrono::{DateTime, Duration as Days, Utc};
use serde::Serialize;

/// A pool this close to full (days) needs a new pool now: adding one (a change request, a
/// maintenance window, node restarts for some IPAM settings) takes weeks in most organisations.
pub const ACT_WITHIN_DAYS: f64 = 30.0;
/// ...and this close is worth planning for.
pub const PLAN_WITHIN_DAYS: f64 = 90.0;
/// Used share from which a pool needs a new one whatever its growth: the free blocks left
/// are few, and a burst (a rollout, a node pool scale-up) can take them.
pub const ACT_AT_UTILIZATION: f64 = 0.9;
/// Names listed in a sentence before "and N more".
const LISTED: usize = 5;

/// One node and how many addresses (or blocks) it holds of a kind.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeCount {
    pub node: String,
    pub count: f64,
    /// `count` as every figure of the plugin is written (`1,024`).
    #[serde(rename = "countText")]
    pub count_text: String,
}

impl NodeCount {
    pub fn new(node: String, n: f64) -> NodeCount {
        NodeCount {
            node,
            count: n,
            count_text: count(n),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    /// The pool is (nearly) full: add a pool or a larger CIDR.
    AddPool,
    /// Addresses look leaked and are not being released.
    InvestigateLeaks,
    /// Nothing today; full within [`PLAN_WITHIN_DAYS`].
    Watch,
    Nothing,
}

impl ActionKind {
    /// Whether someone has to do something now (the report's headline counts these).
    pub fn needs_action(self) -> bool {
        matches!(self, ActionKind::AddPool | ActionKind::InvestigateLeaks)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Action {
    pub kind: ActionKind,
    pub text: String,
}

/// `7 days`, `36 hours`, `90 minutes`: the window in words, largest whole unit.
pub fn window_text(window: std::time::Duration) -> String {
    let s = window.as_secs();
    let (n, one, many) = match s {
        s if s % 86_400 == 0 => (s / 86_400, "day", "days"),
        s if s % 3_600 == 0 => (s / 3_600, "hour", "hours"),
        s => (s.div_ceil(60), "minute", "minutes"),
    };
    plural(n as f64, one, many)
}

/// The day a pool fills, `days` after `at`: `None` when it is not growing or fills beyond
/// [`HORIZON_DAYS`] (no date worth printing).
pub fn full_by(at: DateTime<Utc>, days: Option<f64>) -> Option<DateTime<Utc>> {
    let days = days.filter(|d| d.is_finite() && *d >= 0.0 && *d <= HORIZON_DAYS)?;
    Some(at + Days::seconds((days * 86_400.0) as i64))
}

/// `14 December 2026`.
pub fn date(day: DateTime<Utc>) -> String {
    day.format("%-d %B %Y").to_string()
}

/// The forecast sentence: `At the growth of the last 7 days, default-ipv4-ippool is full
/// around 14 December 2026 (in about 15 days).`
pub fn forecast(
    pool: &str,
    window: &str,
    free: f64,
    days: Option<f64>,
    by: Option<DateTime<Utc>>,
) -> String {
    if free <= 0.0 {
        return format!("{pool} is full: no address in it can be assigned.");
    }
    let growth = format!("At the growth of the last {window}, {pool}");
    match (days.filter(|d| d.is_finite() && *d >= 0.0), by) {
        (Some(d), Some(by)) if d < 1.0 => {
            format!("{growth} is full around {} (within a day).", date(by))
        }
        (Some(d), Some(by)) => format!(
            "{growth} is full around {} (in about {}).",
            date(by),
            plural(d.round(), "day", "days")
        ),
        (Some(_), None) => format!("{growth} does not fill up within ten years."),
        (None, _) => {
            format!("{pool} has not grown over the last {window}: there is no date to forecast.")
        }
    }
}

/// `node-1 (12), node-2 (3) and 4 more`; without counts, `node-1, node-2 and 4 more`.
fn list(nodes: &[NodeCount], counts: bool) -> String {
    let name = |n: &NodeCount| match counts {
        true => format!("{} ({})", n.node, count(n.count)),
        false => n.node.clone(),
    };
    let mut names: Vec<String> = nodes.iter().take(LISTED).map(name).collect();
    let more = nodes.len().saturating_sub(LISTED);
    if more > 0 {
        names.push(format!("{more} more"));
    }
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// Why borrowing matters; empty when no node borrows. `borrowing` is sorted, most first.
pub fn borrowing(borrowing: &[NodeCount]) -> String {
    if borrowing.is_empty() {
        return String::new();
    }
    let (one, many) = (
        "node uses addresses from blocks of other nodes",
        "nodes use addresses from blocks of other nodes",
    );
    format!(
        "{}: {}. A node borrows when its own address blocks are full and the pool has no free \
         block left to give it, so borrowing is an early sign that the pool is running out of \
         blocks. Each borrowed address is routed on its own (not with its block), which adds \
         routes on every node.",
        plural(borrowing.len() as f64, one, many),
        list(borrowing, true)
    )
}

/// What leaked addresses are and what to do; empty when there are none.
pub fn leaks(leaked: f64, leaking: &[NodeCount]) -> String {
    if leaked <= 0.0 {
        return String::new();
    }
    let (one, many) = ("address looks leaked", "addresses look leaked");
    format!(
        "{} on {}: IPAM still holds {} for pods that no longer exist. calico-kube-controllers \
         releases a leaked address after its leak grace period (leakGracePeriod in the \
         KubeControllersConfiguration, 15 minutes by default; 0 turns the clean-up off). If the \
         number does not fall, check that setting, then find the addresses with `calicoctl ipam \
         check --show-problem-ips` and release them with `calicoctl ipam release --from-report`.",
        plural(leaked, one, many),
        list(leaking, true),
        if leaked == 1.0 { "it" } else { "them" },
    )
}

/// Blocks whose addresses are in no current pool (`no_ippool`); empty when there are none.
pub fn orphans(blocks: f64, nodes: &[NodeCount]) -> String {
    if blocks <= 0.0 {
        return String::new();
    }
    let (one, many) = ("address block belongs", "address blocks belong");
    format!(
        "{} to no current IP pool, on {}: their pool was deleted or its CIDR changed while \
         addresses in them were still allocated. They are not counted in any pool above. Once \
         the pods using them are gone, `calicoctl ipam check -o report.json` finds what is \
         left and `calicoctl ipam release --from-report report.json` frees it.",
        plural(blocks, one, many),
        list(nodes, false),
    )
}

/// The one thing to do about a pool, most urgent first.
pub fn action(
    pool: &str,
    free: f64,
    utilization: f64,
    days: Option<f64>,
    by: Option<DateTime<Utc>>,
    leaking: &[NodeCount],
) -> Action {
    let soon = |limit| days.is_some_and(|d| d.is_finite() && d >= 0.0 && d <= limit);
    let (kind, text) = if free <= 0.0 {
        (
            ActionKind::AddPool,
            format!("Add an IP pool now: new pods that need an address from {pool} cannot start."),
        )
    } else if soon(ACT_WITHIN_DAYS) {
        let by = by.map(date).unwrap_or_default();
        (
            ActionKind::AddPool,
            format!("Add an IP pool (or move {pool} to a larger CIDR) before {by}."),
        )
    } else if utilization >= ACT_AT_UTILIZATION {
        (
            ActionKind::AddPool,
            format!(
                "Add an IP pool: {pool} is {} used, too little room for a burst of new pods.",
                percent(utilization)
            ),
        )
    } else if let Some(top) = leaking.first() {
        (
            ActionKind::InvestigateLeaks,
            format!("Investigate leaked addresses on {}.", top.node),
        )
    } else if soon(PLAN_WITHIN_DAYS) {
        let by = by.map(date).unwrap_or_default();
        (
            ActionKind::Watch,
            format!("Nothing to do today; plan a new IP pool before {by}."),
        )
    } else {
        (ActionKind::Nothing, "Nothing to do.".to_string())
    };
    Action { kind, text }
}

/// `3 IP pools. 1 needs action: default-ipv4-ippool.`
pub fn headline(pools: &[(&str, ActionKind)]) -> String {
    let total = plural(pools.len() as f64, "IP pool", "IP pools");
    let urgent: Vec<&str> = pools
        .iter()
        .filter(|(_, k)| k.needs_action())
        .map(|(p, _)| *p)
        .collect();
    if urgent.is_empty() {
        return format!("{total}. None needs action.");
    }
    let (one, many) = ("needs action", "need action");
    let n = if urgent.len() == 1 { one } else { many };
    format!("{total}. {} {n}: {}.", urgent.len(), urgent.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 1, 0, 0).unwrap()
    }

    fn nodes(n: usize) -> Vec<NodeCount> {
        (0..n)
            .map(|i| NodeCount::new(format!("node-{i}"), (10 - i) as f64))
            .collect()
    }

    #[test]
    fn windows_in_words() {
        let cases = [
            (7 * 86_400, "7 days"),
            (86_400, "1 day"),
            (36 * 3_600, "36 hours"),
            (5_400, "90 minutes"),
            (90, "2 minutes"),
        ];
        for (secs, want) in cases {
            assert_eq!(window_text(std::time::Duration::from_secs(secs)), want);
        }
    }

    #[test]
    fn forecasts() {
        let day = |d: f64| full_by(at(), Some(d));
        let cases = [
            ("p", 100.0, Some(15.2), day(15.2), "At the growth of the last 7 days, p is full around 14 December 2026 (in about 15 days)."),
            ("p", 100.0, Some(0.3), day(0.3), "At the growth of the last 7 days, p is full around 29 November 2026 (within a day)."),
            ("p", 100.0, Some(5e6), day(5e6), "At the growth of the last 7 days, p does not fill up within ten years."),
            ("p", 100.0, None, None, "p has not grown over the last 7 days: there is no date to forecast."),
            ("p", 0.0, Some(0.0), day(0.0), "p is full: no address in it can be assigned."),
        ];
        for (pool, free, days, by, want) in cases {
            assert_eq!(forecast(pool, "7 days", free, days, by), want);
        }
        assert_eq!(day(5e6), None, "no date beyond ten years");
        assert_eq!(full_by(at(), Some(f64::NAN)), None);
    }

    #[test]
    fn actions_most_urgent_first() {
        let by = |d: f64| full_by(at(), Some(d));
        let leaking = nodes(2);
        // (free, utilization, days, leaking) → (kind, text)
        let cases = [
            (
                0.0,
                1.0,
                None,
                &leaking[..],
                ActionKind::AddPool,
                "Add an IP pool now: new pods that need an address from p cannot start.",
            ),
            (
                50.0,
                0.5,
                Some(15.2),
                &leaking[..],
                ActionKind::AddPool,
                "Add an IP pool (or move p to a larger CIDR) before 14 December 2026.",
            ),
            (
                50.0,
                0.93,
                None,
                &[][..],
                ActionKind::AddPool,
                "Add an IP pool: p is 93% used, too little room for a burst of new pods.",
            ),
            (
                50.0,
                0.5,
                Some(60.0),
                &leaking[..],
                ActionKind::InvestigateLeaks,
                "Investigate leaked addresses on node-0.",
            ),
            (
                50.0,
                0.5,
                Some(60.0),
                &[][..],
                ActionKind::Watch,
                "Nothing to do today; plan a new IP pool before 28 January 2027.",
            ),
            (
                50.0,
                0.5,
                Some(200.0),
                &[][..],
                ActionKind::Nothing,
                "Nothing to do.",
            ),
            (
                50.0,
                0.5,
                None,
                &[][..],
                ActionKind::Nothing,
                "Nothing to do.",
            ),
        ];
        for (free, share, days, leaking, kind, text) in cases {
            let got = action("p", free, share, days, days.and_then(by), leaking);
            assert_eq!((got.kind, got.text.as_str()), (kind, text));
        }
    }

    #[test]
    fn node_lists_and_paragraphs() {
        assert_eq!(list(&nodes(1), true), "node-0 (10)");
        assert_eq!(list(&nodes(2), false), "node-0 and node-1");
        assert_eq!(list(&nodes(2), true), "node-0 (10) and node-1 (9)");
        assert_eq!(
            list(&nodes(7), true),
            "node-0 (10), node-1 (9), node-2 (8), node-3 (7), node-4 (6) and 2 more"
        );
        assert_eq!(borrowing(&[]), "");
        assert!(borrowing(&nodes(3)).starts_with("3 nodes use addresses from blocks of other nodes: node-0 (10), node-1 (9) and node-2 (8). A node borrows"));
        assert_eq!(leaks(0.0, &[]), "");
        assert!(leaks(1.0, &nodes(1))
            .starts_with("1 address looks leaked on node-0 (10): IPAM still holds it for"));
        assert!(leaks(19.0, &nodes(2)).contains("calicoctl ipam release --from-report"));
        assert_eq!(orphans(0.0, &[]), "");
        assert!(orphans(3.0, &nodes(1))
            .starts_with("3 address blocks belong to no current IP pool, on node-0:"));
    }

    #[test]
    fn headlines() {
        use ActionKind::*;
        assert_eq!(headline(&[("a", Nothing)]), "1 IP pool. None needs action.");
        assert_eq!(
            headline(&[("a", AddPool), ("b", Watch)]),
            "2 IP pools. 1 needs action: a."
        );
        assert_eq!(
            headline(&[("a", AddPool), ("b", InvestigateLeaks), ("c", Nothing)]),
            "3 IP pools. 2 need action: a, b."
        );
        assert_eq!(headline(&[]), "0 IP pools. None needs action.");
    }
}
