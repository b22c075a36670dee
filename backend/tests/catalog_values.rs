//! Every catalog query against real stores scraping the simulated cluster: no errors, and
//! the values the simulator's known state implies (exact for IPAM numbers). The cluster is
//! scraped by two jobs at once, so any double counting would show.

mod common;

use std::collections::BTreeMap;

use calicoscope_backend::query::catalog::CATALOG;
use calicoscope_backend::settings::Settings;
use calicoscope_sim::Cluster;
use common::{by, instant, settings, state};

type Rows = BTreeMap<String, f64>;

fn sum_by<T>(items: &[T], key: impl Fn(&T) -> Option<String>, value: impl Fn(&T) -> f64) -> Rows {
    let mut out = Rows::new();
    for item in items {
        if let Some(k) = key(item) {
            *out.entry(k).or_default() += value(item);
        }
    }
    out
}

fn assert_rows(what: &str, got: &Rows, want: &Rows) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{what}: series differ"
    );
    for (k, w) in want {
        let g = got[k];
        assert!(
            (g - w).abs() <= 1e-9 * w.abs().max(1.0),
            "{what} {k}: got {g}, want {w}"
        );
    }
}

/// The IPAM figures the simulator's state implies, per catalog entry.
fn ipam_expectations(c: &Cluster) -> Vec<(&'static str, &'static str, Rows)> {
    let real_pool = |p: &str| (p != "no_ippool").then(|| p.to_string());
    let in_use = sum_by(&c.allocations, |a| real_pool(&a.pool), |a| a.in_use as f64);
    let size: Rows = c.pools.iter().map(|p| (p.name.clone(), p.size)).collect();
    let utilization: Rows = in_use
        .iter()
        .map(|(p, u)| (p.clone(), 100.0 * u / size[p]))
        .collect();
    let free: Rows = in_use
        .iter()
        .map(|(p, u)| (p.clone(), size[p] - u))
        .collect();
    let node_in_use = sum_by(
        &c.allocations,
        |a| real_pool(&a.pool).map(|_| a.node.clone()),
        |a| a.in_use as f64,
    );
    let node_borrowed = sum_by(
        &c.allocations,
        |a| real_pool(&a.pool).map(|_| a.node.clone()),
        |a| a.borrowed as f64,
    );
    let borrowers = sum_by(
        &c.allocations,
        |a| (a.borrowed > 0).then(|| a.pool.clone()),
        |_| 1.0,
    );
    let leaked = sum_by(
        &c.allocations,
        |a| real_pool(&a.pool),
        |a| a.gc_candidates as f64,
    );
    let node_blocks = sum_by(
        &c.blocks,
        |b| (b.pool != "no_ippool" && b.node != "no_affinity").then(|| b.node.clone()),
        |b| b.blocks as f64,
    );
    let pool_blocks = sum_by(&c.blocks, |b| real_pool(&b.pool), |b| b.blocks as f64);
    let orphans = sum_by(
        &c.blocks,
        |b| (b.pool == "no_ippool").then(|| b.node.clone()),
        |b| b.blocks as f64,
    );
    let unaffine = sum_by(
        &c.blocks,
        |b| (b.node == "no_affinity" && b.pool != "no_ippool").then(|| b.pool.clone()),
        |b| b.blocks as f64,
    );
    vec![
        ("ipam_pool_in_use", "ippool", in_use),
        ("ipam_pool_size", "ippool", size),
        ("ipam_pool_utilization", "ippool", utilization),
        ("ipam_pool_free", "ippool", free),
        ("ipam_node_in_use", "node", node_in_use),
        ("ipam_node_borrowed", "node", node_borrowed),
        ("ipam_borrowing_nodes", "ippool", borrowers),
        ("ipam_leaked", "ippool", leaked),
        ("ipam_node_blocks", "node", node_blocks),
        ("ipam_pool_blocks", "ippool", pool_blocks),
        ("ipam_orphan_blocks", "node", orphans),
        ("ipam_unaffine_blocks", "ippool", unaffine),
    ]
}

fn felix_expectations(c: &Cluster) -> Vec<(&'static str, &'static str, Rows)> {
    let per_host = |f: fn(&calicoscope_sim::FelixNode) -> f64| -> Rows {
        c.felix.iter().map(|n| (n.host.clone(), f(n))).collect()
    };
    let one = |label: &str, v: f64| Rows::from([(label.to_string(), v)]);
    let worst = c.felix.iter().map(|n| n.apply_p99).fold(f64::MIN, f64::max);
    let not_in_sync = c.felix.iter().filter(|n| n.resync_state != 3).count() as f64;
    vec![
        ("felix_apply_p99_by_node", "host", per_host(|n| n.apply_p99)),
        (
            "felix_resync_state",
            "host",
            per_host(|n| n.resync_state as f64),
        ),
        (
            "felix_active_endpoints",
            "host",
            per_host(|n| n.active_local_endpoints as f64),
        ),
        (
            "felix_active_policies",
            "host",
            per_host(|n| n.active_local_policies as f64),
        ),
        ("felix_calc_graph_p99", "host", per_host(|n| n.calc_p99)),
        ("felix_apply_p99_worst", "", one("", worst)),
        ("felix_nodes_not_in_sync", "", one("", not_in_sync)),
        (
            "felix_cluster_hosts",
            "",
            one("", c.felix[0].cluster_num_hosts as f64),
        ),
        (
            "felix_cluster_policies",
            "",
            one("", c.felix[0].cluster_num_policies as f64),
        ),
    ]
}

fn typha_expectations(c: &Cluster) -> Vec<(&'static str, &'static str, Rows)> {
    let active: Rows = c
        .typha
        .iter()
        .map(|t| (t.instance.clone(), t.connections_active as f64))
        .collect();
    let p99: Rows = c
        .typha
        .iter()
        .map(|t| (t.instance.clone(), t.client_latency_p99))
        .collect();
    let syncers = c.typha.iter().flat_map(|t| t.syncers.iter());
    let mut cache = Rows::new();
    let mut streaming = Rows::new();
    for s in syncers {
        let e = cache.entry(s.syncer.clone()).or_insert(f64::MIN);
        *e = e.max(s.cache_size as f64);
        *streaming.entry(s.syncer.clone()).or_default() += s.connections_streaming as f64;
    }
    vec![
        ("typha_connections_active", "instance", active),
        ("typha_client_latency_p99", "instance", p99),
        ("typha_cache_size", "syncer", cache),
        ("typha_streaming_connections", "syncer", streaming),
    ]
}

async fn check_store(settings: &Settings) {
    let cluster = state();
    // 1. Every catalog entry runs without error, instant and range.
    for entry in CATALOG {
        instant(settings, entry.id)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", entry.id));
        let client = calicoscope_backend::client::Client::new(settings).unwrap();
        let req = common::request(serde_json::json!({ "catalog": entry.id }));
        calicoscope_backend::execute::execute(&req, settings, &client)
            .await
            .unwrap_or_else(|e| panic!("range {}: {}", entry.id, e.message));
    }
    // 2. The values are the ones the simulated cluster implies.
    let expectations = [
        ipam_expectations(&cluster),
        felix_expectations(&cluster),
        typha_expectations(&cluster),
    ];
    for (id, label, want) in expectations.iter().flatten() {
        let got = by(label, &instant(settings, id).await.unwrap());
        assert_rows(id, &got, want);
    }
    // 3. Non-trivial scenarios are really present, so the checks above mean something.
    let ipam = ipam_expectations(&cluster);
    for id in [
        "ipam_node_borrowed",
        "ipam_leaked",
        "ipam_orphan_blocks",
        "ipam_unaffine_blocks",
    ] {
        let rows = &ipam.iter().find(|(i, _, _)| *i == id).unwrap().2;
        assert!(
            rows.values().any(|v| *v > 0.0),
            "scenario behind {id} is absent from the simulator"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_answers_match_the_simulated_cluster() {
    let prom = tokio::task::spawn_blocking(common::prometheus)
        .await
        .unwrap();
    check_store(&settings(&prom.url)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn victoria_metrics_answers_match_the_simulated_cluster() {
    let vm = tokio::task::spawn_blocking(common::victoria_metrics)
        .await
        .unwrap();
    check_store(&settings(&vm.url)).await;
}
