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
/// default) and the absolute bounds within which a split point may fall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub gte: i64,
    pub lt: i64,
    lo: i64,
    hi: i64,
}

/// Bucket starts: `anchor - k * step` for whole `k`. Learned from flows of one answer, whose
/// start and end times are bucket boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    anchor: i64,
    step: i64,
}

impl Grid {
    /// The boundaries the flows' times share (the newest start, the greatest common step);
    /// `None` without flows.
    pub fn of(flows: &[FlowResult]) -> Option<Grid> {
        let times: Vec<(i64, i64)> = flows
            .iter()
            .filter_map(|r| r.flow.as_ref())
            .map(|f| (f.start_time, f.end_time))
            .collect();
        let anchor = times.iter().map(|t| t.0).max()?;
        let step = times
            .iter()
            .fold(0, |g, &(s, e)| gcd(gcd(g, e - s), anchor - s));
        (step > 0).then_some(Grid { anchor, step })
    }
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

impl Span {
    /// The range of a request, with `now` (this machine's clock) for relative times. The
    /// newest bucket start bounds it above: no split point lies beyond a flow's start.
    pub fn of(gte: i64, lt: i64, now: i64, grid: Grid, kept: i64) -> Span {
        let absolute = |t: i64, zero: i64| match t {
            0 => zero,
            t if t < 0 => now + t,
            t => t,
        };
        Span {
            gte,
            lt,
            lo: absolute(gte, grid.anchor - kept),
            hi: absolute(lt, now).min(grid.anchor + 1),
        }
    }

    /// Two parts cut at the bucket start nearest the middle, or `None` when no bucket start
    /// lies strictly inside (one bucket alone is too large).
    pub fn halves(self, grid: Grid) -> Option<(Span, Span)> {
        let middle = self.lo + (self.hi - self.lo) / 2;
        let below = grid.anchor - (grid.anchor - middle).div_euclid(grid.step) * grid.step;
        let cut = [below, below - grid.step, below + grid.step]
            .into_iter()
            .filter(|&b| self.lo < b && b < self.hi)
            .min_by_key(|b| (b - middle).abs())?;
        let left = Span {
            lt: cut,
            hi: cut,
            ..self
        };
        let right = Span {
            gte: cut,
            lo: cut,
            ..self
        };
        Some((left, right))
    }
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
    fn the_grid_is_the_buckets_the_flows_share() {
        let flows = [flow(1, "a", B + 30, B + 45, 1), flow(2, "b", B, B + 45, 1)];
        assert_eq!(
            Grid::of(&flows),
            Some(Grid {
                anchor: B + 30,
                step: 15
            })
        );
        // One flow over three buckets: a coarser grid, every point still a bucket start.
        let one = Grid::of(&flows[1..]).unwrap();
        assert_eq!(
            one,
            Grid {
                anchor: B,
                step: 45
            }
        );
        assert_eq!(Grid::of(&[]), None);
    }

    #[test]
    fn halves_cut_at_a_bucket_start_inside_the_range() {
        let grid = Grid {
            anchor: B + 600,
            step: 15,
        };
        let span = Span::of(B - 1, B + 1000, 0, grid, 3600);
        assert_eq!(
            (span.lo, span.hi),
            (B - 1, B + 601),
            "no cut past the newest start"
        );
        let (left, right) = span.halves(grid).unwrap();
        assert_eq!(
            (left.gte, left.lt, right.gte, right.lt),
            (B - 1, B + 300, B + 300, B + 1000)
        );
        // Relative and default times keep their meaning in the outer parts.
        let now = B + 700;
        let (left, right) = Span::of(-3600, 0, now, grid, 3600).halves(grid).unwrap();
        assert_eq!((left.gte, right.lt), (-3600, 0));
        assert_eq!(left.lt, right.gte);
        assert_eq!((B + 600 - left.lt) % 15, 0);
        // A part of one bucket cannot be cut.
        let one = Span {
            gte: B,
            lt: B + 15,
            lo: B,
            hi: B + 15,
        };
        assert_eq!(one.halves(grid), None);
        let two = Span {
            gte: B,
            lt: B + 30,
            lo: B,
            hi: B + 30,
        };
        let (l, r) = two.halves(grid).unwrap();
        assert_eq!((l.lt, r.gte), (B + 15, B + 15));
    }

    #[test]
    fn merged_parts_are_one_answer() {
        let parts = vec![
            vec![flow(1, "a", B, B + 15, 3), flow(2, "b", B, B + 15, 4)],
            vec![flow(1, "a", B + 15, B + 45, 5)],
        ];
        let mut all = merge(parts);
        order(&mut all);
        let f = all[1].flow.as_ref().unwrap();
        assert_eq!((all.len(), all[1].id), (2, 1));
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
