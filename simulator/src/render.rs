//! Prometheus text exposition (format 0.0.4) of a `Cluster`.
//!
//! Written straight into one pre-sized String: a 5000-node Felix page is ~30 MB and
//! is scraped every second, so no per-sample allocation.

use crate::cluster::{Cluster, FelixNode, TyphaInstance};
use crate::felix::Summary;
use crate::ipam::UNKNOWN_NODE;
use calicoscope_model::calico::{present, Dataplane, Release};
use std::collections::BTreeMap;
use std::fmt::Write;

/// A sample value: counters and counts stay exact integers.
#[derive(Clone, Copy)]
pub enum Val {
    U(u64),
    F(f64),
}

impl From<u64> for Val {
    fn from(v: u64) -> Val {
        Val::U(v)
    }
}

impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F(v)
    }
}

/// Exposition writer. Families the cluster's Calico release and dataplane do not export
/// (`calicoscope_model::calico`) are dropped with their samples, so each renderer writes
/// every family it knows and the profile decides.
pub struct Expo {
    out: String,
    release: Release,
    dataplane: Dataplane,
    /// The current family is not exported by this profile.
    skipping: bool,
}

impl Expo {
    pub fn for_cluster(c: &Cluster, bytes: usize) -> Expo {
        Expo {
            out: String::with_capacity(bytes),
            release: c.release,
            dataplane: c.dataplane,
            skipping: false,
        }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// HELP and TYPE lines; every family gets exactly one, before its samples.
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        self.skipping = !present(name, self.release, self.dataplane);
        if self.skipping {
            return;
        }
        let _ = writeln!(
            self.out,
            "# HELP {name} {}",
            help.replace('\\', "\\\\").replace('\n', "\\n")
        );
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }

    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Into<Val>) {
        if self.skipping {
            return;
        }
        self.series(name, "", labels, None, value.into());
    }

    /// The five lines of a summary: three quantiles, _sum and _count.
    pub fn summary(&mut self, name: &str, labels: &[(&str, &str)], s: &Summary) {
        if self.skipping {
            return;
        }
        for (q, v) in [("0.5", s.p50), ("0.9", s.p90), ("0.99", s.p99)] {
            self.series(name, "", labels, Some(("quantile", q)), Val::F(v));
        }
        self.series(name, "_sum", labels, None, Val::F(s.sum));
        self.series(name, "_count", labels, None, Val::U(s.count));
    }

    fn series(
        &mut self,
        name: &str,
        suffix: &str,
        labels: &[(&str, &str)],
        extra: Option<(&str, &str)>,
        v: Val,
    ) {
        self.out.push_str(name);
        self.out.push_str(suffix);
        let mut sep = '{';
        for (k, val) in labels.iter().chain(extra.as_ref()) {
            self.out.push(sep);
            self.out.push_str(k);
            self.out.push_str("=\"");
            push_escaped(&mut self.out, val);
            self.out.push('"');
            sep = ',';
        }
        if sep == ',' {
            self.out.push('}');
        }
        self.out.push(' ');
        push_value(&mut self.out, v);
        self.out.push('\n');
    }
}

/// Label value escaping per the exposition format: backslash, quote, newline.
pub fn push_escaped(out: &mut String, value: &str) {
    if !value.bytes().any(|b| matches!(b, b'\\' | b'"' | b'\n')) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

fn push_value(out: &mut String, v: Val) {
    let _ = match v {
        Val::U(u) => {
            push_u64(out, u);
            Ok(())
        }
        Val::F(f) if f.is_nan() => write!(out, "NaN"),
        Val::F(f) if f.is_infinite() => write!(out, "{}Inf", if f > 0.0 { '+' } else { '-' }),
        Val::F(f) if f.fract() == 0.0 && (0.0..1e15).contains(&f) => {
            push_u64(out, f as u64);
            Ok(())
        }
        Val::F(f) if f.fract() == 0.0 && f.abs() < 1e15 => write!(out, "{}", f as i64),
        // Debug switches to exponent form for large and tiny values (1.2089258196146292e24),
        // which Prometheus parses and which keeps the line short.
        Val::F(f) => write!(out, "{f:?}"),
    };
}

/// Decimal digits without going through `fmt` (the hot path of a 20 MB page).
fn push_u64(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

// ---------------------------------------------------------------- kube-controllers

pub fn kube_controllers(c: &Cluster) -> String {
    let mut e = Expo::for_cluster(c, 200 * (c.allocations.len() * 5 + c.blocks.len() + 64));
    ipam_pool_families(&mut e, c);
    ipam_legacy_families(&mut e, c);
    process_families(
        &mut e,
        &[],
        3.0 + c.sim_seconds.max(0.0) * 0.01,
        60_000_000 + c.allocations.len() as u64 * 10_000,
    );
    e.family(
        "process_start_time_seconds",
        "gauge",
        "Start time of the process since unix epoch in seconds.",
    );
    e.sample("process_start_time_seconds", &[], 1_700_000_000u64);
    e.family(
        "go_goroutines",
        "gauge",
        "Number of goroutines that currently exist.",
    );
    e.sample("go_goroutines", &[], 120u64);
    e.finish()
}

fn ipam_pool_families(e: &mut Expo, c: &Cluster) {
    type Field = fn(&crate::cluster::Allocation) -> u64;
    let families: [(&str, &str, &str, Field); 4] = [
        ("ipam_allocations_in_use", "gauge", "IPs currently allocated in IPAM to a workload or tunnel endpoint.", |a| a.in_use),
        ("ipam_allocations_borrowed", "gauge", "IPs currently allocated in IPAM to a workload or tunnel endpoint, where the allocation was borrowed from a block affine to another node.", |a| a.borrowed),
        ("ipam_allocations_gc_candidates", "gauge", "Allocations that are currently marked by the garbage collector as potential candidates to reclaim. Under normal operation, this metric should return to zero after the garbage collector confirms that this allocation can be reclaimed and reclaims it, or the allocation is confirmed as valid.", |a| a.gc_candidates),
        ("ipam_allocations_gc_reclamations", "counter", "The total allocations that have been reclaimed by the garbage collector over time. Under normal operation, this counter should increase, and increases of this counter should align to a return to zero for the candidate gauge.", |a| a.reclamations),
    ];
    for (name, kind, help, field) in families {
        e.family(name, kind, help);
        for a in &c.allocations {
            e.sample(name, &[("ippool", &a.pool), ("node", &a.node)], field(a));
        }
    }
    e.family(
        "ipam_blocks",
        "gauge",
        "IPAM blocks currently allocated for the IP pool.",
    );
    for b in &c.blocks {
        e.sample(
            "ipam_blocks",
            &[("ippool", &b.pool), ("node", &b.node)],
            b.blocks,
        );
    }
    e.family(
        "ipam_ippool_size",
        "gauge",
        "Total number of addresses in the IP Pool",
    );
    for p in &c.pools {
        e.sample("ipam_ippool_size", &[("ippool", &p.name)], p.size);
    }
    e.family(
        "ipam_ippool_reserved",
        "gauge",
        "Number of addresses in the IP Pool that an IPReservation covers, and so cannot be assigned.",
    );
    for p in &c.pools {
        e.sample("ipam_ippool_reserved", &[("ippool", &p.name)], p.reserved);
    }
}

/// The pre-v3.23 per-node families, summed over pools. Blocks without an affinity
/// host (`no_affinity`) and allocations without a node (`unknown_node`) are left out.
fn ipam_legacy_families(e: &mut Expo, c: &Cluster) {
    let mut per_node: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    // Calico leaves allocations without a node out of the legacy families.
    for a in c.allocations.iter().filter(|a| a.node != UNKNOWN_NODE) {
        let entry = per_node.entry(a.node.as_str()).or_default();
        entry.0 += a.in_use;
        entry.1 += a.borrowed;
    }
    let mut blocks: BTreeMap<&str, u64> = BTreeMap::new();
    for b in c.blocks.iter().filter(|b| b.node != "no_affinity") {
        *blocks.entry(b.node.as_str()).or_default() += b.blocks;
    }
    e.family(
        "ipam_allocations_per_node",
        "gauge",
        "Number of IPs allocated",
    );
    for (node, (in_use, _)) in &per_node {
        e.sample("ipam_allocations_per_node", &[("node", node)], *in_use);
    }
    e.family(
        "ipam_allocations_borrowed_per_node",
        "gauge",
        "Number of allocated IPs that are from non-affine blocks.",
    );
    for (node, (_, borrowed)) in &per_node {
        e.sample(
            "ipam_allocations_borrowed_per_node",
            &[("node", node)],
            *borrowed,
        );
    }
    e.family("ipam_blocks_per_node", "gauge", "Number of blocks in IPAM");
    for (node, n) in &blocks {
        e.sample("ipam_blocks_per_node", &[("node", node)], *n);
    }
}

fn process_families(e: &mut Expo, labels: &[(&str, &str)], cpu: f64, rss: u64) {
    e.family(
        "process_cpu_seconds_total",
        "counter",
        "Total user and system CPU time spent in seconds.",
    );
    e.sample("process_cpu_seconds_total", labels, cpu);
    e.family(
        "process_resident_memory_bytes",
        "gauge",
        "Resident memory size in bytes.",
    );
    e.sample("process_resident_memory_bytes", labels, rss);
}

// ---------------------------------------------------------------- Felix

type FelixField = fn(&FelixNode) -> Val;

/// One family with one sample per node, labelled only by `instance`.
fn per_felix(e: &mut Expo, c: &Cluster, name: &str, kind: &str, help: &str, f: FelixField) {
    e.family(name, kind, help);
    for n in &c.felix {
        e.sample(name, &[("instance", &n.instance)], f(n));
    }
}

pub fn felix(c: &Cluster) -> String {
    let mut e = Expo::for_cluster(c, 6500 * c.felix.len() + 4096);
    e.family("felix_host", "gauge", "Configured Felix hostname (as a label), typically used in grouping/aggregating stats; the label defaults to the hostname of the host but can be overridden by configuration. The value of the gauge is always set to 1.");
    for n in &c.felix {
        e.sample(
            "felix_host",
            &[("host", &n.host), ("instance", &n.instance)],
            1u64,
        );
    }
    felix_gauges(&mut e, c);
    felix_summaries(&mut e, c);
    felix_dataplane(&mut e, c);
    felix_iptables(&mut e, c);
    felix_ipsets(&mut e, c);
    felix_nft(&mut e, c);
    felix_bpf(&mut e, c);
    felix_by_release(&mut e, c);
    per_felix(
        &mut e,
        c,
        "process_cpu_seconds_total",
        "counter",
        "Total user and system CPU time spent in seconds.",
        |n| n.cpu_seconds.into(),
    );
    per_felix(
        &mut e,
        c,
        "process_resident_memory_bytes",
        "gauge",
        "Resident memory size in bytes.",
        |n| n.resident_memory_bytes.into(),
    );
    e.finish()
}

fn felix_gauges(e: &mut Expo, c: &Cluster) {
    let families: [(&str, &str, &str, FelixField); 12] = [
        (
            "felix_cluster_num_hosts",
            "gauge",
            "Total number of calico hosts in the cluster.",
            |n| n.cluster_num_hosts.into(),
        ),
        (
            "felix_cluster_num_host_endpoints",
            "gauge",
            "Total number of host endpoints cluster-wide.",
            |n| n.cluster_num_host_endpoints.into(),
        ),
        (
            "felix_cluster_num_workload_endpoints",
            "gauge",
            "Total number of workload endpoints cluster-wide.",
            |n| n.cluster_num_workload_endpoints.into(),
        ),
        (
            "felix_cluster_num_policies",
            "gauge",
            "Total number of policies cluster-wide.",
            |n| n.cluster_num_policies.into(),
        ),
        (
            "felix_cluster_num_profiles",
            "gauge",
            "Total number of profiles cluster-wide.",
            |n| n.cluster_num_profiles.into(),
        ),
        (
            "felix_cluster_num_tiers",
            "gauge",
            "Total number of tiers cluster-wide.",
            |n| n.cluster_num_tiers.into(),
        ),
        (
            "felix_active_local_endpoints",
            "gauge",
            "Number of active endpoints on this host.",
            |n| n.active_local_endpoints.into(),
        ),
        (
            "felix_active_local_policies",
            "gauge",
            "Number of active policies on this host.",
            |n| n.active_local_policies.into(),
        ),
        (
            "felix_active_local_selectors",
            "gauge",
            "Number of active selectors on this host.",
            |n| n.active_local_selectors.into(),
        ),
        (
            "felix_resync_state",
            "gauge",
            "Current datastore state.",
            |n| n.resync_state.into(),
        ),
        (
            "felix_resyncs_started",
            "counter",
            // Felix's own HELP text, copied from felix_resync_state in its source.
            "Current datastore state.",
            |n| n.resyncs_started.into(),
        ),
        (
            "felix_ipsets_total",
            "gauge",
            "Total number of active IP sets.",
            |n| n.ipsets_total.into(),
        ),
    ];
    for (name, kind, help, f) in families {
        per_felix(e, c, name, kind, help, f);
    }
}

fn felix_summaries(e: &mut Expo, c: &Cluster) {
    e.family(
        "felix_calc_graph_update_time_seconds",
        "summary",
        "Seconds to update calculation graph for each datastore OnUpdate call.",
    );
    for n in &c.felix {
        e.summary(
            "felix_calc_graph_update_time_seconds",
            &[("instance", &n.instance)],
            &n.calc_summary(),
        );
    }
    e.family(
        "felix_int_dataplane_apply_time_seconds",
        "summary",
        // Reworded in 3.31, when the initial resync got its own gauge.
        if c.release >= Release(31) {
            "Time in seconds for each incremental update to the dataplane (after the initial resync)."
        } else {
            "Time in seconds that it took to apply a dataplane update."
        },
    );
    for n in &c.felix {
        e.summary(
            "felix_int_dataplane_apply_time_seconds",
            &[("instance", &n.instance)],
            &n.apply_summary(),
        );
    }
}

fn felix_dataplane(e: &mut Expo, c: &Cluster) {
    per_felix(
        e,
        c,
        "felix_int_dataplane_failures",
        "counter",
        "Number of times dataplane updates failed and will be retried.",
        |n| n.failures.into(),
    );
    e.family(
        "felix_int_dataplane_messages",
        "counter",
        "Number dataplane messages by type.",
    );
    for n in &c.felix {
        for m in &n.messages {
            e.sample(
                "felix_int_dataplane_messages",
                &[("instance", &n.instance), ("type", &m.kind)],
                m.count,
            );
        }
    }
}

fn felix_iptables(e: &mut Expo, c: &Cluster) {
    type Count = fn(&crate::cluster::IptablesTable) -> u64;
    let tables: [(&str, &str, &str, Count); 3] = [
        (
            "felix_iptables_chains",
            "gauge",
            "Number of active iptables chains.",
            |t| t.chains,
        ),
        (
            "felix_iptables_rules",
            "gauge",
            "Number of active iptables rules.",
            |t| t.rules,
        ),
        (
            "felix_iptables_lines_executed",
            "counter",
            "Number of iptables rule updates executed.",
            |t| t.rules * 3,
        ),
    ];
    for (name, kind, help, count) in tables {
        e.family(name, kind, help);
        for n in &c.felix {
            for t in &n.iptables {
                let labels = [
                    ("instance", n.instance.as_str()),
                    ("ip_version", &t.ip_version),
                    ("table", &t.table),
                ];
                e.sample(name, &labels, count(t));
            }
        }
    }
    let counters: [(&str, &str, FelixField); 4] = [
        (
            "felix_iptables_restore_calls",
            "Number of iptables-restore calls.",
            |n| n.iptables_restore_calls.into(),
        ),
        (
            "felix_iptables_restore_errors",
            "Number of iptables-restore errors.",
            |n| n.iptables_restore_errors.into(),
        ),
        (
            "felix_iptables_save_calls",
            "Number of iptables-save calls.",
            |n| n.iptables_save_calls.into(),
        ),
        (
            "felix_iptables_save_errors",
            "Number of iptables-save errors.",
            |n| n.iptables_save_errors.into(),
        ),
    ];
    for (name, help, f) in counters {
        per_felix(e, c, name, "counter", help, f);
    }
}

fn felix_ipsets(e: &mut Expo, c: &Cluster) {
    per_felix(
        e,
        c,
        "felix_ipset_calls",
        "counter",
        "Number of ipset commands executed.",
        |n| n.ipset_calls.into(),
    );
    per_felix(
        e,
        c,
        "felix_ipset_errors",
        "counter",
        "Number of ipset command failures.",
        |n| n.ipset_errors.into(),
    );
    e.family(
        "felix_ipsets_calico",
        "gauge",
        "Number of active Calico IP sets.",
    );
    for n in &c.felix {
        e.sample(
            "felix_ipsets_calico",
            &[("instance", &n.instance), ("ip_version", "inet")],
            n.ipsets_calico_v4,
        );
        e.sample(
            "felix_ipsets_calico",
            &[("instance", &n.instance), ("ip_version", "inet6")],
            n.ipsets_calico_v6,
        );
    }
}

/// The nftables families: plain counters on every node (3.29+), table gauges where tables
/// exist. Sets are labelled by nftables family (`inet`, `inet6`).
fn felix_nft(e: &mut Expo, c: &Cluster) {
    type Count = fn(&crate::cluster::NftTable) -> u64;
    let tables: [(&str, &str, Count); 2] = [
        (
            "felix_nft_chains",
            "Number of active nft chains in the Calico table.",
            |t| t.chains,
        ),
        (
            "felix_nft_rules",
            "Number of active nftables rules in the Calico table.",
            |t| t.rules,
        ),
    ];
    for (name, help, count) in tables {
        e.family(name, "gauge", help);
        for n in &c.felix {
            for t in &n.nft {
                e.sample(
                    name,
                    &[("instance", &n.instance), ("ip_version", &t.ip_version)],
                    count(t),
                );
            }
        }
    }
    e.family(
        "felix_nft_sets",
        "gauge",
        "Number of active Calico nftables sets.",
    );
    for n in &c.felix {
        for t in n.nft.iter().filter(|t| t.ip_version != "arp") {
            let family = if t.ip_version == "6" { "inet6" } else { "inet" };
            e.sample(
                "felix_nft_sets",
                &[("instance", &n.instance), ("ip_version", family)],
                t.sets,
            );
        }
    }
    let counters: [(&str, &str, FelixField); 6] = [
        (
            "felix_nft_calls",
            "Number of nft rule write transactions.",
            |n| n.nft_calls.into(),
        ),
        (
            "felix_nft_errors",
            "Number of nft errors when writing rules.",
            |n| n.nft_errors.into(),
        ),
        ("felix_nft_list_calls", "Number of nft list calls.", |n| {
            (n.nft_calls / 10).into()
        }),
        (
            "felix_nft_list_errors",
            "Number of nft list errors.",
            |_| 0u64.into(),
        ),
        (
            "felix_nft_set_calls",
            "Number of nftables set transactions executed.",
            |n| n.nft_set_calls.into(),
        ),
        (
            "felix_nft_set_errors",
            "Number of nftables set transaction failures.",
            |_| 0u64.into(),
        ),
    ];
    for (name, help, f) in counters {
        per_felix(e, c, name, "counter", help, f);
    }
}

/// The eBPF families: plain gauges on every node (0 off BPF); conntrack ones from 3.30.
fn felix_bpf(e: &mut Expo, c: &Cluster) {
    let gauges: [(&str, &str, FelixField); 10] = [
        (
            "felix_bpf_num_ip_sets",
            "Number of BPF IP sets managed in the dataplane.",
            |n| n.bpf.num_ip_sets.into(),
        ),
        (
            "felix_bpf_dataplane_endpoints",
            "Number of BPF endpoints managed in the dataplane.",
            |n| n.bpf.endpoints.into(),
        ),
        (
            "felix_bpf_dirty_dataplane_endpoints",
            "Number of BPF endpoints managed in the dataplane that are left dirty after a failure.",
            |n| n.bpf.dirty_endpoints.into(),
        ),
        (
            "felix_bpf_happy_dataplane_endpoints",
            "Number of BPF endpoints that are successfully programmed.",
            |n| n.bpf.happy_endpoints.into(),
        ),
        (
            "felix_bpf_conntrack_used",
            "Number of used entries visited during a conntrack table sweep",
            |n| n.bpf.conntrack_used.into(),
        ),
        (
            "felix_bpf_conntrack_cleaned",
            "Number of entries cleaned during a conntrack table sweep",
            |n| n.bpf.conntrack_cleaned.into(),
        ),
        (
            "felix_bpf_conntrack_expired",
            "Number of entries cleaned during a conntrack table sweep due to expiration",
            |n| n.bpf.conntrack_expired.into(),
        ),
        (
            "felix_bpf_conntrack_stale_nat",
            "Number of entries cleaned during a conntrack table sweep due to stale NAT",
            |n| n.bpf.conntrack_stale_nat.into(),
        ),
        (
            "felix_bpf_conntrack_sweep_duration",
            "Conntrack sweep execution time (ns)",
            |n| n.bpf.conntrack_sweep_ns.into(),
        ),
        (
            "felix_bpf_conntrack_sweeps",
            "Number of contrack table sweeps made so far",
            |n| n.bpf.conntrack_sweeps.into(),
        ),
    ];
    for (name, help, f) in gauges {
        let kind = if name == "felix_bpf_conntrack_sweeps" {
            "counter"
        } else {
            "gauge"
        };
        per_felix(e, c, name, kind, help, f);
    }
    e.family(
        "felix_bpf_conntrack_maglev_entries_total",
        "gauge",
        "Total number of Maglev entries in conntrack table broken down by IP version, and, whether destination backend is remote (we're acting as a frontend) or local (we're the backend node).",
    );
    for n in &c.felix {
        for (dest, v) in [
            ("local", n.bpf.maglev_local),
            ("remote", n.bpf.maglev_remote),
        ] {
            let labels = [
                ("destination", dest),
                ("instance", n.instance.as_str()),
                ("ip_family", "4"),
            ];
            e.sample("felix_bpf_conntrack_maglev_entries_total", &labels, v);
        }
    }
}

/// Families that mark releases: the iptables lock (until 3.31), the label index (3.27+),
/// the route-table rewrite (3.29), the initial resync gauge (3.31), policy re-evaluation
/// (3.33).
fn felix_by_release(e: &mut Expo, c: &Cluster) {
    let summaries: [(&str, &str, f64); 6] = [
        (
            "felix_iptables_lock_acquire_secs",
            "Time in seconds that it took to acquire the iptables lock(s).",
            0.0002,
        ),
        (
            "felix_route_table_list_seconds",
            "Time taken to list all the interfaces during a resync.",
            0.004,
        ),
        (
            "felix_route_table_per_iface_sync_seconds",
            "Time taken to sync each interface",
            0.0005,
        ),
        (
            "felix_route_table_resync_seconds",
            "Time taken to list all the routes during a resync.",
            0.004,
        ),
        (
            "felix_route_table_partial_resync_seconds",
            "Time taken to resync the routes of a single interface.",
            0.0005,
        ),
        (
            "felix_route_table_conntrack_wait_seconds",
            "Time waiting for conntrack cleanups to finish.",
            0.0001,
        ),
    ];
    for (name, help, p50) in summaries {
        e.family(name, "summary", help);
        for n in &c.felix {
            let s = Summary::shaped(p50, 1.0, n.apply_count / 5 + 1);
            e.summary(name, &[("instance", &n.instance)], &s);
        }
    }
    e.family(
        "felix_iptables_lock_retries",
        "counter",
        "Number of times the iptables lock was held by someone else and we had to retry.",
    );
    for n in &c.felix {
        for version in ["1.4", "1.6"] {
            e.sample(
                "felix_iptables_lock_retries",
                &[("instance", &n.instance), ("version", version)],
                0u64,
            );
        }
    }
    let per_node: [(&str, &str, &str, FelixField); 3] = [
        ("felix_label_index_num_endpoints", "gauge", "Total number of endpoints and similar objects in the index.", |n| (n.cluster_num_workload_endpoints + n.cluster_num_hosts).into()),
        ("felix_int_dataplane_initial_resync_time_seconds", "gauge", "Time in seconds that it took to do the initial resync with the dataplane and bring the dataplane into sync for the first time.", |n| n.initial_resync_seconds.into()),
        ("felix_collector_policy_eval_batches_total", "counter", "Number of time-boxed policy re-evaluation batches processed.", |n| (n.apply_count / 4).into()),
    ];
    for (name, kind, help, f) in per_node {
        per_felix(e, c, name, kind, help, f);
    }
    type Count = fn(&FelixNode) -> u64;
    let tables: [(&str, &str, Count); 2] = [
        (
            "felix_route_table_num_routes",
            "Number of routes that Felix is managing in the particular routing table.",
            |n| n.routes,
        ),
        (
            "felix_route_table_num_ifaces",
            "Number of interfaces that Felix is monitoring for the particular routing table.",
            |n| n.active_local_endpoints + 2,
        ),
    ];
    for (name, help, f) in tables {
        e.family(name, "gauge", help);
        for n in &c.felix {
            e.sample(
                name,
                &[("instance", &n.instance), ("table", "IPv4:254")],
                f(n),
            );
        }
    }
}

// ---------------------------------------------------------------- Typha

type TyphaField = fn(&TyphaInstance) -> Val;
type SyncerField = fn(&crate::cluster::SyncerStats) -> u64;
type TyphaSummary = fn(&TyphaInstance) -> Summary;

pub fn typha(c: &Cluster) -> String {
    let mut e = Expo::for_cluster(c, 6000 * c.typha.len() + 4096);
    let plain: [(&str, &str, &str, TyphaField); 3] = [
        ("typha_connections_active", "gauge", "Number of open client connections, including connections that are still in the handshake.", |t| t.connections_active.into()),
        ("typha_connections_accepted", "counter", "Total number of connections accepted over time.", |t| t.connections_accepted.into()),
        ("typha_connections_dropped", "counter", "Total number of connections dropped due to rebalancing.", |t| t.connections_dropped.into()),
    ];
    for (name, kind, help, f) in plain {
        e.family(name, kind, help);
        for t in &c.typha {
            e.sample(name, &[("instance", &t.instance)], f(t));
        }
    }
    typha_syncer_families(&mut e, c);
    typha_summaries(&mut e, c);
    for (name, kind, help, f) in [
        (
            "process_cpu_seconds_total",
            "counter",
            "Total user and system CPU time spent in seconds.",
            (|t| t.cpu_seconds.into()) as TyphaField,
        ),
        (
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
            |t| t.resident_memory_bytes.into(),
        ),
    ] {
        e.family(name, kind, help);
        for t in &c.typha {
            e.sample(name, &[("instance", &t.instance)], f(t));
        }
    }
    e.finish()
}

fn typha_syncer_families(e: &mut Expo, c: &Cluster) {
    let families: [(&str, &str, &str, SyncerField); 6] = [
        (
            "typha_connections_streaming",
            "gauge",
            "Number of client connections that completed the handshake and are streaming data.",
            |s| s.connections_streaming,
        ),
        (
            "typha_cache_size",
            "gauge",
            "Current number of key/value pairs contained in the cache of the datastore.",
            |s| s.cache_size,
        ),
        (
            "typha_updates_total",
            "counter",
            "Total number of updates received from the Syncer.",
            |s| s.updates_total,
        ),
        (
            "typha_updates_skipped",
            "counter",
            "Total number of updates skipped as duplicates.",
            |s| s.updates_skipped,
        ),
        (
            "typha_snapshot_raw_bytes",
            "gauge",
            "Size of the most recently generated binary snapshot (before compression).",
            |s| s.snapshot_raw_bytes,
        ),
        (
            "typha_snapshot_compressed_bytes",
            "gauge",
            "Size of the most recently generated binary snapshot (after compression).",
            |s| s.snapshot_compressed_bytes,
        ),
    ];
    for (name, kind, help, f) in families {
        e.family(name, kind, help);
        for t in &c.typha {
            for s in &t.syncers {
                e.sample(
                    name,
                    &[("instance", &t.instance), ("syncer", &s.syncer)],
                    f(s),
                );
            }
        }
    }
}

fn typha_summaries(e: &mut Expo, c: &Cluster) {
    let summaries: [(&str, &str, TyphaSummary); 4] = [
        (
            "typha_client_latency_secs",
            "Per-client latency.  I.e. how far behind the current state is each client.",
            TyphaInstance::client_latency,
        ),
        (
            "typha_client_write_latency_secs",
            "Per-client write.  How long each write call is taking.",
            TyphaInstance::client_write_latency,
        ),
        (
            "typha_ping_latency",
            "Round-trip ping latency to client.",
            TyphaInstance::ping_latency,
        ),
        (
            "typha_breadcrumb_size",
            "Number of KVs recorded in each breadcrumb.",
            TyphaInstance::breadcrumb_size,
        ),
    ];
    // Typha keeps one summary per syncer (a const `syncer` label); the simulator gives every
    // syncer of an instance the instance's figures.
    for (name, help, f) in summaries {
        e.family(name, "summary", help);
        for t in &c.typha {
            for syncer in &t.syncers {
                let labels = [
                    ("instance", t.instance.as_str()),
                    ("syncer", &syncer.syncer),
                ];
                e.summary(name, &labels, &f(t));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Scenarios};
    use crate::lint::check_exposition;

    fn all_pages(c: &Cluster) -> [String; 3] {
        [
            c.render_kube_controllers(),
            c.render_felix(),
            c.render_typha(),
        ]
    }

    #[test]
    fn pages_are_valid_exposition() {
        for nodes in [1, 3, 200] {
            for scen in [Scenarios::all(), Scenarios::none()] {
                let mut cfg = Config::demo(nodes);
                cfg.scenarios = scen;
                for page in all_pages(&Cluster::at(&cfg, 5000.0)) {
                    check_exposition(&page).unwrap();
                }
            }
        }
    }

    #[test]
    fn same_seed_same_text_other_seed_other_text() {
        let cfg = Config::demo(50);
        let (a, b) = (Cluster::at(&cfg, 777.0), Cluster::at(&cfg, 777.0));
        assert_eq!(all_pages(&a), all_pages(&b));
        let mut other = cfg.clone();
        other.seed = 43;
        let c = Cluster::at(&other, 777.0);
        let (pa, pc) = (all_pages(&a), all_pages(&c));
        for i in 0..3 {
            assert_ne!(pa[i], pc[i], "page {i}");
        }
    }

    #[test]
    fn exact_names_and_labels() {
        let c = Cluster::at(&Config::demo(10), 3600.0);
        let kc = c.render_kube_controllers();
        assert!(kc.contains("# TYPE ipam_allocations_gc_reclamations counter\n"));
        assert!(!kc.contains("ipam_allocations_gc_reclamations_total"));
        assert!(kc.contains(
            "ipam_allocations_in_use{ippool=\"default-ipv4-ippool\",node=\"node-0001\"} "
        ));
        assert!(
            kc.contains("ipam_ippool_size{ippool=\"default-ipv6-ippool\"} 1.2089258196146292e24\n")
        );
        assert!(kc.contains("ipam_blocks{ippool=\"default-ipv4-ippool\",node=\"no_affinity\"} 2\n"));
        assert!(kc.contains("ipam_blocks{ippool=\"no_ippool\",node=\"node-0003\"} 1\n"));
        let felix = c.render_felix();
        assert!(felix.contains("felix_host{host=\"node-0002\",instance=\"10.128.0.2:9091\"} 1\n"));
        assert!(felix.contains("felix_int_dataplane_apply_time_seconds{instance=\"10.128.0.1:9091\",quantile=\"0.99\"} "));
        assert!(felix.contains(
            "felix_int_dataplane_apply_time_seconds_count{instance=\"10.128.0.1:9091\"} "
        ));
        let typha = c.render_typha();
        assert!(typha.contains("# TYPE typha_updates_total counter\n"));
        assert!(typha.contains(
            "typha_cache_size{instance=\"10.128.0.1:9093\",syncer=\"tunnel-ip-allocation\"} "
        ));
        assert!(typha.contains(
            "typha_ping_latency{instance=\"10.128.0.4:9093\",syncer=\"felix\",quantile=\"0.5\"} "
        ));
    }

    #[test]
    fn values_match_state() {
        let c = Cluster::at(&Config::demo(20), 9000.0);
        let kc = c.render_kube_controllers();
        for a in &c.allocations {
            let line = format!(
                "ipam_allocations_in_use{{ippool=\"{}\",node=\"{}\"}} {}\n",
                a.pool, a.node, a.in_use
            );
            assert!(kc.contains(&line), "{line}");
        }
        let felix = c.render_felix();
        let slow = &c.felix[0];
        let line = format!(
            "felix_int_dataplane_apply_time_seconds{{instance=\"{}\",quantile=\"0.99\"}} {:?}\n",
            slow.instance, slow.apply_p99
        );
        assert!(felix.contains(&line), "{line}");
    }

    #[test]
    fn integers_print_exactly() {
        let mut out = String::new();
        for v in [0, 7, 10, 1234567890, u64::MAX] {
            out.clear();
            push_u64(&mut out, v);
            assert_eq!(out, v.to_string());
        }
    }

    #[test]
    fn each_profile_exports_exactly_its_families() {
        use calicoscope_model::calico::{self, Dataplane, Release};
        for release in Release::all() {
            for dataplane in Dataplane::ALL.into_iter().filter(|d| d.since() <= release) {
                let cfg = Config::profile(5, release, dataplane);
                let [kc, felix, typha] = all_pages(&Cluster::at(&cfg, 4000.0));
                let pages = format!("{kc}{felix}{typha}");
                check_exposition(&felix).unwrap();
                for f in calico::FAMILIES {
                    let has = pages.contains(&format!("# TYPE {} ", f.name));
                    assert_eq!(
                        has,
                        f.present(release, dataplane),
                        "{} on {release} {dataplane}",
                        f.name
                    );
                }
                // Marker gauges are above 0 exactly on their own dataplane's nodes.
                let marker_positive = |d: Dataplane| {
                    let name = d.marker().split('{').next().unwrap();
                    felix.lines().any(|l| {
                        l.starts_with(name)
                            && !l.contains("ip_version=\"arp\"")
                            && !l.ends_with(" 0")
                    })
                };
                for d in Dataplane::ALL {
                    assert_eq!(
                        marker_positive(d),
                        dataplane.programs(d) && d.since() <= release,
                        "{:?} marker on {release} {dataplane}",
                        d
                    );
                }
            }
        }
    }

    #[test]
    fn escapes_label_values() {
        let mut e = Expo::for_cluster(&Cluster::at(&Config::demo(1), 0.0), 64);
        e.family("x", "gauge", "help");
        e.sample("x", &[("a", "q\"b\\s\nn")], 1.5);
        let text = e.finish();
        assert!(text.ends_with("x{a=\"q\\\"b\\\\s\\nn\"} 1.5\n"), "{text}");
        check_exposition(&text).unwrap();
    }

    #[test]
    fn large_cluster_renders_quickly() {
        let cfg = Config::demo(5000);
        let start = std::time::Instant::now();
        let c = Cluster::at(&cfg, 10_000.0);
        let pages = all_pages(&c);
        let took = start.elapsed();
        assert!(pages[1].len() > 1_000_000);
        // Generous bound: tests may run unoptimised on a busy 2-core machine.
        let bound = if cfg!(debug_assertions) { 20_000 } else { 1000 };
        assert!(took.as_millis() < bound, "took {took:?}");
        eprintln!(
            "5000 nodes: build+render {took:?}, felix page {} bytes",
            pages[1].len()
        );
    }
}
