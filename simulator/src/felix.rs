//! Felix (calico-node) metrics for every node.
//!
//! Rules (t = simulated seconds; "j" = a per-node multiplier in [0.9, 1.1) that changes
//! every 30 simulated seconds, applied to all three quantiles so p50 <= p90 <= p99):
//! - Local endpoints = primary-pool in_use - 1 (the tunnel address). Cluster gauges are
//!   the same on every node: hosts = nodes, workload endpoints = sum of local endpoints,
//!   host endpoints 0, tiers 3, policies 30..60 and profiles 25..45 fixed per seed.
//! - Dataplane apply time: normal nodes p50 5..15 ms, p90 = p50 x 2..3, p99 = p90 x
//!   1.5..2.5 (tens of ms). With `slow_felix` the first node (node-0001) has p50
//!   0.3..0.5 s, p90 1.2..1.8 s, p99 3..6 s, and its failures counter, iptables restore
//!   errors and ipset errors grow by one every 1800 s, 3600 s and 7200 s respectively.
//!   apply_count = 20..70 + t x 0.2..0.6 per second; apply_sum = apply_count x a fixed
//!   per-node mean, so both counters only grow.
//! - resync_state is 3 (in sync), resyncs_started 1.

use crate::cluster::{
    counter, jitter, node_ip, node_name, Allocation, BpfStats, FelixNode, IptablesTable,
    MessageCount, NftTable,
};
use crate::config::Config;
use crate::ipam::primary_pool;
use crate::prng::{between, hash};
use calicoscope_model::calico::{Dataplane, Release};

const TAG_APPLY: u64 = 0x21;
const TAG_CALC: u64 = 0x22;
const TAG_RATE: u64 = 0x23;
const TAG_CLUSTER: u64 = 0x24;
const TAG_PROC: u64 = 0x25;
const TAG_BPF: u64 = 0x26;

/// Quantiles and running totals of one summary.
pub struct Summary {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub sum: f64,
    pub count: u64,
}

impl Summary {
    /// Quantiles p50, p50 × 4, p50 × 12 scaled by `jitter`, and a fixed mean of p50 × 1.5,
    /// so that `_sum` grows with `_count` as a real summary's does.
    pub fn shaped(p50: f64, jitter: f64, count: u64) -> Summary {
        Summary {
            p50: p50 * jitter,
            p90: p50 * 4.0 * jitter,
            p99: p50 * 12.0 * jitter,
            sum: count as f64 * p50 * 1.5,
            count,
        }
    }
}

/// Figures every Felix reports identically.
struct ClusterView {
    hosts: u64,
    workload_endpoints: u64,
    policies: u64,
    profiles: u64,
}

fn cluster_view(cfg: &Config, local: &[u64]) -> ClusterView {
    ClusterView {
        hosts: cfg.nodes as u64,
        workload_endpoints: local.iter().sum(),
        policies: 30 + hash(cfg.seed, &[TAG_CLUSTER, 1]) % 31,
        profiles: 25 + hash(cfg.seed, &[TAG_CLUSTER, 2]) % 21,
    }
}

fn is_slow(cfg: &Config, node: usize) -> bool {
    cfg.scenarios.slow_felix && node == 0
}

fn apply_time(cfg: &Config, node: usize, t: f64) -> Summary {
    let n = node as u64;
    let (p50, p90, p99) = if is_slow(cfg, node) {
        let r = |k, lo, hi| between(cfg.seed, &[TAG_APPLY, n, k], lo, hi);
        (r(1, 0.3, 0.5), r(2, 1.2, 1.8), r(3, 3.0, 6.0))
    } else {
        let p50 = between(cfg.seed, &[TAG_APPLY, n, 1], 0.005, 0.015);
        let p90 = p50 * between(cfg.seed, &[TAG_APPLY, n, 2], 2.0, 3.0);
        (
            p50,
            p90,
            p90 * between(cfg.seed, &[TAG_APPLY, n, 3], 1.5, 2.5),
        )
    };
    let j = jitter(cfg.seed, &[TAG_APPLY, n], t);
    let base = between(cfg.seed, &[TAG_RATE, n, 1], 20.0, 70.0);
    let count = counter(base, between(cfg.seed, &[TAG_RATE, n, 2], 0.2, 0.6), t);
    Summary {
        p50: p50 * j,
        p90: p90 * j,
        p99: p99 * j,
        sum: count as f64 * p50 * 1.3,
        count,
    }
}

fn calc_time(cfg: &Config, node: usize, t: f64) -> Summary {
    let n = node as u64;
    let p50 = between(cfg.seed, &[TAG_CALC, n], 0.0001, 0.0003);
    let j = jitter(cfg.seed, &[TAG_CALC, n], t);
    let count = counter(100.0, between(cfg.seed, &[TAG_RATE, n, 3], 1.0, 3.0), t);
    Summary::shaped(p50, j, count)
}

fn messages(cfg: &Config, node: usize, t: f64) -> Vec<MessageCount> {
    let rate = |k| between(cfg.seed, &[TAG_RATE, node as u64, k], 0.05, 0.3);
    let kinds = [
        ("ActivePolicyUpdate", 40.0, rate(4)),
        ("IPSetDeltaUpdate", 30.0, rate(5)),
        ("InSync", 1.0, 0.0),
        ("WorkloadEndpointUpdate", 20.0, rate(6)),
    ];
    kinds
        .iter()
        .map(|&(kind, base, r)| MessageCount {
            kind: kind.to_string(),
            count: counter(base, r, t),
        })
        .collect()
}

/// The iptables tables a node programs: its own on the iptables dataplane (and BPF, whose
/// default backend is iptables), empty cleanup tables on nftables nodes of 3.31–3.32.
fn iptables(cfg: &Config, endpoints: u64) -> Vec<IptablesTable> {
    if cfg.dataplane.programs(Dataplane::Iptables) {
        return iptables_tables(endpoints);
    }
    let mut tables = iptables_tables(0);
    for t in &mut tables {
        (t.chains, t.rules) = (0, 0);
    }
    tables
}

/// The nftables tables, as [`iptables`] for nftables: the node's own, empty cleanup root
/// tables (3.31+), and from 3.32 the `calico-arp` table on every node.
fn nft(cfg: &Config, endpoints: u64, ipsets: u64) -> Vec<NftTable> {
    let own = cfg.dataplane == Dataplane::Nftables;
    let mut out: Vec<NftTable> = [("4", 0), ("6", 2)]
        .iter()
        .map(|&(v, fewer)| {
            let chains = if own { 70 + endpoints * 2 - fewer } else { 0 };
            NftTable {
                ip_version: v.to_string(),
                chains,
                rules: chains * 6 + 4 * u64::from(own),
                sets: if own { ipsets } else { 0 },
            }
        })
        .collect();
    if cfg.release >= Release(32) {
        out.push(NftTable {
            ip_version: "arp".to_string(),
            chains: 2,
            rules: 3,
            sets: 0,
        });
    }
    out
}

fn bpf(cfg: &Config, n: usize, t: f64, endpoints: u64, slow: bool) -> BpfStats {
    if cfg.dataplane != Dataplane::Bpf {
        return BpfStats::default();
    }
    let node = n as u64;
    let j = jitter(cfg.seed, &[TAG_BPF, node], t);
    // Workload interfaces, the host's own and the tunnel device.
    let all = endpoints + 2;
    let dirty = u64::from(slow);
    let used = (between(cfg.seed, &[TAG_BPF, node, 1], 2_000.0, 8_000.0) * j) as u64;
    let cleaned = (used as f64 * 0.04) as u64;
    BpfStats {
        num_ip_sets: 10 + endpoints / 2,
        endpoints: all,
        dirty_endpoints: dirty,
        happy_endpoints: all - dirty,
        conntrack_used: used,
        conntrack_cleaned: cleaned,
        conntrack_expired: cleaned * 3 / 4,
        conntrack_stale_nat: cleaned - cleaned * 3 / 4,
        conntrack_sweeps: counter(1.0, 0.1, t),
        conntrack_sweep_ns: (used as f64 * 900.0 * j) as u64,
        maglev_local: 0,
        maglev_remote: 0,
    }
}

fn iptables_tables(endpoints: u64) -> Vec<IptablesTable> {
    let mut out = Vec::with_capacity(8);
    for (ip_version, extra) in [("4", 0), ("6", 2)] {
        for (table, chains) in [
            ("filter", 40 + endpoints * 2),
            ("mangle", 10),
            ("nat", 15),
            ("raw", 8),
        ] {
            let chains = chains - extra.min(chains);
            out.push(IptablesTable {
                ip_version: ip_version.to_string(),
                table: table.to_string(),
                chains,
                rules: chains * 6 + 4,
            });
        }
    }
    out
}

fn errors_every(slow: bool, period: f64, t: f64) -> u64 {
    if slow {
        (t / period).floor() as u64
    } else {
        0
    }
}

fn node(cfg: &Config, n: usize, t: f64, local: u64, view: &ClusterView) -> FelixNode {
    let apply = apply_time(cfg, n, t);
    let calc = calc_time(cfg, n, t);
    let slow = is_slow(cfg, n);
    let policies = 10 + local / 3 + hash(cfg.seed, &[TAG_CLUSTER, 3, n as u64]) % 5;
    let ipsets = 10 + policies / 2;
    FelixNode {
        host: node_name(n),
        instance: format!("{}:9091", node_ip(n)),
        cluster_num_hosts: view.hosts,
        cluster_num_workload_endpoints: view.workload_endpoints,
        cluster_num_host_endpoints: 0,
        cluster_num_policies: view.policies,
        cluster_num_profiles: view.profiles,
        cluster_num_tiers: 3,
        active_local_endpoints: local,
        active_local_policies: policies,
        active_local_selectors: policies * 2 + 3,
        resync_state: 3,
        resyncs_started: 1,
        apply_p50: apply.p50,
        apply_p90: apply.p90,
        apply_p99: apply.p99,
        apply_sum: apply.sum,
        apply_count: apply.count,
        failures: errors_every(slow, 1800.0, t),
        messages: messages(cfg, n, t),
        calc_p50: calc.p50,
        calc_p90: calc.p90,
        calc_p99: calc.p99,
        calc_sum: calc.sum,
        calc_count: calc.count,
        iptables_restore_calls: if cfg.dataplane.programs(Dataplane::Iptables) {
            apply.count
        } else {
            0
        },
        iptables_restore_errors: if cfg.dataplane.programs(Dataplane::Iptables) {
            errors_every(slow, 3600.0, t)
        } else {
            0
        },
        iptables_save_calls: apply.count / 10 + 1,
        iptables_save_errors: 0,
        iptables: iptables(cfg, local),
        ipset_calls: if cfg.dataplane.programs(Dataplane::Iptables) {
            apply.count * 2
        } else {
            0
        },
        ipset_errors: if cfg.dataplane.programs(Dataplane::Iptables) {
            errors_every(slow, 7200.0, t)
        } else {
            0
        },
        ipsets_calico_v4: ipsets,
        ipsets_calico_v6: ipsets,
        ipsets_total: ipsets * 2 + 8,
        nft: nft(cfg, local, ipsets),
        nft_calls: if cfg.dataplane == Dataplane::Nftables {
            apply.count
        } else {
            0
        },
        nft_errors: if cfg.dataplane == Dataplane::Nftables {
            errors_every(slow, 3600.0, t)
        } else {
            0
        },
        nft_set_calls: if cfg.dataplane == Dataplane::Nftables {
            apply.count
        } else {
            0
        },
        bpf: bpf(cfg, n, t, local, slow),
        initial_resync_seconds: between(cfg.seed, &[TAG_RATE, n as u64, 7], 0.5, 3.0)
            * if slow { 10.0 } else { 1.0 },
        routes: local + 3,
        cpu_seconds: 5.0 + t * between(cfg.seed, &[TAG_PROC, n as u64], 0.02, 0.06),
        resident_memory_bytes: 80_000_000 + local * 200_000,
    }
}

pub fn build(cfg: &Config, t: f64, allocations: &[Allocation]) -> Vec<FelixNode> {
    let first = primary_pool(cfg) * cfg.nodes;
    let local: Vec<u64> = allocations[first..first + cfg.nodes]
        .iter()
        .map(|a| a.in_use.saturating_sub(1))
        .collect();
    let view = cluster_view(cfg, &local);
    (0..cfg.nodes)
        .map(|n| node(cfg, n, t, local[n], &view))
        .collect()
}

impl FelixNode {
    pub fn apply_summary(&self) -> Summary {
        Summary {
            p50: self.apply_p50,
            p90: self.apply_p90,
            p99: self.apply_p99,
            sum: self.apply_sum,
            count: self.apply_count,
        }
    }

    pub fn calc_summary(&self) -> Summary {
        Summary {
            p50: self.calc_p50,
            p90: self.calc_p90,
            p99: self.calc_p99,
            sum: self.calc_sum,
            count: self.calc_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::cluster::Cluster;
    use crate::config::{Config, Scenarios};

    #[test]
    fn slow_node_is_the_first() {
        let c = Cluster::at(&Config::demo(50), 4000.0);
        assert!(c.felix[0].apply_p99 >= 2.5, "{}", c.felix[0].apply_p99);
        assert!(c.felix[0].failures >= 2);
        for f in &c.felix[1..] {
            assert!(f.apply_p99 < 0.2 && f.apply_p99 >= 0.01, "{}", f.apply_p99);
            assert_eq!(f.failures, 0);
        }
        let mut cfg = Config::demo(50);
        cfg.scenarios = Scenarios::none();
        assert!(Cluster::at(&cfg, 4000.0).felix[0].apply_p99 < 0.2);
    }

    #[test]
    fn quantiles_ordered_and_counters_grow() {
        let cfg = Config::demo(30);
        let mut last = Cluster::at(&cfg, 0.0);
        for step in 1..100 {
            let now = Cluster::at(&cfg, step as f64 * 45.0);
            for (a, b) in now.felix.iter().zip(&last.felix) {
                assert!(a.apply_p50 <= a.apply_p90 && a.apply_p90 <= a.apply_p99);
                assert!(a.calc_p50 <= a.calc_p90 && a.calc_p90 <= a.calc_p99);
                assert!(a.apply_count >= b.apply_count && a.apply_sum >= b.apply_sum);
                assert!(a.calc_count >= b.calc_count && a.calc_sum >= b.calc_sum);
                assert!(a.cpu_seconds >= b.cpu_seconds && a.failures >= b.failures);
            }
            last = now;
        }
    }

    #[test]
    fn cluster_gauges_agree_with_ipam() {
        let cfg = Config::demo(40);
        let c = Cluster::at(&cfg, 100.0);
        let endpoints: u64 = c.felix.iter().map(|f| f.active_local_endpoints).sum();
        assert!(c
            .felix
            .iter()
            .all(|f| f.cluster_num_workload_endpoints == endpoints && f.cluster_num_hosts == 40));
        assert_eq!(c.felix[3].instance, "10.128.0.4:9091");
        assert_eq!(c.felix[3].host, "node-0004");
    }
}
