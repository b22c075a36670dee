//! Time maths shared by every query: Prometheus durations, Grafana's step rules and the
//! `$__interval` family of variables.
//!
//! The rules follow Grafana's Prometheus datasource (pkg/promlib): the step is the larger of
//! the minimum step (query or scrape interval) and the range divided by `maxDataPoints`,
//! rounded to a "nice" interval, and never so small that a series exceeds 11000 points.
//! Start and end are rounded down to a multiple of the step so that caching frontends
//! (Thanos, Mimir, Prometheus itself) can reuse results.

use std::time::Duration;

/// Prometheus refuses range queries with more points than this per series.
pub const MAX_POINTS: u64 = 11_000;

/// Parses a Prometheus duration as PromQL writes one: `15s`, `1m30s`, `6h`, `2d`, `500ms`,
/// `1w`, `1y`, units from the largest, each once, above zero (promql-parser's reading).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    // promql-parser also takes a bare number as seconds, panicking on a negative or infinite
    // one, and reads a unit count beyond u32 as 0: neither is a duration here.
    let counts_fit = s
        .split(|c: char| !c.is_ascii_digit())
        .all(|n| n.is_empty() || n.parse::<u32>().is_ok());
    if s.parse::<f64>().is_ok() || !counts_fit {
        return None;
    }
    promql_parser::util::parse_duration(s).ok()
}

/// Formats a duration the way PromQL reads it, largest units first (`90s` is `1m30s`).
pub fn format_duration(d: Duration) -> String {
    promql_parser::util::display_duration(&d)
}

/// Grafana's `RoundInterval`: the nearest "nice" interval below a raw one.
pub fn round_interval(d: Duration) -> Duration {
    const S: u64 = 1_000;
    const M: u64 = 60 * S;
    const H: u64 = 60 * M;
    const D: u64 = 24 * H;
    // (upper bound inclusive, result), both in milliseconds.
    const TABLE: &[(u64, u64)] = &[
        (10, 1),
        (15, 10),
        (35, 20),
        (75, 50),
        (150, 100),
        (350, 200),
        (750, 500),
        (1_500, S),
        (3_500, 2 * S),
        (7_500, 5 * S),
        (12_500, 10 * S),
        (17_500, 15 * S),
        (25_000, 20 * S),
        (45_000, 30 * S),
        (90_000, M),
        (210_000, 2 * M),
        (450_000, 5 * M),
        (750_000, 10 * M),
        (1_050_000, 15 * M),
        (1_500_000, 20 * M),
        (2_700_000, 30 * M),
        (5_400_000, H),
        (9_000_000, 2 * H),
        (16_200_000, 3 * H),
        (32_400_000, 6 * H),
        (86_400_000, 12 * H),
        (604_800_000, D),
        (1_814_400_000, 7 * D),
        (3_628_800_000, 30 * D),
    ];
    let ms = d.as_millis() as u64;
    let rounded = TABLE
        .iter()
        .find(|(max, _)| ms <= *max)
        .map_or(365 * D, |(_, r)| *r);
    Duration::from_millis(rounded)
}

/// A query's time window after Grafana's rules, in milliseconds since the epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
    pub step: Duration,
    /// `$__interval`: the step before the 11000-point guard.
    pub interval: Duration,
}

/// Inputs of the step calculation, as Grafana sends them.
#[derive(Clone, Copy, Debug)]
pub struct StepInput {
    pub from_ms: i64,
    pub to_ms: i64,
    pub interval_ms: i64,
    pub max_data_points: i64,
    /// The query's own minimum step, or else the datasource's scrape interval.
    pub min_step: Duration,
}

impl Window {
    pub fn compute(input: StepInput) -> Window {
        let range_ms = (input.to_ms - input.from_ms).max(1) as u64;
        let points = if input.max_data_points > 0 {
            input.max_data_points as u64
        } else {
            1_500
        };
        let by_points = round_interval(Duration::from_millis(range_ms / points));
        let requested = Duration::from_millis(input.interval_ms.max(0) as u64);
        let interval = by_points
            .max(input.min_step)
            .max(requested)
            .max(Duration::from_millis(1));
        let safe = round_interval(Duration::from_millis(range_ms / MAX_POINTS));
        let mut step = interval.max(safe);
        // Rounding can land just under the guard: never ask for more than 11000 points.
        if range_ms / step.as_millis() as u64 >= MAX_POINTS {
            step = Duration::from_millis(range_ms.div_ceil(MAX_POINTS - 1));
        }
        let step_ms = step.as_millis() as i64;
        Window {
            start_ms: input.from_ms.div_euclid(step_ms) * step_ms,
            end_ms: input.to_ms.div_euclid(step_ms) * step_ms,
            step,
            interval,
        }
    }

    pub fn range(&self) -> Duration {
        Duration::from_millis((self.end_ms - self.start_ms).max(0) as u64)
    }
}

/// Grafana's `$__rate_interval`: max(`$__interval` + scrape interval, 4 × scrape interval).
pub fn rate_interval(interval: Duration, scrape: Duration) -> Duration {
    (interval + scrape).max(4 * scrape)
}

/// Replaces Grafana's built-in interval variables. These values are ours (numbers we
/// formatted), never user text, so a textual substitution cannot change the structure.
pub fn interpolate_builtins(expr: &str, w: &Window, range: Duration, scrape: Duration) -> String {
    let interval = w.interval;
    let rate = rate_interval(interval, scrape);
    let vars: [(&str, String); 7] = [
        ("__interval_ms", interval.as_millis().to_string()),
        ("__interval", format_duration(interval)),
        ("__rate_interval", format_duration(rate)),
        ("__range_ms", range.as_millis().to_string()),
        ("__range_s", range.as_secs().to_string()),
        (
            "__range",
            format_duration(Duration::from_secs(range.as_secs().max(1))),
        ),
        ("__step", format_duration(w.step)),
    ];
    let mut out = expr.to_string();
    // Longest names first so `$__interval` does not eat `$__interval_ms`.
    for (name, value) in &vars {
        out = out.replace(&format!("${{{name}}}"), value);
        out = out.replace(&format!("${name}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_format() {
        let cases = [
            ("15s", 15_000),
            ("1m30s", 90_000),
            ("6h", 21_600_000),
            ("500ms", 500),
            ("2d", 172_800_000),
        ];
        for (text, ms) in cases {
            assert_eq!(
                parse_duration(text),
                Some(Duration::from_millis(ms)),
                "{text}"
            );
        }
        assert_eq!(
            parse_duration(" 1w "),
            Some(Duration::from_secs(7 * 86_400))
        );
        let bad = [
            "",
            "5",
            "s",
            "1x",
            "-1s",
            "1.5s",
            "0s",
            "30s1m",
            "1m1m",
            "-5",
            "NaN",
            "inf",
            "1e400",
            "99999999999s",
            "1h99999999999s",
        ];
        for bad in bad {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_secs(120)), "2m");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1s500ms");
        assert_eq!(format_duration(Duration::from_secs(7 * 86_400)), "1w");
        for text in ["15s", "1m30s", "6h", "500ms", "2d", "1w"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
    }

    #[test]
    fn step_follows_grafana_rules() {
        let hour = 3_600_000;
        // (range, intervalMs, maxDataPoints, min step s, expected step s)
        let cases: [(i64, i64, i64, u64, u64); 4] = [
            (hour, 0, 1_000, 15, 15),           // 3.6 s by points, scrape interval wins
            (hour, 0, 100, 1, 30),              // 36 s rounds to 30 s
            (24 * hour, 60_000, 1_500, 15, 60), // requested interval wins
            (7 * 24 * hour, 0, 100_000, 1, 60), // 11000-point guard: 604.8 s/11000 = 55 s rounds to 1 m
        ];
        for (range, interval_ms, mdp, min_s, want_s) in &cases {
            let w = Window::compute(StepInput {
                from_ms: 1_700_000_000_123,
                to_ms: 1_700_000_000_123 + range,
                interval_ms: *interval_ms,
                max_data_points: *mdp,
                min_step: Duration::from_secs(*min_s),
            });
            assert_eq!(w.step, Duration::from_secs(*want_s), "range {range}");
            assert_eq!(w.start_ms % (*want_s as i64 * 1000), 0, "start aligned");
            assert_eq!(w.end_ms % (*want_s as i64 * 1000), 0, "end aligned");
            assert!((w.end_ms - w.start_ms) / (w.step.as_millis() as i64) < MAX_POINTS as i64);
        }
    }

    #[test]
    fn never_more_than_11000_points() {
        for range_s in [1u64, 59, 3_600, 86_400, 31_536_000] {
            for mdp in [1, 100, 11_000, 1_000_000] {
                let w = Window::compute(StepInput {
                    from_ms: 0,
                    to_ms: (range_s * 1000) as i64,
                    interval_ms: 0,
                    max_data_points: mdp,
                    min_step: Duration::ZERO,
                });
                let points = w.range().as_millis() / w.step.as_millis() + 1;
                assert!(points <= MAX_POINTS as u128, "{range_s}s/{mdp}: {points}");
            }
        }
    }

    #[test]
    fn builtins_interpolate_longest_first() {
        let w = Window {
            start_ms: 0,
            end_ms: 3_600_000,
            step: Duration::from_secs(30),
            interval: Duration::from_secs(30),
        };
        let out = interpolate_builtins(
            "rate(x[$__rate_interval]) $__interval_ms ${__interval} $__range $__range_s",
            &w,
            Duration::from_secs(3600),
            Duration::from_secs(15),
        );
        assert_eq!(out, "rate(x[1m]) 30000 30s 1h 3600");
    }
}
