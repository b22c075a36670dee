//! Flows.List and the paging FilterHints shares: filter, sum each key over the range,
//! sort, cut a page.
//!
//! The default (time) sort is Calico's `RingIndex.List` (goldmane/pkg/storage/ring_index.go,
//! v3.30.0 through release-v3.33): the matching flows are gathered from a Go map, sorted
//! newest start first with `sort.Slice` (not stable), and only then cut into a page. All
//! flows of one bucket share a start time, so their order changes from call to call, and
//! page 2 of one call overlaps page 1 of the next. Here ties come in an order drawn afresh
//! for every call, so a client that pages over the time sort sees what it would see there.
//! The other sorts are Calico's sorted indices (index.go): value, then flow id, a total order.

use super::filter::matches;
use super::store::{range, Aggregate, Store};
use crate::prng;
use calicoscope_goldmane::v3_32::{
    FlowListRequest, FlowListResult, FlowResult, ListMetadata, SortBy, SortOption,
};
use std::cmp::Ordering;
use tonic::Status;

/// The answer to a List request at wall-clock time `now`; `call` seeds the order of the
/// time sort's ties (a different value for every call, as Go's map iteration gives).
pub fn list(
    store: &Store,
    req: &FlowListRequest,
    now: i64,
    call: u64,
) -> Result<FlowListResult, Status> {
    let order = sort_order(&req.sort_by)?;
    let range = range(req.start_time_gte, req.start_time_lt, now)?;
    let filter = req.filter.as_ref();
    let mut found = store.aggregates(range, |i| matches(filter, &store.model.series[i].key));
    let tie = |a: &Aggregate| prng::hash(call, &[a.series as u64]);
    found.sort_by_cached_key(|a| tie(a));
    found.sort_by(|a, b| compare(order, a, b));
    let (meta, page) = paginate(found, req.page, req.page_size);
    let flows = page
        .into_iter()
        .map(|a| FlowResult {
            id: a.series as i64,
            flow: Some(a.flow),
        })
        .collect();
    Ok(FlowListResult {
        meta: Some(meta),
        flows,
    })
}

/// The one sort order a request may ask for (Time when none).
fn sort_order(options: &[SortOption]) -> Result<SortBy, Status> {
    match options {
        [] => Ok(SortBy::Time),
        [one] => match SortBy::try_from(one.sort_by) {
            Ok(s @ (SortBy::DestType | SortBy::SourceType)) => Err(Status::unknown(format!(
                "unsupported sort order: {}",
                s.as_str_name()
            ))),
            Ok(s) => Ok(s),
            Err(_) => Err(Status::unknown(format!(
                "unsupported sort order: {}",
                one.sort_by
            ))),
        },
        _ => Err(Status::unknown("at most one sort order is supported")),
    }
}

/// Newest start first for Time, ties left in the order they came (shuffled by the caller);
/// names and namespaces ascending, ties by id (Calico's index `lookup`), so pages are stable.
fn compare(order: SortBy, a: &Aggregate, b: &Aggregate) -> Ordering {
    let key = |x: &Aggregate| x.flow.key.clone().unwrap_or_default();
    let (ka, kb) = (key(a), key(b));
    let primary = match order {
        SortBy::DestName => ka.dest_name.cmp(&kb.dest_name),
        SortBy::DestNamespace => ka.dest_namespace.cmp(&kb.dest_namespace),
        SortBy::SourceName => ka.source_name.cmp(&kb.source_name),
        SortBy::SourceNamespace => ka.source_namespace.cmp(&kb.source_namespace),
        _ => return b.flow.start_time.cmp(&a.flow.start_time),
    };
    primary.then(a.series.cmp(&b.series))
}

/// Page `page` (zero-based) of `page_size` items; a page size of 0 (or less) is everything.
/// A page past the last one is empty with empty metadata, as Calico's `List` answers it.
pub fn paginate<T>(items: Vec<T>, page: i64, page_size: i64) -> (ListMetadata, Vec<T>) {
    let total = items.len() as i64;
    let pages = match (total, page_size) {
        (0, _) => 0,
        (_, s) if s <= 0 => 1,
        (t, s) => t / s + i64::from(t % s != 0),
    };
    let meta = ListMetadata {
        total_pages: pages,
        total_results: total,
    };
    if page_size <= 0 {
        return (meta, items);
    }
    let skip = page.max(0).saturating_mul(page_size);
    let skip = usize::try_from(skip).unwrap_or(usize::MAX);
    if skip >= items.len() {
        return (ListMetadata::default(), Vec::new());
    }
    let take = usize::try_from(page_size).unwrap_or(usize::MAX);
    (meta, items.into_iter().skip(skip).take(take).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages() {
        let (m, p) = paginate((0..7).collect(), 2, 3);
        assert_eq!((m.total_pages, m.total_results, p), (3, 7, vec![6]));
        let (m, p) = paginate((0..7).collect(), 0, 0);
        assert_eq!((m.total_pages, p.len()), (1, 7));
        let (m, _) = paginate(Vec::<i32>::new(), 0, 10);
        assert_eq!(m.total_pages, 0);
        let (m, p) = paginate((0..7).collect(), 3, 3);
        assert_eq!((m, p), (ListMetadata::default(), vec![]), "past the end");
        assert!(paginate((0..7).collect::<Vec<_>>(), i64::MAX, i64::MAX)
            .1
            .is_empty());
    }

    #[test]
    fn sort_errors() {
        let opt = |s: SortBy| SortOption { sort_by: s as i32 };
        let e = sort_order(&[opt(SortBy::DestType)]).unwrap_err();
        assert_eq!(e.message(), "unsupported sort order: DestType");
        let e = sort_order(&[opt(SortBy::DestName), opt(SortBy::Time)]).unwrap_err();
        assert_eq!(e.message(), "at most one sort order is supported");
    }
}
