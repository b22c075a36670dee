//! The benches' clock: one run's time, and the median of several. Included like
//! `counting.rs` (`#[path = "common/timing.rs"] mod timing;`).

use std::time::{Duration, Instant};

pub fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

pub fn time(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}
