//! The simulated cluster state at one instant of simulated time.
//!
//! `Cluster::at(cfg, t)` is a pure function: no hidden state, so the HTTP server can
//! rebuild the cluster for every request and tests can predict it from `/state`.

use crate::config::Config;
use crate::{felix, ipam, typha};
use calicoscope_model::calico::{Dataplane, Release};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Cluster {
    pub sim_seconds: f64,
    /// The release and dataplane whose metric families the pages carry.
    pub release: Release,
    pub dataplane: Dataplane,
    pub pools: Vec<PoolState>,
    /// One row per node x pool, pools in config order, nodes ascending.
    pub allocations: Vec<Allocation>,
    /// `ipam_blocks` series; only non-zero counts (Calico does not seed this metric).
    pub blocks: Vec<BlockCount>,
    pub felix: Vec<FelixNode>,
    pub typha: Vec<TyphaInstance>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PoolState {
    pub name: String,
    /// "ipv4" or "ipv6"
    pub family: String,
    pub cidr: String,
    pub block_size: u8,
    /// 2^(bits - prefix)
    pub size: f64,
    /// Addresses an IPReservation covers: never assigned.
    pub reserved: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Allocation {
    pub pool: String,
    pub node: String,
    pub in_use: u64,
    pub borrowed: u64,
    pub gc_candidates: u64,
    pub reclamations: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BlockCount {
    /// A pool name, or "no_ippool" for blocks outside every current pool.
    pub pool: String,
    /// The affinity host, or "no_affinity".
    pub node: String,
    pub blocks: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MessageCount {
    #[serde(rename = "type")]
    pub kind: String,
    pub count: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct IptablesTable {
    /// "4" or "6", as Felix labels it.
    pub ip_version: String,
    pub table: String,
    pub chains: u64,
    pub rules: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NftTable {
    /// "4", "6" or "arp", as Felix labels chains and rules.
    pub ip_version: String,
    pub chains: u64,
    pub rules: u64,
    /// Sets of the table; Felix labels them "inet"/"inet6" (none for "arp").
    pub sets: u64,
}

/// The eBPF dataplane's figures; 0 on nodes of other dataplanes, where Felix still
/// exports the plain gauges.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct BpfStats {
    pub num_ip_sets: u64,
    pub endpoints: u64,
    pub dirty_endpoints: u64,
    pub happy_endpoints: u64,
    pub conntrack_used: u64,
    pub conntrack_cleaned: u64,
    pub conntrack_expired: u64,
    pub conntrack_stale_nat: u64,
    pub conntrack_sweeps: u64,
    pub conntrack_sweep_ns: u64,
    pub maglev_local: u64,
    pub maglev_remote: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FelixNode {
    pub host: String,
    /// Host-network address and Felix port, "10.128.x.y:9091".
    pub instance: String,
    pub cluster_num_hosts: u64,
    pub cluster_num_workload_endpoints: u64,
    pub cluster_num_host_endpoints: u64,
    pub cluster_num_policies: u64,
    pub cluster_num_profiles: u64,
    pub cluster_num_tiers: u64,
    pub active_local_endpoints: u64,
    pub active_local_policies: u64,
    pub active_local_selectors: u64,
    /// 1 waiting, 2 resyncing, 3 in sync
    pub resync_state: u64,
    pub resyncs_started: u64,
    pub apply_p50: f64,
    pub apply_p90: f64,
    pub apply_p99: f64,
    pub apply_sum: f64,
    pub apply_count: u64,
    pub failures: u64,
    pub messages: Vec<MessageCount>,
    pub calc_p50: f64,
    pub calc_p90: f64,
    pub calc_p99: f64,
    pub calc_sum: f64,
    pub calc_count: u64,
    pub iptables_restore_calls: u64,
    pub iptables_restore_errors: u64,
    pub iptables_save_calls: u64,
    pub iptables_save_errors: u64,
    pub iptables: Vec<IptablesTable>,
    pub ipset_calls: u64,
    pub ipset_errors: u64,
    pub ipsets_calico_v4: u64,
    pub ipsets_calico_v6: u64,
    pub ipsets_total: u64,
    /// nftables tables: the node's own on the nftables dataplane, empty cleanup tables
    /// elsewhere from 3.31, the `arp` table everywhere from 3.32.
    pub nft: Vec<NftTable>,
    pub nft_calls: u64,
    pub nft_errors: u64,
    pub nft_set_calls: u64,
    pub bpf: BpfStats,
    /// Seconds the first dataplane sync took (3.31+).
    pub initial_resync_seconds: f64,
    /// Routes Felix manages in the main table ("IPv4:254").
    pub routes: u64,
    pub cpu_seconds: f64,
    pub resident_memory_bytes: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SyncerStats {
    /// "felix", "bgp", "tunnel-ip-allocation" or "node-status"
    pub syncer: String,
    pub connections_streaming: u64,
    pub cache_size: u64,
    pub updates_total: u64,
    pub updates_skipped: u64,
    pub snapshot_raw_bytes: u64,
    pub snapshot_compressed_bytes: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TyphaInstance {
    /// Host-network address of the node running this replica, "10.128.x.y:9093".
    pub instance: String,
    pub host: String,
    pub connections_active: u64,
    pub connections_accepted: u64,
    pub connections_dropped: u64,
    pub syncers: Vec<SyncerStats>,
    pub client_latency_p50: f64,
    pub client_latency_p90: f64,
    pub client_latency_p99: f64,
    pub client_latency_sum: f64,
    pub client_latency_count: u64,
    pub client_write_latency_p50: f64,
    pub client_write_latency_p90: f64,
    pub client_write_latency_p99: f64,
    pub client_write_latency_sum: f64,
    pub client_write_latency_count: u64,
    pub ping_latency_p50: f64,
    pub ping_latency_p90: f64,
    pub ping_latency_p99: f64,
    pub ping_latency_sum: f64,
    pub ping_latency_count: u64,
    pub breadcrumb_size_p50: f64,
    pub breadcrumb_size_p90: f64,
    pub breadcrumb_size_p99: f64,
    pub breadcrumb_size_sum: f64,
    pub breadcrumb_size_count: u64,
    pub cpu_seconds: f64,
    pub resident_memory_bytes: u64,
}

/// Node names are `node-0001`, `node-0002`, ... (1-based, zero-padded to 4 digits).
pub fn node_name(index: usize) -> String {
    format!("node-{:04}", index + 1)
}

/// Host-network IP of a node: 10.128.(i / 250).(i % 250 + 1), outside every demo pool.
pub fn node_ip(index: usize) -> String {
    format!("10.128.{}.{}", index / 250, index % 250 + 1)
}

/// Whether node `index` takes part in a scenario that picks "every stride-th node":
/// `index % s == offset % s` with `s = min(stride, nodes)`, so small clusters still
/// get at least one such node.
pub fn picked(index: usize, nodes: usize, stride: usize, offset: usize) -> bool {
    let s = stride.min(nodes).max(1);
    index % s == offset % s
}

/// Slowly varying multiplier in [0.9, 1.1) for gauges: changes every 30 simulated
/// seconds, so frozen time (speed 0) gives constant values.
pub fn jitter(seed: u64, parts: &[u64], t: f64) -> f64 {
    let epoch = (t.max(0.0) / 30.0) as u64;
    let mut all = parts.to_vec();
    all.push(epoch);
    crate::prng::between(seed, &all, 0.9, 1.1)
}

/// A counter growing at `rate` per simulated second from `base`; monotonic in t.
pub fn counter(base: f64, rate: f64, t: f64) -> u64 {
    (base + rate * t.max(0.0)).floor() as u64
}

impl Cluster {
    pub fn at(cfg: &Config, sim_seconds: f64) -> Cluster {
        let t = sim_seconds.max(0.0);
        let ipam = ipam::build(cfg, t);
        let felix = felix::build(cfg, t, &ipam.allocations);
        let typha = typha::build(cfg, t, &ipam.allocations, &ipam.blocks);
        Cluster {
            sim_seconds,
            release: cfg.release,
            dataplane: cfg.dataplane,
            pools: ipam.pools,
            allocations: ipam.allocations,
            blocks: ipam.blocks,
            felix,
            typha,
        }
    }

    pub fn render_kube_controllers(&self) -> String {
        crate::render::kube_controllers::page(self)
    }

    pub fn render_felix(&self) -> String {
        crate::render::felix::page(self)
    }

    pub fn render_typha(&self) -> String {
        crate::render::typha::page(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ips() {
        assert_eq!(node_name(0), "node-0001");
        assert_eq!(node_name(4999), "node-5000");
        assert_eq!(node_ip(0), "10.128.0.1");
        assert_eq!(node_ip(4999), "10.128.19.250");
    }

    #[test]
    fn picked_covers_small_clusters() {
        assert!(picked(0, 1, 20, 1));
        assert!((0..3).any(|i| picked(i, 3, 25, 4)));
        assert_eq!((0..200).filter(|&i| picked(i, 200, 20, 1)).count(), 10);
    }

    #[test]
    fn counters_are_monotonic() {
        let mut last = 0;
        for i in 0..1000 {
            let v = counter(3.0, 0.37, i as f64 * 1.7);
            assert!(v >= last);
            last = v;
        }
    }

    #[test]
    fn state_round_trips_through_json() {
        let c = Cluster::at(&Config::demo(20), 1234.0);
        let json = serde_json::to_string(&c).unwrap();
        let back: Cluster = serde_json::from_str(&json).unwrap();
        // Integers compare exactly; floats may differ in the last bit after parsing.
        assert_eq!(back.allocations, c.allocations);
        assert_eq!(back.blocks, c.blocks);
        assert_eq!(back.felix.len(), c.felix.len());
        assert_eq!(back.typha.len(), c.typha.len());
    }
}
