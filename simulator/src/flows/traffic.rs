//! Who calls whom, how often, and the counts of one 15 s bucket: a pure function of the
//! seed, the pair and the bucket's start, so any bucket can be rebuilt at any time.
//!
//! Per bucket, a pair opens `rate × 15 × u` connections, u uniform in [0.5, 1.5), rounded
//! up or down at random; 6 % of buckets are idle for every pair (and a pair whose count
//! rounds to 0 is idle too). Each connection sends 3..=12 packets of 80..=1400 bytes and
//! gets 3..=20 back. Long-lived pairs (Redis, gRPC) keep `live` connections open.

use super::world::{Endpoint, Workload, GATEWAY_SET};
use crate::prng::{between, hash, unit};

const TAG_IDLE: u64 = 0x61;
const TAG_CONNS: u64 = 0x62;
const TAG_ROUND: u64 = 0x63;
const TAG_PACKETS: u64 = 0x64;
const TAG_SIZE: u64 = 0x65;

/// Goldmane's (and this model's) aggregation window, seconds.
pub const BUCKET_S: i64 = 15;

/// A caller and a callee.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub source: Endpoint,
    pub dest: Endpoint,
    /// New connections per second, on average.
    pub rate: f64,
    /// Connections open all the time.
    pub live: i64,
}

/// What flowed between a pair in one bucket, seen from the caller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub connections: i64,
    pub live: i64,
    pub packets_sent: i64,
    pub bytes_sent: i64,
    pub packets_received: i64,
    pub bytes_received: i64,
}

fn pair(source: Endpoint, dest: Endpoint, rate: f64, live: i64) -> Pair {
    Pair {
        source,
        dest,
        rate,
        live,
    }
}

/// Every pair: the shop's calls, DNS from every workload, Prometheus scraping every
/// service, Whisker reading Goldmane, and each tenant's worker calling its API.
pub fn pairs(workloads: &[Workload]) -> Vec<Pair> {
    let find = |ns: &str, app: &str| {
        workloads
            .iter()
            .position(|w| w.namespace == ns && w.app == app)
            .map(Endpoint::Workload)
    };
    let shop = [
        (None, Some(("frontend", "web")), 20.0, 0),
        (
            Some(("frontend", "web")),
            Some(("checkout", "checkout")),
            5.0,
            0,
        ),
        (
            Some(("frontend", "web")),
            Some(("catalog", "catalog")),
            12.0,
            0,
        ),
        (
            Some(("frontend", "web")),
            Some(("search", "search")),
            6.0,
            0,
        ),
        (
            Some(("checkout", "checkout")),
            Some(("payments", "payments-api")),
            2.0,
            0,
        ),
        (
            Some(("checkout", "checkout")),
            Some(("checkout", "cart")),
            8.0,
            4,
        ),
        (
            Some(("search", "search")),
            Some(("catalog", "catalog")),
            3.0,
            0,
        ),
        (
            Some(("frontend", "web")),
            Some(("payments", "payments-api")),
            0.2,
            0,
        ),
        (
            Some(("catalog", "catalog")),
            Some(("checkout", "checkout")),
            0.1,
            0,
        ),
        (
            Some(("calico-system", "whisker")),
            Some(("calico-system", "goldmane")),
            0.05,
            1,
        ),
    ];
    let mut all: Vec<Pair> = shop
        .iter()
        .filter_map(|(s, d, rate, live)| {
            let source = match s {
                Some((ns, app)) => find(ns, app)?,
                None => Endpoint::Network("pub"),
            };
            let (ns, app) = (*d)?;
            Some(pair(source, find(ns, app)?, *rate, *live))
        })
        .collect();
    if let Some(p) = find(GATEWAY_SET.0, "payments-api") {
        all.push(pair(p, Endpoint::GatewaySet, 1.5, 0));
    }
    if let Some(c) = find("checkout", "checkout") {
        all.push(pair(c, Endpoint::Network("pvt"), 1.0, 2));
    }
    all.extend(dns_and_scrapes(workloads, &find));
    all
}

/// DNS lookups from every workload but CoreDNS, and a scrape of every service every 15 s.
fn dns_and_scrapes(
    workloads: &[Workload],
    find: &dyn Fn(&str, &str) -> Option<Endpoint>,
) -> Vec<Pair> {
    let (Some(dns), Some(prom)) = (
        find("kube-system", "coredns"),
        find("monitoring", "prometheus"),
    ) else {
        return Vec::new();
    };
    let mut all = Vec::new();
    for (i, w) in workloads.iter().enumerate() {
        let me = Endpoint::Workload(i);
        if me != dns {
            all.push(pair(me, dns, 0.5 + (i % 4) as f64, 0));
        }
        if w.namespace.starts_with("tenant-") && w.app == "worker" {
            if let Some(api) = find(&w.namespace, "api") {
                all.push(pair(me, api, 1.0 + (i % 3) as f64, 0));
            }
        }
        // CoreDNS is already a DNS pair of Prometheus': one key per caller and callee.
        if me != prom && me != dns && w.service.is_some() {
            all.push(pair(prom, me, 1.0 / 15.0, 0));
        }
    }
    all
}

/// The counts of pair `index` in the bucket starting at `bucket_start` (Unix seconds), or
/// `None` when it was idle.
pub fn sample(seed: u64, index: usize, pair: &Pair, bucket_start: i64) -> Option<Counts> {
    let b = bucket_start.div_euclid(BUCKET_S) as u64;
    let i = index as u64;
    if unit(seed, &[TAG_IDLE, i, b]) < 0.06 {
        return None;
    }
    let mean = pair.rate * BUCKET_S as f64 * between(seed, &[TAG_CONNS, i, b], 0.5, 1.5);
    let connections = (mean + unit(seed, &[TAG_ROUND, i, b])).floor() as i64;
    if connections == 0 && pair.live == 0 {
        return None;
    }
    let per =
        |tag: u64, lo: u64, hi: u64| lo as i64 + (hash(seed, &[tag, i, b]) % (hi - lo + 1)) as i64;
    let packets_sent = connections.max(1) * per(TAG_PACKETS, 3, 12);
    let packets_received = connections.max(1) * per(TAG_PACKETS + 0x100, 3, 20);
    Some(Counts {
        connections,
        live: pair.live,
        packets_sent,
        bytes_sent: packets_sent * per(TAG_SIZE, 80, 1400),
        packets_received,
        bytes_received: packets_received * per(TAG_SIZE + 0x100, 80, 1400),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::world::workloads;

    #[test]
    fn counts_vary_and_repeat() {
        let w = workloads(42, 3);
        let all = pairs(&w);
        assert!(all.len() > 30, "{}", all.len());
        let at = |b: i64| sample(42, 1, &all[1], b * BUCKET_S);
        assert_eq!(at(1000), at(1000));
        let seen: Vec<_> = (0..200).map(at).collect();
        assert!(seen.iter().any(Option::is_none));
        let distinct: std::collections::HashSet<_> =
            seen.iter().flatten().map(|c| c.bytes_sent).collect();
        assert!(distinct.len() > 100);
    }
}
