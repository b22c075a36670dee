//! One IP pool in plain language: the figures behind the summary sentence and the sentence
//! itself, written once for the CLI report (`gpx_calicoscope report`) and the panel's status
//! line, so both say the same thing about the same pool.

use std::collections::BTreeMap;

use crate::format::{count, percent, plural};
use crate::Family;

/// Past this many days (ten years) a forecast says "not filling up within ten years" rather
/// than a number. Ten years is past any capacity plan, and a rate fitted over hours says
/// nothing that far out; an IPv6 /48 "fills" in about 10^18 days, which is no forecast worth
/// printing. (The CLI report used to wait for 100 years and say "no exhaustion in sight"; the
/// panel's ten years and its wording were kept.)
pub const HORIZON_DAYS: f64 = 3650.0;

/// Addresses that can still be assigned: the CIDR minus what IPReservations cover, minus what
/// is in use. Never below 0 — Calico counts a reserved address that is also allocated in both
/// figures — and NaN stays NaN (no size: the `no_ippool` row).
pub fn free(size: f64, reserved: f64, in_use: f64) -> f64 {
    let free = size - reserved - in_use;
    if free < 0.0 {
        0.0
    } else {
        free
    }
}

/// In use ÷ assignable addresses (0..1): reserved addresses can never be assigned, so they
/// count neither as free nor in the share. Not finite when nothing is assignable.
pub fn utilization(size: f64, reserved: f64, in_use: f64) -> f64 {
    in_use / (size - reserved)
}

/// How soon a pool fills: `full within a day`, `full in about 12 days`,
/// `not filling up within ten years`; `not growing` for `None` (and for a negative or
/// non-finite forecast, which no growth rate gives).
pub fn horizon(days_to_full: Option<f64>) -> String {
    match growing(days_to_full) {
        None => "not growing".into(),
        Some(d) if d < 1.0 => "full within a day".into(),
        Some(d) if d > HORIZON_DAYS => "not filling up within ten years".into(),
        Some(d) => format!("full in about {}", plural(d.round(), "day", "days")),
    }
}

fn growing(days_to_full: Option<f64>) -> Option<f64> {
    days_to_full.filter(|d| d.is_finite() && *d >= 0.0)
}

/// What the summary sentence says about one pool. The CLI report fills it from catalog
/// queries, the panel from the `pools` and `nodes` frames.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSummary<'a> {
    pub name: &'a str,
    pub family: Family,
    /// Addresses an IPReservation covers (0 before Calico 3.33 reports them).
    pub reserved: f64,
    /// See [`free`].
    pub free: f64,
    /// See [`utilization`].
    pub utilization: f64,
    /// `None` when the pool is not growing.
    pub days_to_full: Option<f64>,
    /// Nodes that hold addresses from blocks affine to other nodes.
    pub borrowers: usize,
    /// Addresses the IPAM garbage collector considers leaked (candidates, not yet reclaimed).
    pub leaked: f64,
}

impl PoolSummary<'_> {
    /// `default-ipv4-ippool (IPv4): 88% used, 1,024 addresses free (256 reserved by
    /// IPReservations), full in about 9 days at the current rate. 3 nodes borrow addresses.
    /// 12 addresses look leaked.` Borrowers and leaks are only mentioned when there are any.
    pub fn sentence(&self) -> String {
        let reserved = if self.reserved > 0.0 {
            format!(" ({} reserved by IPReservations)", count(self.reserved))
        } else {
            String::new()
        };
        let mut forecast = horizon(self.days_to_full);
        if growing(self.days_to_full).is_some() {
            forecast.push_str(" at the current rate");
        }
        let mut s = format!(
            "{} ({}): {} used, {} free{reserved}, {forecast}.",
            self.name,
            self.family.label(),
            percent(self.utilization),
            plural(self.free, "address", "addresses"),
        );
        if self.borrowers > 0 {
            let (one, many) = ("node borrows addresses", "nodes borrow addresses");
            s.push_str(&format!(" {}.", plural(self.borrowers as f64, one, many)));
        }
        if self.leaked > 0.0 {
            let (one, many) = ("address looks leaked", "addresses look leaked");
            s.push_str(&format!(" {}.", plural(self.leaked, one, many)));
        }
        s
    }
}

/// The last sample of each series, keyed by `key` of its labels: how an instant query's
/// answer becomes one figure per pool (or per pool and node). Series without a key or without
/// a sample are left out; of two series with the same key, the later one counts (the queries
/// aggregate with `max by`, so there is one).
pub fn last_values<'a, K: Ord>(
    series: impl IntoIterator<Item = (&'a BTreeMap<String, String>, &'a [f64])>,
    key: impl Fn(&'a BTreeMap<String, String>) -> Option<K>,
) -> BTreeMap<K, f64> {
    series
        .into_iter()
        .filter_map(|(labels, values)| Some((key(labels)?, *values.last()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(name: &str) -> PoolSummary<'_> {
        PoolSummary {
            name,
            family: Family::Ipv4,
            reserved: 0.0,
            free: 1024.0,
            utilization: 0.875,
            days_to_full: None,
            borrowers: 0,
            leaked: 0.0,
        }
    }

    #[test]
    fn sentences() {
        let v4 = PoolSummary {
            days_to_full: Some(9.2),
            borrowers: 3,
            leaked: 12.0,
            ..pool("default-ipv4-ippool")
        };
        let v6 = PoolSummary {
            family: Family::Ipv6,
            free: 1.2089258196146292e24 - 500.0,
            utilization: 500.0 / 1.2089258196146292e24,
            days_to_full: Some(1.1e18),
            leaked: 1.0,
            ..pool("default-ipv6-ippool")
        };
        // A /24 reservation in a /19: 7,424 of 7,936 assignable addresses used, 512 free.
        let reserved = PoolSummary {
            family: Family::Unknown,
            reserved: 256.0,
            free: free(8192.0, 256.0, 7424.0),
            utilization: utilization(8192.0, 256.0, 7424.0),
            borrowers: 1,
            ..pool("p")
        };
        let cases = [
            (
                v4,
                "default-ipv4-ippool (IPv4): 88% used, 1,024 addresses free, full in about 9 days \
                 at the current rate. 3 nodes borrow addresses. 12 addresses look leaked.",
            ),
            (
                v6,
                "default-ipv6-ippool (IPv6): <0.1% used, 1.2×10^24 addresses free, not filling up \
                 within ten years at the current rate. 1 address looks leaked.",
            ),
            (
                reserved,
                "p (family unknown): 94% used, 512 addresses free (256 reserved by IPReservations), \
                 not growing. 1 node borrows addresses.",
            ),
            (
                PoolSummary {
                    free: 1.0,
                    utilization: 1.0,
                    days_to_full: Some(0.2),
                    ..pool("full")
                },
                "full (IPv4): 100% used, 1 address free, full within a day at the current rate.",
            ),
        ];
        for (summary, want) in cases {
            assert_eq!(summary.sentence(), want);
        }
    }

    #[test]
    fn horizons() {
        let cases = [
            (None, "not growing"),
            (Some(f64::NAN), "not growing"),
            (Some(f64::INFINITY), "not growing"),
            (Some(-3.0), "not growing"),
            (Some(0.0), "full within a day"),
            (Some(0.99), "full within a day"),
            (Some(1.2), "full in about 1 day"),
            (Some(12.4), "full in about 12 days"),
            (Some(1234.0), "full in about 1,234 days"),
            (Some(HORIZON_DAYS), "full in about 3,650 days"),
            (Some(HORIZON_DAYS + 1.0), "not filling up within ten years"),
            (Some(4.3e9), "not filling up within ten years"),
        ];
        for (days, want) in cases {
            assert_eq!(horizon(days), want, "{days:?}");
        }
    }

    #[test]
    fn free_and_utilization() {
        // (size, reserved, in use) → (free, utilization)
        let cases = [
            ((8192.0, 0.0, 7168.0), (1024.0, 0.875)),
            ((8192.0, 256.0, 7424.0), (512.0, 7424.0 / 7936.0)),
            // A reserved address that is also allocated counts in both: free stops at 0.
            ((256.0, 16.0, 250.0), (0.0, 250.0 / 240.0)),
        ];
        for ((size, reserved, in_use), (want_free, want_share)) in cases {
            assert_eq!(free(size, reserved, in_use), want_free);
            assert_eq!(utilization(size, reserved, in_use), want_share);
        }
        assert!(free(f64::NAN, 0.0, 3.0).is_nan(), "no_ippool has no size");
        assert!(!utilization(16.0, 16.0, 0.0).is_finite());
    }

    #[test]
    fn last_value_per_key() {
        let labels = |pool: &str, node: &str| {
            let mut l = BTreeMap::new();
            l.insert("ippool".to_string(), pool.to_string());
            if !node.is_empty() {
                l.insert("node".to_string(), node.to_string());
            }
            l
        };
        let (a, b, c, none) = (
            labels("a", "n1"),
            labels("b", ""),
            labels("a", "n2"),
            BTreeMap::new(),
        );
        let series: [(&BTreeMap<String, String>, &[f64]); 5] = [
            (&a, &[1.0, 2.0]),
            (&b, &[7.0]),
            (&b, &[]),
            (&none, &[9.0]),
            (&c, &[3.0]),
        ];
        let per_pool = last_values(series, |l| l.get("ippool").cloned());
        assert_eq!(
            per_pool.into_iter().collect::<Vec<_>>(),
            [("a".to_string(), 3.0), ("b".to_string(), 7.0)]
        );
        let per_node = last_values(series, |l| {
            Some((
                l.get("ippool")?.clone(),
                l.get("node").cloned().unwrap_or_default(),
            ))
        });
        assert_eq!(per_node.len(), 3);
        assert_eq!(per_node[&("a".to_string(), "n1".to_string())], 2.0);
        assert_eq!(per_node[&("b".to_string(), String::new())], 7.0);
    }
}
