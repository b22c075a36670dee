//! Flows.FilterHints: the distinct values a filter field could take over a range, for the
//! flows passing the request's filter, ascending and paged like List.

use super::filter::{hits, matches};
use super::list::paginate;
use super::store::{range, Store};
use calicoscope_goldmane::v3_32::{
    FilterHint, FilterHintsRequest, FilterHintsResult, FilterType, FlowKey, PolicyHit, PolicyKind,
};
use std::collections::BTreeSet;
use tonic::Status;

/// The answer to a FilterHints request (3.32 types; the 3.30 edge refuses 7 and 8 first).
pub fn hints(
    store: &Store,
    req: &FilterHintsRequest,
    now: i64,
) -> Result<FilterHintsResult, Status> {
    let kind = match FilterType::try_from(req.r#type) {
        Ok(FilterType::Unspecified) | Err(_) => return Err(unsupported(req.r#type)),
        Ok(t) => t,
    };
    let range = range(req.start_time_gte, req.start_time_lt, now)?;
    let filter = req.filter.as_ref();
    let found = store.aggregates(range, |i| matches(filter, &store.model.series[i].key));
    let mut values = BTreeSet::new();
    for a in &found {
        if let Some(key) = &a.flow.key {
            values.extend(values_of(kind, key));
        }
    }
    let (meta, page) = paginate(values.into_iter().collect(), req.page, req.page_size);
    Ok(FilterHintsResult {
        meta: Some(meta),
        hints: page.into_iter().map(|value| FilterHint { value }).collect(),
    })
}

/// Calico's error for a type it does not know (a 3.31 server says it for 7 and 8).
pub fn unsupported(t: i32) -> Status {
    Status::unknown(format!("unsupported filter type '{t}'"))
}

fn values_of(kind: FilterType, key: &FlowKey) -> Vec<String> {
    let one = |s: &str| vec![s.to_string()];
    match kind {
        FilterType::DestName => one(&key.dest_name),
        FilterType::SourceName => one(&key.source_name),
        FilterType::DestNamespace => one(&key.dest_namespace),
        FilterType::SourceNamespace => one(&key.source_namespace),
        _ => policy_values(kind, key),
    }
}

/// Tier, name, kind or namespace of the enforced and pending hits; Profiles are skipped
/// and an EndOfTier counts as the policy that triggered it.
fn policy_values(kind: FilterType, key: &FlowKey) -> Vec<String> {
    let (enforced, pending) = hits(key);
    enforced
        .iter()
        .chain(pending)
        .filter_map(named)
        .map(|h| match kind {
            FilterType::PolicyTier => h.tier.clone(),
            FilterType::PolicyName => h.name.clone(),
            FilterType::PolicyKind => PolicyKind::try_from(h.kind)
                .map_or_else(|_| h.kind.to_string(), |k| k.as_str_name().to_string()),
            _ => h.namespace.clone(),
        })
        // Global policies have no namespace: no hint for them.
        .filter(|v| !v.is_empty())
        .collect()
}

fn named(h: &PolicyHit) -> Option<&PolicyHit> {
    match PolicyKind::try_from(h.kind) {
        Ok(PolicyKind::Profile) => None,
        Ok(PolicyKind::EndOfTier) => h.trigger.as_deref(),
        _ => Some(h),
    }
}
