//! The Typha page: connection counters per instance, cache and update families per
//! syncer, latency summaries, and the Go process families.

use super::exposition::{Value, Writer};
use crate::cluster::{Cluster, TyphaInstance};
use crate::felix::Summary;

type TyphaField = fn(&TyphaInstance) -> Value;
type SyncerField = fn(&crate::cluster::SyncerStats) -> u64;
type TyphaSummary = fn(&TyphaInstance) -> Summary;

/// `/metrics/typha`; about 6 kB per instance.
pub fn page(c: &Cluster) -> String {
    let mut e = Writer::new(c.release, c.dataplane, 6000 * c.typha.len() + 4096);
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

fn typha_syncer_families(e: &mut Writer, c: &Cluster) {
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

fn typha_summaries(e: &mut Writer, c: &Cluster) {
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
    use crate::cluster::Cluster;
    use crate::config::Config;

    #[test]
    fn exact_names_and_labels() {
        let typha = Cluster::at(&Config::demo(10), 3600.0).render_typha();
        assert!(typha.contains("# TYPE typha_updates_total counter\n"));
        assert!(typha.contains(
            "typha_cache_size{instance=\"10.128.0.1:9093\",syncer=\"tunnel-ip-allocation\"} "
        ));
        assert!(typha.contains(
            "typha_ping_latency{instance=\"10.128.0.4:9093\",syncer=\"felix\",quantile=\"0.5\"} "
        ));
    }
}
