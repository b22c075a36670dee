//! Statistics.List: packet, byte or live-connection counts per policy (or policy rule) from
//! the enforced and pending hits of every flow over a range, split by the hit's action and
//! by direction, per bucket (a sparse time series) or in total.

use super::filter::{hits, policy};
use super::store::{range, Store};
use crate::flows::Tally;
use calicoscope_goldmane::v3_32::{
    Action, FlowKey, PolicyHit, PolicyKind, PolicyMatch, Reporter, RuleDirection, StatisticType,
    StatisticsGroupBy, StatisticsRequest, StatisticsResult,
};
use std::collections::BTreeMap;
use tonic::Status;

/// What one group sums: kind, namespace, name, tier, then (rule grouping only) rule index
/// and action, then the direction; an EndOfTier also by its trigger's kind and name.
/// Results come in this order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct GroupKey {
    kind: i32,
    namespace: String,
    name: String,
    tier: String,
    rule: i64,
    action: i32,
    direction: i32,
    trigger: Option<(i32, String, String)>,
}

/// allowed, denied, passed × in, out: the order of StatisticsResult's arrays.
type Values = [i64; 6];

/// The stream Statistics.List sends: one result per group, or, when nothing matches, one
/// empty result and then NOT_FOUND, as Calico's server does.
pub fn statistics(
    store: &Store,
    req: &StatisticsRequest,
    now: i64,
) -> Result<Vec<Result<StatisticsResult, Status>>, Status> {
    let range = range(req.start_time_gte, req.start_time_lt, now)?;
    let by_rule = req.group_by == StatisticsGroupBy::PolicyRule as i32;
    // Group keys are resolved once per flow key, then buckets add by index: a large model
    // has millions of (key, bucket) pairs in an hour.
    let mut index: BTreeMap<GroupKey, usize> = BTreeMap::new();
    let mut groups: Vec<(PolicyHit, BTreeMap<i64, Values>)> = Vec::new();
    for (i, series) in store.model.series.iter().enumerate() {
        let picked = picked_hits(&series.key, req.policy_match.as_ref(), by_rule);
        let slots: Vec<(usize, i32)> = picked
            .into_iter()
            .map(|p| {
                let slot = *index.entry(p.key).or_insert_with(|| {
                    groups.push((p.shown, BTreeMap::new()));
                    groups.len() - 1
                });
                (slot, p.action)
            })
            .collect();
        if slots.is_empty() {
            continue;
        }
        for start in range.starts() {
            let Some(t) = store.model.tally(i, start) else {
                continue;
            };
            for &(slot, action) in &slots {
                let values = groups[slot].1.entry(start).or_default();
                add(values, action, &series.key, &t, req.r#type);
            }
        }
    }
    let mut results = Vec::new();
    for (key, slot) in index {
        let (hit, buckets) = std::mem::take(&mut groups[slot]);
        if !buckets.is_empty() {
            results.push(Ok(result(req, by_rule, key.direction, hit, buckets)));
        }
    }
    if results.is_empty() {
        return Ok(vec![
            Ok(StatisticsResult::default()),
            Err(Status::not_found("No statistics matching request")),
        ]);
    }
    Ok(results)
}

/// A group a flow counts in, what its result shows, and the action the flow's hit took.
struct Picked {
    key: GroupKey,
    shown: PolicyHit,
    action: i32,
}

/// The distinct groups a flow key counts in: each matching hit once, even when it is both
/// enforced and pending.
fn picked_hits(key: &FlowKey, m: Option<&PolicyMatch>, by_rule: bool) -> Vec<Picked> {
    let (enforced, pending) = hits(key);
    let direction = match (by_rule, key.reporter) {
        (false, _) => RuleDirection::Any,
        (true, r) if r == Reporter::Dst as i32 => RuleDirection::Ingress,
        (true, _) => RuleDirection::Egress,
    };
    let mut out: Vec<Picked> = Vec::new();
    for h in enforced.iter().chain(pending) {
        if m.is_some_and(|m| !policy(m, h)) {
            continue;
        }
        let (key, shown) = group(h, by_rule, direction);
        if !out.iter().any(|p| p.key == key) {
            out.push(Picked {
                key,
                shown,
                action: h.action,
            });
        }
    }
    out
}

/// A hit's group and the PolicyHit a result shows for it.
fn group(h: &PolicyHit, by_rule: bool, direction: RuleDirection) -> (GroupKey, PolicyHit) {
    let (action, rule) = if by_rule {
        (h.action, h.rule_index)
    } else {
        (0, 0)
    };
    let trigger = h
        .trigger
        .as_deref()
        .filter(|_| h.kind == PolicyKind::EndOfTier as i32);
    let shown = PolicyHit {
        kind: h.kind,
        namespace: h.namespace.clone(),
        name: h.name.clone(),
        tier: h.tier.clone(),
        action,
        rule_index: rule,
        trigger: trigger.map(|t| {
            Box::new(PolicyHit {
                kind: t.kind,
                namespace: t.namespace.clone(),
                name: t.name.clone(),
                tier: t.tier.clone(),
                ..Default::default()
            })
        }),
        ..Default::default()
    };
    let key = GroupKey {
        kind: h.kind,
        namespace: h.namespace.clone(),
        name: h.name.clone(),
        tier: h.tier.clone(),
        rule,
        action,
        direction: direction as i32,
        trigger: trigger.map(|t| (t.kind, t.namespace.clone(), t.name.clone())),
    };
    (key, shown)
}

/// Adds one bucket of one flow to a group: by the hit's action, in or out.
fn add(v: &mut Values, action: i32, key: &FlowKey, t: &Tally, kind: i32) {
    let column = match Action::try_from(action) {
        Ok(Action::Allow) => 0,
        Ok(Action::Deny) => 2,
        Ok(Action::Pass) => 4,
        _ => return,
    };
    let (inbound, outbound) = match StatisticType::try_from(kind) {
        Ok(StatisticType::ByteCount) => (t.bytes_in, t.bytes_out),
        Ok(StatisticType::LiveConnectionCount) if key.reporter == Reporter::Dst as i32 => {
            (t.live, 0)
        }
        Ok(StatisticType::LiveConnectionCount) => (0, t.live),
        _ => (t.packets_in, t.packets_out),
    };
    v[column] += inbound;
    v[column + 1] += outbound;
}

fn result(
    req: &StatisticsRequest,
    by_rule: bool,
    direction: i32,
    policy: PolicyHit,
    buckets: BTreeMap<i64, Values>,
) -> StatisticsResult {
    let rows: Vec<(i64, Values)> = if req.time_series {
        buckets.into_iter().collect()
    } else {
        let total = buckets.values().fold([0; 6], |mut acc, v| {
            acc.iter_mut().zip(v).for_each(|(a, b)| *a += b);
            acc
        });
        vec![(0, total)]
    };
    let column = |c: usize| rows.iter().map(|r| r.1[c]).collect::<Vec<_>>();
    StatisticsResult {
        policy: Some(policy),
        direction,
        group_by: if by_rule {
            StatisticsGroupBy::PolicyRule as i32
        } else {
            0
        },
        r#type: req.r#type,
        allowed_in: column(0),
        allowed_out: column(1),
        denied_in: column(2),
        denied_out: column(3),
        passed_in: column(4),
        passed_out: column(5),
        x: if req.time_series {
            rows.iter().map(|r| r.0).collect()
        } else {
            vec![]
        },
    }
}
