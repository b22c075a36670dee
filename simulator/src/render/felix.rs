//! The Felix page: one set of families per node (labelled by `instance`), grouped by what
//! they describe — cluster counts, dataplane updates, iptables, ipsets, nftables, eBPF and
//! the families that mark a release.

use super::exposition::{Value, Writer};
use crate::cluster::{Cluster, FelixNode};
use crate::felix::Summary;
use calicoscope_model::calico::Release;

type FelixField = fn(&FelixNode) -> Value;

/// One family with one sample per node, labelled only by `instance`.
fn per_felix(e: &mut Writer, c: &Cluster, name: &str, kind: &str, help: &str, f: FelixField) {
    e.family(name, kind, help);
    for n in &c.felix {
        e.sample(name, &[("instance", &n.instance)], f(n));
    }
}

/// `/metrics/felix`; about 6.5 kB per node.
pub fn page(c: &Cluster) -> String {
    let mut e = Writer::new(c.release, c.dataplane, 6500 * c.felix.len() + 4096);
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

fn felix_gauges(e: &mut Writer, c: &Cluster) {
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

fn felix_summaries(e: &mut Writer, c: &Cluster) {
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

fn felix_dataplane(e: &mut Writer, c: &Cluster) {
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

fn felix_iptables(e: &mut Writer, c: &Cluster) {
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

fn felix_ipsets(e: &mut Writer, c: &Cluster) {
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
fn felix_nft(e: &mut Writer, c: &Cluster) {
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
fn felix_bpf(e: &mut Writer, c: &Cluster) {
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
fn felix_by_release(e: &mut Writer, c: &Cluster) {
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
#[cfg(test)]
mod tests {
    use crate::cluster::Cluster;
    use crate::config::Config;

    #[test]
    fn exact_names_and_labels() {
        let felix = Cluster::at(&Config::demo(10), 3600.0).render_felix();
        assert!(felix.contains("felix_host{host=\"node-0002\",instance=\"10.128.0.2:9091\"} 1\n"));
        assert!(felix.contains("felix_int_dataplane_apply_time_seconds{instance=\"10.128.0.1:9091\",quantile=\"0.99\"} "));
        assert!(felix.contains(
            "felix_int_dataplane_apply_time_seconds_count{instance=\"10.128.0.1:9091\"} "
        ));
    }

    #[test]
    fn values_match_state() {
        let c = Cluster::at(&Config::demo(20), 9000.0);
        let felix = c.render_felix();
        let slow = &c.felix[0];
        let line = format!(
            "felix_int_dataplane_apply_time_seconds{{instance=\"{}\",quantile=\"0.99\"}} {:?}\n",
            slow.instance, slow.apply_p99
        );
        assert!(felix.contains(&line), "{line}");
    }
}
