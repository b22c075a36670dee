//! Scenarios that move over time, against every store users run (Prometheus 2 and 3,
//! VictoriaMetrics, Thanos Query with deduplication on and off): a pool growing toward
//! exhaustion gives a days-to-full forecast that matches the growth the simulator shows, the
//! slow Felix node is the worst one, Typha's dropping replica is the one with drops, and
//! leaked addresses are being reclaimed.

mod common;

use std::time::Duration;

use common::{by, instant, Engine};

const SPEED: f64 = 600.0; // one real second is ten simulated minutes

fn pool_in_use(c: &calicoscope_sim::Cluster, pool: &str) -> f64 {
    c.allocations
        .iter()
        .filter(|a| a.pool == pool)
        .map(|a| a.in_use as f64)
        .sum()
}

async fn moving_scenarios_show_in_the_catalog_queries(engine: Engine, dedup: &str) {
    let cfg = calicoscope_sim::Config::demo(common::NODES);
    let (sim, store) = common::moving_on(engine, cfg, SPEED, 0.0, 20).await;
    let json = serde_json::json!({
        "scrapeInterval": "1s",
        "forecastWindow": "20s",
        "queryParams": { "dedup": dedup },
    });
    let settings = common::settings_with(store.url(), json);

    // Growth: the forecast agrees with the slope of the simulator's own state.
    let before = sim.state();
    let t0 = std::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let after = sim.state();
    let pool = "default-ipv4-ippool";
    let slope =
        (pool_in_use(&after, pool) - pool_in_use(&before, pool)) / t0.elapsed().as_secs_f64();
    assert!(slope > 0.0, "the growth scenario grows");
    let spec = after.pools.iter().find(|p| p.name == pool).unwrap();
    // The demo runs Calico 3.33, which reports the reservation: it is never free.
    let assignable = spec.size - spec.reserved as f64;
    let want_days = (assignable - pool_in_use(&after, pool)) / (slope * 86_400.0);
    let days = by(
        "ippool",
        &instant(&settings, "ipam_days_to_exhaustion").await.unwrap(),
    );
    let got = days[pool];
    assert!(
        (got / want_days - 1.0).abs() < 0.5,
        "days to full: got {got}, simulator implies {want_days}"
    );

    // The slow Felix node is the worst one.
    let p99 = by(
        "host",
        &instant(&settings, "felix_apply_p99_by_node").await.unwrap(),
    );
    let worst = p99.iter().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
    assert_eq!(worst.0, "node-0001");
    assert!(*worst.1 > 1.0, "slow node p99 {}", worst.1);

    // Typha: only the dropping replica drops.
    let drops = by(
        "instance",
        &instant(&settings, "typha_connections_dropped")
            .await
            .unwrap(),
    );
    let dropping: Vec<_> = drops
        .iter()
        .filter(|(_, v)| **v > 0.0)
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(dropping, vec![after.typha[0].instance.clone()], "{drops:?}");

    // Leaks are being reclaimed in the leak pool.
    let reclaimed = by(
        "ippool",
        &instant(&settings, "ipam_reclamation_rate").await.unwrap(),
    );
    assert!(reclaimed[pool] > 0.0, "{reclaimed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_prometheus_2() {
    moving_scenarios_show_in_the_catalog_queries(Engine::Prometheus2, "true").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_prometheus_3() {
    moving_scenarios_show_in_the_catalog_queries(Engine::Prometheus3, "true").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_victoria_metrics() {
    moving_scenarios_show_in_the_catalog_queries(Engine::VictoriaMetrics, "true").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_thanos_with_dedup() {
    moving_scenarios_show_in_the_catalog_queries(Engine::Thanos, "true").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_thanos_without_dedup() {
    moving_scenarios_show_in_the_catalog_queries(Engine::Thanos, "false").await;
}
