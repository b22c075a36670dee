//! Goldmane's memory: 242 buckets of 15 s of wall-clock time (about an hour), the newest
//! being the last one completed. Buckets are not stored: the flow model rebuilds any of
//! them from its start time, so a bucket's flows are the same whenever it is read.

use crate::flows::{Model, Tally, BUCKET_S};
use calicoscope_goldmane::v3_32::Flow;
use std::time::{SystemTime, UNIX_EPOCH};
use tonic::Status;

/// Buckets kept, as Calico's Goldmane keeps them.
pub const BUCKETS: i64 = 242;

/// The flow model behind a clock.
pub struct Store {
    pub model: Model,
}

/// A time range resolved to bucket starts: `gte <= start < lt`, within the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub first: i64,
    /// One past the last bucket start.
    pub end: i64,
}

/// One flow key over a range: the sum of its buckets.
#[derive(Clone, Debug)]
pub struct Aggregate {
    pub series: usize,
    pub flow: Flow,
}

/// Wall-clock Unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The start of the newest completed bucket at `now`.
pub fn newest_bucket(now: i64) -> i64 {
    now.div_euclid(BUCKET_S) * BUCKET_S - BUCKET_S
}

/// The start of the oldest bucket kept at `now`.
pub fn oldest_bucket(now: i64) -> i64 {
    newest_bucket(now) - (BUCKETS - 1) * BUCKET_S
}

/// A request's time as Goldmane reads it: 0 is `zero`, a negative value is relative to now.
fn absolute(t: i64, now: i64, zero: i64) -> i64 {
    match t {
        0 => zero,
        t if t < 0 => now.saturating_add(t),
        t => t,
    }
}

/// List's, FilterHints' and Statistics' range: `gte` 0 is the oldest bucket, `lt` 0 now.
pub fn range(gte: i64, lt: i64, now: i64) -> Result<Range, Status> {
    let (gte, lt) = (
        absolute(gte, now, oldest_bucket(now)),
        absolute(lt, now, now),
    );
    if gte >= lt {
        // Calico's wording (and its field name), a plain error: gRPC code Unknown.
        return Err(Status::unknown(format!(
            "startTimeGt ({gte}) must be less than startTimeLt ({lt})"
        )));
    }
    Ok(clip(gte, lt, now))
}

/// The buckets kept whose start lies in [gte, lt).
pub fn clip(gte: i64, lt: i64, now: i64) -> Range {
    let first = round_up(gte).max(oldest_bucket(now));
    let end = round_up(lt).min(newest_bucket(now) + BUCKET_S);
    Range {
        first,
        end: end.max(first),
    }
}

fn round_up(t: i64) -> i64 {
    t.div_euclid(BUCKET_S) * BUCKET_S
        + if t.rem_euclid(BUCKET_S) == 0 {
            0
        } else {
            BUCKET_S
        }
}

impl Range {
    /// Bucket starts, oldest first.
    pub fn starts(self) -> impl Iterator<Item = i64> {
        (self.first..self.end).step_by(BUCKET_S as usize)
    }
}

impl Store {
    /// Series `index` summed over `range`; `None` if it carried nothing there.
    pub fn aggregate(&self, index: usize, range: Range) -> Option<Aggregate> {
        let mut sum = Tally::default();
        let mut span: Option<(i64, i64)> = None;
        for start in range.starts() {
            if let Some(t) = self.model.tally(index, start) {
                sum += t;
                let first = span.map_or(start, |s| s.0);
                span = Some((first, start + BUCKET_S));
            }
        }
        let (start, end) = span?;
        let flow = self.model.series[index].flow(start, end, sum);
        Some(Aggregate {
            series: index,
            flow,
        })
    }

    /// Every series passing `keep`, summed over `range`, in series order.
    pub fn aggregates(&self, range: Range, keep: impl Fn(usize) -> bool) -> Vec<Aggregate> {
        (0..self.model.series.len())
            .filter(|&i| keep(i))
            .filter_map(|i| self.aggregate(i, range))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_resolve_as_goldmanes() {
        let now = 1_764_000_007; // 7 s into a bucket
        let newest = 1_763_999_985;
        assert_eq!(newest_bucket(now), newest);
        let all = range(0, 0, now).unwrap();
        assert_eq!((all.first, all.end), (oldest_bucket(now), newest + 15));
        assert_eq!(all.starts().count(), BUCKETS as usize);
        let last_minute = range(-60, 0, now).unwrap();
        // Buckets starting at or after now - 60 s: 955, 970 and 985.
        assert_eq!(last_minute.starts().count(), 3);
        let err = range(-60, -120, now).unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unknown);
        assert_eq!(
            err.message(),
            "startTimeGt (1763999947) must be less than startTimeLt (1763999887)"
        );
        // Long ago: an empty range, not an error.
        assert_eq!(range(100, 200, now).unwrap().starts().count(), 0);
    }
}
