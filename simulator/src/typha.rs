//! Typha replicas and the Felix/BGP/... clients they fan out to.
//!
//! Rules (t = simulated seconds):
//! - Replicas = min(typha_replicas, nodes); replica r runs on node r x nodes / replicas
//!   (host network, so its instance is that node's IP with port 9093).
//! - Every node keeps one connection per syncer (felix, bgp, tunnel-ip-allocation,
//!   node-status); nodes are shared out evenly, lower replicas take the remainder.
//!   connections_active = 4 x share.
//! - `typha_drops`: replica 0 drops a connection every 120 simulated seconds:
//!   connections_dropped = floor(t / 120); other replicas and the quiet case stay 0.
//!   connections_accepted = connections_active + connections_dropped (clients reconnect).
//! - Cache sizes follow the cluster (endpoints, nodes, blocks); updates_total grows
//!   linearly from the cache size, updates_skipped = updates_total / 20.

use crate::cluster::{
    counter, jitter, node_ip, node_name, Allocation, BlockCount, SyncerStats, TyphaInstance,
};
use crate::config::Config;
use crate::felix::Summary;
use crate::prng::between;

pub const SYNCERS: [&str; 4] = ["felix", "bgp", "tunnel-ip-allocation", "node-status"];

const TAG_LAT: u64 = 0x31;
const TAG_RATE: u64 = 0x32;

fn replicas(cfg: &Config) -> usize {
    cfg.typha_replicas.min(cfg.nodes)
}

fn share(cfg: &Config, r: usize) -> u64 {
    let reps = replicas(cfg);
    (cfg.nodes / reps + usize::from(r < cfg.nodes % reps)) as u64
}

/// Cache sizes per syncer, the same on every replica (each holds the full data set).
fn cache_sizes(cfg: &Config, allocations: &[Allocation], blocks: &[BlockCount]) -> [u64; 4] {
    let nodes = cfg.nodes as u64;
    let endpoints: u64 = allocations.iter().take(cfg.nodes).map(|a| a.in_use).sum();
    let blocks: u64 = blocks.iter().map(|b| b.blocks).sum();
    let pools = cfg.pools.len() as u64;
    [
        endpoints + nodes * 3 + 120,
        nodes * 2 + pools + 5,
        nodes + blocks + pools,
        nodes,
    ]
}

fn syncer_stats(cfg: &Config, r: usize, t: f64, caches: [u64; 4]) -> Vec<SyncerStats> {
    let streaming = share(cfg, r);
    SYNCERS
        .iter()
        .zip(caches)
        .enumerate()
        .map(|(k, (name, cache))| {
            let rate = between(cfg.seed, &[TAG_RATE, r as u64, k as u64], 0.2, 2.0);
            let updates = counter(cache as f64, rate, t);
            SyncerStats {
                syncer: name.to_string(),
                connections_streaming: streaming,
                cache_size: cache,
                updates_total: updates,
                updates_skipped: updates / 20,
                snapshot_raw_bytes: cache * 350,
                snapshot_compressed_bytes: cache * 50,
            }
        })
        .collect()
}

/// A summary with quantiles p50, p50 x 4, p50 x 12 (jittered) and a fixed mean.
fn summary(cfg: &Config, r: usize, tag: u64, p50: f64, count: u64, t: f64) -> Summary {
    Summary::shaped(p50, jitter(cfg.seed, &[TAG_LAT, tag, r as u64], t), count)
}

fn instance(cfg: &Config, r: usize, t: f64, caches: [u64; 4]) -> TyphaInstance {
    let host = r * cfg.nodes / replicas(cfg);
    let conns = share(cfg, r) * SYNCERS.len() as u64;
    let dropped = if cfg.scenarios.typha_drops && r == 0 {
        (t / 120.0).floor() as u64
    } else {
        0
    };
    let syncers = syncer_stats(cfg, r, t, caches);
    let updates: u64 = syncers.iter().map(|s| s.updates_total).sum();
    let client = summary(cfg, r, 1, 0.0004, updates, t);
    let write = summary(cfg, r, 2, 0.0001, updates, t);
    let ping = summary(cfg, r, 3, 0.0008, counter(0.0, conns as f64 / 10.0, t), t);
    let crumbs = summary(cfg, r, 4, 2.0, counter(10.0, 1.0, t), t);
    TyphaInstance {
        instance: format!("{}:9093", node_ip(host)),
        host: node_name(host),
        connections_active: conns,
        connections_accepted: conns + dropped,
        connections_dropped: dropped,
        syncers,
        client_latency_p50: client.p50,
        client_latency_p90: client.p90,
        client_latency_p99: client.p99,
        client_latency_sum: client.sum,
        client_latency_count: client.count,
        client_write_latency_p50: write.p50,
        client_write_latency_p90: write.p90,
        client_write_latency_p99: write.p99,
        client_write_latency_sum: write.sum,
        client_write_latency_count: write.count,
        ping_latency_p50: ping.p50,
        ping_latency_p90: ping.p90,
        ping_latency_p99: ping.p99,
        ping_latency_sum: ping.sum,
        ping_latency_count: ping.count,
        breadcrumb_size_p50: crumbs.p50.round(),
        breadcrumb_size_p90: crumbs.p90.round(),
        breadcrumb_size_p99: crumbs.p99.round(),
        breadcrumb_size_sum: crumbs.sum,
        breadcrumb_size_count: crumbs.count,
        cpu_seconds: 3.0 + t * (0.01 + cfg.nodes as f64 * 0.00002),
        resident_memory_bytes: 40_000_000 + caches[0] * 2_000,
    }
}

pub fn build(
    cfg: &Config,
    t: f64,
    allocations: &[Allocation],
    blocks: &[BlockCount],
) -> Vec<TyphaInstance> {
    let caches = cache_sizes(cfg, allocations, blocks);
    (0..replicas(cfg))
        .map(|r| instance(cfg, r, t, caches))
        .collect()
}

impl TyphaInstance {
    pub fn client_latency(&self) -> Summary {
        Summary {
            p50: self.client_latency_p50,
            p90: self.client_latency_p90,
            p99: self.client_latency_p99,
            sum: self.client_latency_sum,
            count: self.client_latency_count,
        }
    }

    pub fn client_write_latency(&self) -> Summary {
        Summary {
            p50: self.client_write_latency_p50,
            p90: self.client_write_latency_p90,
            p99: self.client_write_latency_p99,
            sum: self.client_write_latency_sum,
            count: self.client_write_latency_count,
        }
    }

    pub fn ping_latency(&self) -> Summary {
        Summary {
            p50: self.ping_latency_p50,
            p90: self.ping_latency_p90,
            p99: self.ping_latency_p99,
            sum: self.ping_latency_sum,
            count: self.ping_latency_count,
        }
    }

    pub fn breadcrumb_size(&self) -> Summary {
        Summary {
            p50: self.breadcrumb_size_p50,
            p90: self.breadcrumb_size_p90,
            p99: self.breadcrumb_size_p99,
            sum: self.breadcrumb_size_sum,
            count: self.breadcrumb_size_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::cluster::Cluster;
    use crate::config::{Config, Scenarios};

    #[test]
    fn connections_cover_every_node() {
        let c = Cluster::at(&Config::demo(200), 0.0);
        assert_eq!(c.typha.len(), 3);
        let felix: u64 = c
            .typha
            .iter()
            .map(|t| t.syncers[0].connections_streaming)
            .sum();
        assert_eq!(felix, 200);
        assert_eq!(c.typha[0].instance, "10.128.0.1:9093");
        assert_eq!(Cluster::at(&Config::demo(2), 0.0).typha.len(), 2);
    }

    #[test]
    fn drops_grow_on_first_replica_only() {
        let cfg = Config::demo(30);
        let (a, b) = (Cluster::at(&cfg, 600.0), Cluster::at(&cfg, 6000.0));
        assert_eq!(a.typha[0].connections_dropped, 5);
        assert_eq!(b.typha[0].connections_dropped, 50);
        assert!(b.typha[1..].iter().all(|t| t.connections_dropped == 0));
        let mut quiet = cfg.clone();
        quiet.scenarios = Scenarios::none();
        assert!(Cluster::at(&quiet, 6000.0)
            .typha
            .iter()
            .all(|t| t.connections_dropped == 0));
    }
}
