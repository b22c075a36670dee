//! Flows.List without paging. Goldmane's time-sorted List (`RingIndex.List` in
//! goldmane/pkg/storage/ring_index.go, v3.30.0 through release-v3.33) gathers the flows from a
//! Go map, sorts them by start time with `sort.Slice` (not stable) and only then cuts out the
//! page: the flows of one 15 s bucket share a start time, so their order changes on every
//! call and paging a busy hour repeats some flows and misses others. So the range is asked
//! in one answer (`page_size: 0`); when an answer is too large for one message, the range is
//! split on bucket boundaries into disjoint parts, each asked in one answer, and each flow's
//! parts are added up as Goldmane adds up its buckets (`DiachronicFlow.AggregateWindows`).
//!
//! A bucket belongs to a part when it starts at or after the part's start and ends at or
//! before its end (`DiachronicFlow.GetWindows`), so parts cut at a bucket start share no
//! bucket and lose none.

use std::collections::HashMap;

use calicoscope_goldmane::v3_32::{Flow, FlowResult};
use prost::Message;

/// A time range as sent (`gte`, `lt`: absolute, relative when negative, 0 for Goldmane's
/// default) and its absolute bounds, within which a cut must fall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub gte: i64,
    pub lt: i64,
    lo: i64,
    hi: i64,
}

impl Span {
    /// The range of a request, with `now` (this machine's clock) for relative times and
    /// `kept` for Goldmane's default start (the oldest bucket it keeps).
    pub fn of(gte: i64, lt: i64, now: i64, kept: i64) -> Span {
        let absolute = |t: i64, zero: i64| match t {
            0 => zero,
            t if t < 0 => now + t,
            t => t,
        };
        Span {
            gte,
            lt,
            lo: absolute(gte, now - kept),
            hi: absolute(lt, now),
        }
    }

    pub fn middle(self) -> i64 {
        self.lo + (self.hi - self.lo) / 2
    }

    /// The two parts either side of bucket boundary `cut`, if it lies strictly inside.
    pub fn cut(self, cut: i64) -> Option<(Span, Span)> {
        (self.lo < cut && cut < self.hi).then_some((
            Span {
                lt: cut,
                hi: cut,
                ..self
            },
            Span {
                gte: cut,
                lo: cut,
                ..self
            },
        ))
    }
}

/// Bucket boundaries an answer shows: every flow starts where its first bucket starts and
/// ends where its last bucket ends. A flow with no bucket in range (Goldmane answers one,
/// with times 0, when its only bucket straddles the range's end) shows none.
fn boundaries(flows: &[FlowResult]) -> impl Iterator<Item = i64> + '_ {
    flows
        .iter()
        .filter_map(|r| r.flow.as_ref())
        .flat_map(|f| [f.start_time, f.end_time])
        .filter(|&t| t > 0)
}

/// Where to cut `span`, from the flows before its middle (the latest boundary they show) or,
/// when there are none, after it (the earliest): a boundary at or near the middle.
pub fn cut(span: Span, before: &[FlowResult], after: &[FlowResult]) -> Option<(Span, Span)> {
    let latest = boundaries(before).filter(|&t| t < span.hi).max();
    let earliest = boundaries(after).filter(|&t| t > span.lo).min();
    latest.or(earliest).and_then(|c| span.cut(c))
}

/// The parts' flows as one answer: a flow found in several parts once, with its counts
/// summed, its first start and last end, and the labels all its parts carry.
pub fn merge(parts: Vec<Vec<FlowResult>>) -> Vec<FlowResult> {
    let mut out: Vec<FlowResult> = Vec::new();
    let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
    for result in parts.into_iter().flatten() {
        let Some(flow) = &result.flow else { continue };
        let key = flow
            .key
            .as_ref()
            .map(Message::encode_to_vec)
            .unwrap_or_default();
        match seen.get(&key) {
            Some(&i) => add(out[i].flow.get_or_insert_with(Flow::default), flow),
            None => {
                seen.insert(key, out.len());
                out.push(result);
            }
        }
    }
    out
}

fn add(to: &mut Flow, f: &Flow) {
    to.packets_in += f.packets_in;
    to.packets_out += f.packets_out;
    to.bytes_in += f.bytes_in;
    to.bytes_out += f.bytes_out;
    to.num_connections_started += f.num_connections_started;
    to.num_connections_completed += f.num_connections_completed;
    to.num_connections_live += f.num_connections_live;
    to.start_time = to.start_time.min(f.start_time);
    to.end_time = to.end_time.max(f.end_time);
    to.source_labels.retain(|l| f.source_labels.contains(l));
    to.dest_labels.retain(|l| f.dest_labels.contains(l));
}

/// Goldmane's order made total: newest start first, then by flow id, so two identical
/// requests give identical tables.
pub fn order(flows: &mut [FlowResult]) {
    let start = |r: &FlowResult| r.flow.as_ref().map_or(0, |f| f.start_time);
    flows.sort_by(|a, b| start(b).cmp(&start(a)).then(a.id.cmp(&b.id)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use calicoscope_goldmane::v3_32::FlowKey;

    fn flow(id: i64, name: &str, start: i64, end: i64, packets: i64) -> FlowResult {
        FlowResult {
            id,
            flow: Some(Flow {
                key: Some(FlowKey {
                    source_name: name.into(),
                    ..Default::default()
                }),
                start_time: start,
                end_time: end,
                packets_in: packets,
                source_labels: vec!["app=a".into(), format!("pod={start}")],
                ..Default::default()
            }),
        }
    }

    /// Goldmane's buckets start 7 s past a multiple of 15 (its own start time).
    const B: i64 = 1_795_000_007;

    #[test]
    fn a_cut_is_a_boundary_the_flows_show_inside_the_range() {
        let span = Span::of(B - 1, B + 1000, 0, 3600);
        assert_eq!(span.middle(), B + 499);
        // Flows before the middle: the latest of their boundaries.
        let before = [
            flow(1, "a", B, B + 495, 1),
            flow(2, "b", B + 300, B + 480, 1),
        ];
        let (left, right) = cut(span, &before, &[]).unwrap();
        assert_eq!(
            (left.gte, left.lt, right.gte, right.lt),
            (B - 1, B + 495, B + 495, B + 1000)
        );
        // None before: the earliest after it.
        let after = [
            flow(3, "c", B + 600, B + 615, 1),
            flow(4, "d", B + 510, B + 990, 1),
        ];
        let (left, right) = cut(span, &[], &after).unwrap();
        assert_eq!((left.lt, right.gte), (B + 510, B + 510));
        // Relative and default times keep their meaning in the outer parts.
        let now = B + 3600;
        let (left, right) = Span::of(-3600, 0, now, 3600).cut(B + 1800).unwrap();
        assert_eq!(
            (left.gte, left.lt, right.gte, right.lt),
            (-3600, B + 1800, B + 1800, 0)
        );
        // One bucket shows only its own ends: no cut inside.
        let one = Span::of(B, B + 15, 0, 3600);
        assert_eq!(cut(one, &[flow(1, "a", B, B + 15, 1)], &[]), None);
        // Times 0 (a flow with no bucket in range) are no boundary.
        assert_eq!(cut(span, &[flow(5, "e", 0, 0, 0)], &[]), None);
    }

    #[test]
    fn merged_parts_are_one_answer() {
        let parts = vec![
            vec![flow(1, "a", B, B + 15, 3), flow(2, "b", B, B + 15, 4)],
            vec![flow(1, "a", B + 15, B + 45, 5)],
        ];
        let mut all = merge(parts);
        order(&mut all);
        let f = all[0].flow.as_ref().unwrap();
        assert_eq!((all.len(), all[0].id), (2, 1));
        assert_eq!((f.start_time, f.end_time, f.packets_in), (B, B + 45, 8));
        assert_eq!(f.source_labels, ["app=a"], "labels every part carries");
    }

    #[test]
    fn the_order_is_total() {
        let mut a = vec![
            flow(3, "c", B, B + 15, 1),
            flow(1, "a", B, B + 15, 1),
            flow(2, "b", B + 15, B + 30, 1),
        ];
        let mut b = a.clone();
        b.reverse();
        order(&mut a);
        order(&mut b);
        assert_eq!(a, b);
        assert_eq!(a.iter().map(|r| r.id).collect::<Vec<_>>(), [2, 1, 3]);
    }
}
