//! Every catalog query against real stores scraping the simulated cluster: no errors, and
//! the values the simulator's known state implies (exact for IPAM numbers). The cluster is
//! scraped by two jobs at once, so any double counting would show.

mod common;

use common::{expect::check_store, settings, settings_with, state};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_answers_match_the_simulated_cluster() {
    let prom = tokio::task::spawn_blocking(common::prometheus)
        .await
        .unwrap();
    check_store(&settings(&prom.url), &state()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn victoria_metrics_answers_match_the_simulated_cluster() {
    let vm = tokio::task::spawn_blocking(common::victoria_metrics)
        .await
        .unwrap();
    check_store(&settings(&vm.url), &state()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_3_answers_match_the_simulated_cluster() {
    let prom = tokio::task::spawn_blocking(common::prometheus3)
        .await
        .unwrap();
    check_store(&settings(&prom.url), &state()).await;
}

/// Thanos Query over two replicas, with deduplication on and off: with it off every series
/// exists once per replica (and per scrape job), and every figure must still be exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thanos_ha_answers_match_with_dedup_on_and_off() {
    let ha = tokio::task::spawn_blocking(common::thanos).await.unwrap();
    for dedup in ["true", "false"] {
        let json = serde_json::json!({
            "scrapeInterval": "1s",
            "forecastWindow": "1m",
            "queryParams": { "dedup": dedup },
        });
        let settings = settings_with(&ha.url, json);
        check_store(&settings, &state()).await;
        // Health names the replica label exactly when the replicas show.
        let client = calicoscope_backend::client::Client::new(&settings).unwrap();
        let health = calicoscope_backend::plugin::check(&settings, &client).await;
        assert_eq!(
            health.message.contains("told apart by replica"),
            dedup == "false",
            "dedup={dedup}: {}",
            health.message
        );
    }
    // Without dedup the replicas really are there twice, so the check above meant something.
    let (_, body) = ha
        .query
        .get(
            "/api/v1/query",
            &[("query", "count(ipam_ippool_size)"), ("dedup", "false")],
        )
        .unwrap();
    let both: serde_json::Value = serde_json::from_str(&body).unwrap();
    let (_, body) = ha
        .query
        .get(
            "/api/v1/query",
            &[("query", "count(ipam_ippool_size)"), ("dedup", "true")],
        )
        .unwrap();
    let one: serde_json::Value = serde_json::from_str(&body).unwrap();
    let n = |v: &serde_json::Value| {
        v["data"]["result"][0]["value"][1]
            .as_str()
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    assert_eq!(
        n(&both),
        2 * n(&one),
        "dedup=false: {both}, dedup=true: {one}"
    );
}
