//! The calico-kube-controllers page: the IPAM families per pool and node, the pre-v3.23
//! per-node families, and the Go process families.

use super::exposition::Writer;
use crate::cluster::Cluster;
use crate::ipam::UNKNOWN_NODE;
use std::collections::BTreeMap;

/// `/metrics/kube-controllers`; about 200 bytes per series.
pub fn page(c: &Cluster) -> String {
    let mut e = Writer::new(
        c.release,
        c.dataplane,
        200 * (c.allocations.len() * 5 + c.blocks.len() + 64),
    );
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

fn ipam_pool_families(e: &mut Writer, c: &Cluster) {
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
fn ipam_legacy_families(e: &mut Writer, c: &Cluster) {
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

fn process_families(e: &mut Writer, labels: &[(&str, &str)], cpu: f64, rss: u64) {
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
#[cfg(test)]
mod tests {
    use crate::cluster::Cluster;
    use crate::config::Config;

    #[test]
    fn exact_names_and_labels() {
        let kc = Cluster::at(&Config::demo(10), 3600.0).render_kube_controllers();
        // Calico's name: a counter without the _total suffix.
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
    }
}
