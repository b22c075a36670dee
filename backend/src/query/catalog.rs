//! The catalog of named Calico queries: what a platform engineer asks, as correct PromQL.
//!
//! Templates use Calico's own label names (`ippool`, `node`); the rewriter renames them to the
//! configured names and adds filters. Three rules hold in every IPAM entry (see
//! shared/reference/calico-metrics.md):
//! - one pool at a time: pools of different address families are never summed together;
//! - `no_ippool` (blocks in no current pool) is excluded from pool figures;
//! - series are de-duplicated with `max by (ippool, node)` before summing, so two jobs
//!   scraping the same calico-kube-controllers do not double the numbers.
//!
//! Felix and Typha have no node label; per-node Felix entries map `instance` to the hostname
//! through `felix_host`. Summary quantiles are never averaged: `max` across nodes.
//!
//! Variables: `$__rate_interval`, `$__range` (Grafana's), `$window` (forecast window
//! setting), `$res` (the forecast subquery's resolution: the scrape interval, coarser for
//! windows longer than 1,440 scrapes), `$block` (addresses per block).

use calicoscope_model::calico::{self, Dataplane, Release};
use calicoscope_model::topology::{self, field};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    KubeControllers,
    Felix,
    Typha,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub component: Component,
    /// A Grafana unit id (`percent`, `short`, `s`, `ops`, `d`).
    pub unit: &'static str,
    /// Default legend, in Grafana's `{{label}}` format.
    pub legend: &'static str,
    /// Labels a user may add to the `by (...)` clauses.
    pub group_by: &'static [&'static str],
    /// The metric family this entry reads that not every Calico release or dataplane
    /// exports (see `calicoscope_model::calico`); empty when every cluster has it. When the
    /// answer is empty and the family is absent, the query says so in a notice.
    pub needs: &'static str,
    /// The dataplane whose nodes this entry reads (`$nodes` in the template); `None` for
    /// every node.
    pub dataplane: Option<Dataplane>,
    #[serde(skip)]
    pub query: Query,
}

/// What an entry runs: the two kinds of catalog entries.
#[derive(Clone, Copy, Debug)]
pub enum Query {
    /// One PromQL template, run as a range or an instant query.
    Expr(&'static str),
    /// Named PromQL templates, each run as an instant query at the range's end, whose
    /// answers are assembled into tables (`frames::topology`, the panel's IPAM topology).
    Tables(&'static [(&'static str, &'static str)]),
}

impl Query {
    /// The templates with their part names ("" for a one-expression entry).
    pub fn templates(&self) -> Vec<(&'static str, &'static str)> {
        match *self {
            Query::Expr(t) => vec![("", t)],
            Query::Tables(parts) => parts.to_vec(),
        }
    }
}

/// Maps a per-instance Felix expression to the node's hostname.
macro_rules! by_host {
    ($inner:literal) => {
        concat!(
            "(",
            $inner,
            ") * on (instance) group_left (host) max by (instance, host) (felix_host)"
        )
    };
}

/// In-use addresses per pool and node, de-duplicated across scrape jobs.
macro_rules! in_use {
    () => {
        "max by (ippool, node) (ipam_allocations_in_use{ippool!=\"no_ippool\"})"
    };
}

macro_rules! pool_in_use {
    () => {
        concat!("sum by (ippool) (", in_use!(), ")")
    };
}

/// Addresses IPReservations cover per pool; 0 where Calico (before 3.33) does not report them.
macro_rules! reserved {
    () => {
        "(max by (ippool) (ipam_ippool_reserved) or 0 * max by (ippool) (ipam_ippool_size))"
    };
}

/// Addresses of each pool that can be assigned: the CIDR less reserved addresses.
macro_rules! assignable {
    () => {
        concat!("(max by (ippool) (ipam_ippool_size) - ", reserved!(), ")")
    };
}

/// Days until each pool is full at the growth rate fitted over the forecast window.
macro_rules! days_to_full {
    () => {
        concat!(
            "clamp_min(",
            assignable!(),
            " - ",
            pool_in_use!(),
            ", 0) / (deriv((",
            pool_in_use!(),
            ")[$window:$res]) * 86400 > 0)"
        )
    };
}

/// The topology's parts, one instant query each: per pool, or per pool and node. Unlike the
/// other IPAM entries they keep `no_ippool` (orphan blocks are a row of the panel) and
/// `no_affinity`; each de-duplicates across scrape jobs with `max by`.
const TOPOLOGY_PARTS: &[(&str, &str)] = &[
    (field::SIZE, "max by (ippool) (ipam_ippool_size)"),
    // Calico 3.33+; absent before, which reads as 0 reserved.
    (field::RESERVED, "max by (ippool) (ipam_ippool_reserved)"),
    (
        field::IN_USE,
        "max by (ippool, node) (ipam_allocations_in_use)",
    ),
    (
        field::BORROWED,
        "max by (ippool, node) (ipam_allocations_borrowed)",
    ),
    (
        field::LEAKED,
        "max by (ippool, node) (ipam_allocations_gc_candidates)",
    ),
    (field::BLOCKS, "max by (ippool, node) (ipam_blocks)"),
    (field::DAYS_TO_FULL, days_to_full!()),
];

macro_rules! entry {
    ($id:literal, $component:ident, $unit:literal, $legend:literal, [$($g:literal),*], $title:literal, $description:literal, $template:expr) => {
        entry!($id, $component, $unit, $legend, [$($g),*], $title, $description, needs "", $template)
    };
    ($id:literal, $component:ident, $unit:literal, $legend:literal, [$($g:literal),*], $title:literal, $description:literal, needs $needs:literal, $template:expr) => {
        entry!(@ $id, $component, $unit, $legend, [$($g),*], $title, $description, $needs, None, $template)
    };
    ($id:literal, $component:ident, $unit:literal, $legend:literal, [$($g:literal),*], $title:literal, $description:literal, needs $needs:literal, on $dp:ident, $template:expr) => {
        entry!(@ $id, $component, $unit, $legend, [$($g),*], $title, $description, $needs, Some(Dataplane::$dp), $template)
    };
    (@ $id:literal, $component:ident, $unit:literal, $legend:literal, [$($g:literal),*], $title:literal, $description:literal, $needs:literal, $dp:expr, $template:expr) => {
        Entry {
            id: $id,
            title: $title,
            description: $description,
            component: Component::$component,
            unit: $unit,
            legend: $legend,
            group_by: &[$($g),*],
            needs: $needs,
            dataplane: $dp,
            query: Query::Expr($template),
        }
    };
}

pub static CATALOG: &[Entry] = &[
    // ---- IPAM (calico-kube-controllers) ----
    Entry {
        id: topology::QUERY,
        title: "IPAM topology (tables for the Calicoscope panel)",
        description: "Pools and, per pool, nodes with blocks, capacity, addresses in use, borrowed and leaked: the data behind the topology view and the summary sentence.",
        component: Component::KubeControllers,
        unit: "short",
        legend: "",
        group_by: &[],
        needs: "",
        dataplane: None,
        query: Query::Tables(TOPOLOGY_PARTS),
    },
    entry!("ipam_pool_utilization", KubeControllers, "percent", "{{ippool}}", [],
        "Pool utilization",
        "Share of each IP pool's assignable addresses in use, per pool (never mixing IPv4 and IPv6); addresses an IPReservation covers are not assignable (reported from Calico 3.33 on).",
        concat!("100 * ", pool_in_use!(), " / ", assignable!())),
    entry!("ipam_pool_free", KubeControllers, "short", "{{ippool}}", [],
        "Free addresses per pool",
        "Addresses of each pool that can still be assigned: neither allocated to a workload or tunnel nor covered by an IPReservation (reported from Calico 3.33 on; a reserved address that is also allocated counts twice, so this is a lower bound).",
        concat!("clamp_min(", assignable!(), " - ", pool_in_use!(), ", 0)")),
    entry!("ipam_pool_size", KubeControllers, "short", "{{ippool}}", [],
        "Pool size",
        "Addresses in each pool's CIDR.",
        "max by (ippool) (ipam_ippool_size)"),
    entry!("ipam_pool_reserved", KubeControllers, "short", "{{ippool}}", [],
        "Reserved addresses per pool",
        "Addresses of each pool that an IPReservation covers, and so cannot be assigned.",
        needs "ipam_ippool_reserved",
        "max by (ippool) (ipam_ippool_reserved)"),
    entry!("ipam_pool_in_use", KubeControllers, "short", "{{ippool}}", [],
        "Addresses in use per pool",
        "Allocated addresses per pool, de-duplicated across scrape jobs.",
        pool_in_use!()),
    entry!("ipam_node_in_use", KubeControllers, "short", "{{node}}", ["ippool"],
        "Addresses in use per node",
        "Allocated addresses per node (all pools, or per pool with group-by ippool).",
        concat!("sum by (node) (", in_use!(), ")")),
    entry!("ipam_node_borrowed", KubeControllers, "short", "{{node}}", ["ippool"],
        "Borrowed addresses per node",
        "Addresses a node took from blocks affine to other nodes (its own blocks were full).",
        "sum by (node) (max by (ippool, node) (ipam_allocations_borrowed{ippool!=\"no_ippool\"}))"),
    entry!("ipam_borrowing_nodes", KubeControllers, "short", "{{ippool}}", [],
        "Nodes borrowing per pool",
        "How many nodes hold borrowed addresses, per pool.",
        "count by (ippool) (max by (ippool, node) (ipam_allocations_borrowed{ippool!=\"no_ippool\"}) > 0)"),
    entry!("ipam_node_blocks", KubeControllers, "short", "{{node}}", ["ippool"],
        "Blocks per node",
        "IPAM blocks affine to each node.",
        "sum by (node) (max by (ippool, node) (ipam_blocks{ippool!=\"no_ippool\", node!=\"no_affinity\"}))"),
    entry!("ipam_pool_blocks", KubeControllers, "short", "{{ippool}}", [],
        "Blocks per pool",
        "IPAM blocks carved from each pool, affine or not.",
        "sum by (ippool) (max by (ippool, node) (ipam_blocks{ippool!=\"no_ippool\"}))"),
    entry!("ipam_block_fill", KubeControllers, "percent", "{{node}} {{ippool}}", [],
        "Block fill per node",
        "Share of the addresses in a node's own blocks that are in use (borrowed ones excluded).",
        concat!("100 * (", in_use!(),
            " - max by (ippool, node) (ipam_allocations_borrowed{ippool!=\"no_ippool\"}))",
            " / (max by (ippool, node) (ipam_blocks{ippool!=\"no_ippool\", node!=\"no_affinity\"}) * $block)")),
    entry!("ipam_leaked", KubeControllers, "short", "{{ippool}}", [],
        "Leaked addresses per pool",
        "Addresses the IPAM garbage collector thinks are leaked (gc candidates); should return to 0.",
        "sum by (ippool) (max by (ippool, node) (ipam_allocations_gc_candidates{ippool!=\"no_ippool\"}))"),
    entry!("ipam_leaking_nodes", KubeControllers, "short", "{{node}} {{ippool}}", [],
        "Nodes with leaked addresses",
        "Nodes and pools with gc candidates right now.",
        "max by (ippool, node) (ipam_allocations_gc_candidates{ippool!=\"no_ippool\"}) > 0"),
    entry!("ipam_reclamation_rate", KubeControllers, "ops", "{{ippool}}", ["node"],
        "Leak reclamations per second",
        "Leaked addresses the garbage collector reclaimed, per second, per pool.",
        "sum by (ippool) (max by (ippool, node) (rate(ipam_allocations_gc_reclamations[$__rate_interval])))"),
    entry!("ipam_reclaimed_in_range", KubeControllers, "short", "{{ippool}}", ["node"],
        "Leaks reclaimed in the time range",
        "Leaked addresses reclaimed over the dashboard's time range.",
        "sum by (ippool) (max by (ippool, node) (increase(ipam_allocations_gc_reclamations[$__range])))"),
    entry!("ipam_orphan_blocks", KubeControllers, "short", "{{node}}", [],
        "Orphan blocks (no_ippool)",
        "Blocks that belong to no current IP pool, e.g. after a pool was deleted (stale series can outlive them, calico#8562).",
        "sum by (node) (max by (ippool, node) (ipam_blocks{ippool=\"no_ippool\"}))"),
    entry!("ipam_unaffine_blocks", KubeControllers, "short", "{{ippool}}", [],
        "Blocks without affinity",
        "Blocks affine to no node (no_affinity), per pool.",
        "sum by (ippool) (max by (ippool, node) (ipam_blocks{ippool!=\"no_ippool\", node=\"no_affinity\"}))"),
    entry!("ipam_days_to_exhaustion", KubeControllers, "d", "{{ippool}}", [],
        "Days until the pool is full",
        "Free (assignable) addresses divided by the growth rate fitted over the forecast window; absent when the pool is not growing.",
        days_to_full!()),
    entry!("ipam_pool_forecast_7d", KubeControllers, "percent", "{{ippool}}", [],
        "Pool utilization in 7 days",
        "Utilization of the assignable addresses a week from now if the growth of the forecast window continues.",
        concat!("100 * predict_linear((", pool_in_use!(), ")[$window:$res], 604800) / ", assignable!())),
    entry!("ipam_figures_age", KubeControllers, "s", "last IPAM figures", [],
        "Age of the IPAM figures",
        "Seconds since calico-kube-controllers last reported pool figures, over the range (to the query's interval): a scrape interval when it reports; a cluster that stopped keeps growing (the fleet report names it). With a cluster label, one series per cluster.",
        "time() - max_over_time(max(timestamp(ipam_ippool_size))[$__range:$__interval])"),
    entry!("ipam_node_in_use_legacy", KubeControllers, "short", "{{node}}", [],
        "Addresses in use per node (legacy metric)",
        "For Calico before v3.23, which has no per-pool metrics.",
        "max by (node) (ipam_allocations_per_node)"),
    // ---- Felix ----
    entry!("felix_apply_p99_by_node", Felix, "s", "{{host}}", [],
        "Dataplane apply p99 per node",
        "99th percentile time Felix takes to apply a dataplane update, per node (hostname).",
        by_host!("max by (instance) (felix_int_dataplane_apply_time_seconds{quantile=\"0.99\"})")),
    entry!("felix_apply_p99_worst", Felix, "s", "worst node", [],
        "Dataplane apply p99, worst node",
        "The slowest node's 99th percentile apply time (quantiles cannot be averaged).",
        "max(felix_int_dataplane_apply_time_seconds{quantile=\"0.99\"})"),
    entry!("felix_apply_mean", Felix, "s", "mean", [],
        "Dataplane apply mean",
        "Mean apply time across the cluster, from the summary's sum and count.",
        "sum(max by (instance) (rate(felix_int_dataplane_apply_time_seconds_sum[$__rate_interval]))) / sum(max by (instance) (rate(felix_int_dataplane_apply_time_seconds_count[$__rate_interval])))"),
    entry!("felix_dataplane_failures", Felix, "ops", "{{host}}", [],
        "Dataplane failures per node",
        "Failed dataplane updates per second, per node.",
        by_host!("max by (instance) (rate(felix_int_dataplane_failures[$__rate_interval]))")),
    entry!("felix_dataplane_nodes", Felix, "short", "{{dataplane}}", [],
        "Felix nodes per dataplane",
        "How many Felix nodes run each dataplane (iptables, nftables, bpf), told apart by which tables they program.",
        "$dataplane_nodes"),
    entry!("felix_initial_resync_time", Felix, "s", "{{host}}", [],
        "Initial dataplane resync per node",
        "Seconds Felix took to bring the dataplane into sync for the first time after it started (Calico 3.31+).",
        needs "felix_int_dataplane_initial_resync_time_seconds",
        by_host!("max by (instance) (felix_int_dataplane_initial_resync_time_seconds)")),
    // ---- Felix, iptables tables (the iptables dataplane, and BPF nodes' iptables backend) ----
    entry!("felix_iptables_nodes", Felix, "short", "nodes programming iptables", [],
        "Felix nodes programming iptables",
        "Felix nodes with Calico rules in iptables: the iptables dataplane, and eBPF nodes on the iptables backend.",
        needs "", on Iptables,
        "count($nodes)"),
    entry!("felix_iptables_errors", Felix, "ops", "{{host}}", [],
        "iptables errors per node",
        "iptables-restore and iptables-save errors per second, per node programming iptables.",
        needs "", on Iptables,
        by_host!("(max by (instance) (rate(felix_iptables_restore_errors[$__rate_interval])) + max by (instance) (rate(felix_iptables_save_errors[$__rate_interval])) and on (instance) $nodes)")),
    entry!("felix_ipset_errors", Felix, "ops", "{{host}}", [],
        "ipset errors per node",
        "ipset command errors per second, per node programming iptables.",
        needs "", on Iptables,
        by_host!("(max by (instance) (rate(felix_ipset_errors[$__rate_interval])) and on (instance) $nodes)")),
    entry!("felix_iptables_rules", Felix, "short", "{{host}}", [],
        "iptables rules per node",
        "Rules in Calico's iptables chains, all tables and IP versions, per node.",
        needs "felix_iptables_rules", on Iptables,
        by_host!("(sum by (instance) (max by (instance, ip_version, table) ($marker)) and on (instance) $nodes)")),
    entry!("felix_iptables_lock_p99", Felix, "s", "{{host}}", [],
        "iptables lock wait p99 per node",
        "99th percentile time to acquire the iptables lock, per node (Calico before 3.32, which removed the lock).",
        needs "felix_iptables_lock_acquire_secs", on Iptables,
        by_host!("(max by (instance) (felix_iptables_lock_acquire_secs{quantile=\"0.99\"}) and on (instance) $nodes)")),
    // ---- Felix, nftables dataplane (3.29+) ----
    entry!("felix_nft_nodes", Felix, "short", "nodes on nftables", [],
        "Felix nodes on nftables",
        "Felix nodes with Calico rules in nftables (FelixConfiguration spec.nftablesMode, Calico 3.29+).",
        needs "", on Nftables,
        "count($nodes)"),
    entry!("felix_nft_errors", Felix, "ops", "{{host}}", [],
        "nftables errors per node",
        "nft rule writes, lists and set transactions that failed, per second, per nftables node.",
        needs "felix_nft_errors", on Nftables,
        by_host!("(max by (instance) (rate(felix_nft_errors[$__rate_interval])) + max by (instance) (rate(felix_nft_list_errors[$__rate_interval])) + max by (instance) (rate(felix_nft_set_errors[$__rate_interval])) and on (instance) $nodes)")),
    entry!("felix_nft_writes", Felix, "ops", "{{host}}", [],
        "nftables transactions per node",
        "nft rule write transactions per second, per nftables node.",
        needs "felix_nft_calls", on Nftables,
        by_host!("(max by (instance) (rate(felix_nft_calls[$__rate_interval])) and on (instance) $nodes)")),
    entry!("felix_nft_rules", Felix, "short", "{{host}}", [],
        "nftables rules per node",
        "Rules in Calico's nftables table (IPv4 and IPv6), per node.",
        needs "felix_nft_rules", on Nftables,
        // `$marker`: felix_nft_rules without the `arp` table every 3.32+ node has.
        by_host!("(sum by (instance) (max by (instance, ip_version) ($marker)) and on (instance) $nodes)")),
    entry!("felix_nft_sets", Felix, "short", "{{host}}", [],
        "nftables sets per node",
        "Calico's nftables sets (IPv4 and IPv6), per node.",
        needs "felix_nft_sets", on Nftables,
        by_host!("(sum by (instance) (max by (instance, ip_version) (felix_nft_sets)) and on (instance) $nodes)")),
    // ---- Felix, eBPF dataplane ----
    entry!("felix_bpf_nodes", Felix, "short", "nodes on eBPF", [],
        "Felix nodes on eBPF",
        "Felix nodes with BPF programs attached (FelixConfiguration spec.bpfEnabled).",
        needs "", on Bpf,
        "count($nodes)"),
    entry!("felix_bpf_endpoints", Felix, "short", "{{host}}", [],
        "BPF endpoints per node",
        "Interfaces with BPF programs attached, per eBPF node.",
        needs "", on Bpf,
        by_host!("(max by (instance) (felix_bpf_dataplane_endpoints) and on (instance) $nodes)")),
    entry!("felix_bpf_dirty_endpoints", Felix, "short", "{{host}}", [],
        "BPF endpoints left dirty per node",
        "BPF endpoints left dirty after a failed update; should return to 0.",
        needs "", on Bpf,
        by_host!("(max by (instance) (felix_bpf_dirty_dataplane_endpoints) and on (instance) $nodes)")),
    entry!("felix_bpf_conntrack_used", Felix, "short", "{{host}}", [],
        "BPF conntrack entries per node",
        "Entries in use in the BPF conntrack table at the last sweep, per eBPF node (Calico 3.30+).",
        needs "felix_bpf_conntrack_used", on Bpf,
        by_host!("(max by (instance) (felix_bpf_conntrack_used) and on (instance) $nodes)")),
    entry!("felix_bpf_conntrack_sweep", Felix, "s", "{{host}}", [],
        "BPF conntrack sweep time per node",
        "Time the last BPF conntrack sweep took, per eBPF node (Calico 3.30+; Felix reports nanoseconds).",
        needs "felix_bpf_conntrack_sweep_duration", on Bpf,
        by_host!("(max by (instance) (felix_bpf_conntrack_sweep_duration) / 1e9 and on (instance) $nodes)")),
    entry!("felix_bpf_conntrack_cleaned", Felix, "short", "{{host}}", [],
        "BPF conntrack entries cleaned per sweep",
        "Entries the last BPF conntrack sweep removed (expired or stale NAT), per eBPF node (Calico 3.30+).",
        needs "felix_bpf_conntrack_cleaned", on Bpf,
        by_host!("(max by (instance) (felix_bpf_conntrack_cleaned) and on (instance) $nodes)")),
    entry!("felix_resync_state", Felix, "short", "{{host}}", [],
        "Resync state per node",
        "1 waiting, 2 resyncing, 3 in sync.",
        by_host!("max by (instance) (felix_resync_state)")),
    entry!("felix_nodes_not_in_sync", Felix, "short", "nodes not in sync", [],
        "Nodes not in sync",
        "How many Felix instances are not in sync with the datastore.",
        "sum(max by (instance) (felix_resync_state) != bool 3)"),
    entry!("felix_resync_churn", Felix, "ops", "{{host}}", [],
        "Resyncs started per node",
        "Datastore resyncs started per second; steady churn means Felix keeps losing its connection.",
        by_host!("max by (instance) (rate(felix_resyncs_started[$__rate_interval]))")),
    entry!("felix_active_endpoints", Felix, "short", "{{host}}", [],
        "Active local endpoints per node",
        "Workload and host endpoints Felix programs on each node.",
        by_host!("max by (instance) (felix_active_local_endpoints)")),
    entry!("felix_active_policies", Felix, "short", "{{host}}", [],
        "Active local policies per node",
        "Policies Felix programs on each node.",
        by_host!("max by (instance) (felix_active_local_policies)")),
    entry!("felix_calc_graph_p99", Felix, "s", "{{host}}", [],
        "Calculation graph p99 per node",
        "99th percentile time Felix's calculation graph takes per update.",
        by_host!("max by (instance) (felix_calc_graph_update_time_seconds{quantile=\"0.99\"})")),
    entry!("felix_cluster_hosts", Felix, "short", "hosts", [],
        "Cluster hosts",
        "Hosts in the cluster as Felix sees them.",
        "max(felix_cluster_num_hosts)"),
    entry!("felix_cluster_workload_endpoints", Felix, "short", "workload endpoints", [],
        "Cluster workload endpoints",
        "Workload endpoints in the cluster.",
        "max(felix_cluster_num_workload_endpoints)"),
    entry!("felix_cluster_policies", Felix, "short", "policies", [],
        "Cluster policies",
        "Network policies in the cluster.",
        "max(felix_cluster_num_policies)"),
    // ---- Typha ----
    entry!("typha_connections_active", Typha, "short", "{{instance}}", [],
        "Typha connections",
        "Felix (and other) clients connected to each Typha instance.",
        "max by (instance) (typha_connections_active)"),
    entry!("typha_connections_dropped", Typha, "ops", "{{instance}}", [],
        "Typha connections dropped",
        "Connections each Typha dropped per second (slow or lagging clients).",
        "max by (instance) (rate(typha_connections_dropped[$__rate_interval]))"),
    entry!("typha_connections_accepted", Typha, "ops", "{{instance}}", [],
        "Typha connections accepted",
        "New client connections per second.",
        "max by (instance) (rate(typha_connections_accepted[$__rate_interval]))"),
    entry!("typha_client_latency_p99", Typha, "s", "{{instance}}", [],
        "Typha client latency p99",
        "99th percentile time from a datastore update to its delivery to clients, per Typha.",
        "max by (instance) (typha_client_latency_secs{quantile=\"0.99\"})"),
    entry!("typha_ping_latency_p99", Typha, "s", "{{instance}}", [],
        "Typha ping latency p99",
        "99th percentile round trip of Typha's pings to its clients.",
        "max by (instance) (typha_ping_latency{quantile=\"0.99\"})"),
    entry!("typha_cache_size", Typha, "short", "{{syncer}}", ["instance"],
        "Typha cache size",
        "Keys in Typha's cache per syncer.",
        "max by (syncer) (typha_cache_size)"),
    entry!("typha_update_rate", Typha, "ops", "{{syncer}}", [],
        "Typha updates per second",
        "Datastore updates Typha processes per second, per syncer.",
        "sum by (syncer) (max by (instance, syncer) (rate(typha_updates_total[$__rate_interval])))"),
    entry!("typha_streaming_connections", Typha, "short", "{{syncer}}", [],
        "Typha streaming connections",
        "Clients streaming from Typha, per syncer.",
        "sum by (syncer) (max by (instance, syncer) (typha_connections_streaming))"),
];

impl Entry {
    /// What a cluster needs for this entry to have data, in words ("" for any cluster).
    pub fn requirement(&self) -> String {
        let mut parts = Vec::new();
        match self.dataplane {
            Some(Dataplane::Iptables) => parts.push(
                "nodes programming iptables (iptables, or eBPF on its iptables backend)"
                    .to_string(),
            ),
            Some(d) => parts.push(format!("{} nodes", d.title())),
            None => {}
        }
        if let Some(f) =
            calico::family(self.needs).filter(|f| f.since > Release::OLDEST || f.until.is_some())
        {
            parts.push(f.releases());
        }
        parts.join(", ")
    }

    /// Does a cluster of this release and dataplane have data for this entry? (Its
    /// component scraped; the family it needs exported; its dataplane's tables programmed.)
    pub fn applies_to(&self, release: Release, dataplane: Dataplane) -> bool {
        calico::exported(self.needs, release, dataplane)
            && self
                .dataplane
                .is_none_or(|tables| dataplane.programs(tables))
    }
}

pub fn find(id: &str) -> Option<&'static Entry> {
    CATALOG.iter().find(|e| e.id == id)
}

/// The error for an unknown name lists what exists, so the fix is obvious.
pub fn unknown(id: &str) -> String {
    let ids: Vec<&str> = CATALOG.iter().map(|e| e.id).collect();
    format!(
        "unknown catalog query {id:?}: pick one of {}",
        ids.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_large_unique_and_documented() {
        assert!(CATALOG.len() >= 25);
        let mut ids: Vec<_> = CATALOG.iter().map(|e| e.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CATALOG.len(), "duplicate ids");
        for e in CATALOG {
            assert!(
                !e.title.is_empty() && !e.description.is_empty() && !e.unit.is_empty(),
                "{}",
                e.id
            );
        }
    }

    #[test]
    fn ipam_pool_entries_never_mix_pools() {
        for e in CATALOG
            .iter()
            .filter(|e| e.component == Component::KubeControllers)
        {
            // The topology's tables show orphan blocks as a `no_ippool` row on purpose.
            let one_expr = matches!(e.query, Query::Expr(_));
            for (_, t) in e.query.templates() {
                if t.contains("ipam_allocations_in_use") {
                    assert!(
                        !one_expr || t.contains("no_ippool"),
                        "{} counts no_ippool",
                        e.id
                    );
                    assert!(
                        t.contains("max by (ippool, node)"),
                        "{} double counts",
                        e.id
                    );
                }
                assert!(!t.contains("sum(ipam"), "{} sums across pools", e.id);
            }
        }
    }
}
