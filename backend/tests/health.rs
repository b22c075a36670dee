//! The health check's diagnoses against a real Prometheus whose scrape config has the two
//! classic problems: Felix and Typha not scraped, and a `node` target label that makes
//! Prometheus rename Calico's `node` to `exported_node`.

mod common;

use std::time::Duration;

use calicoscope_backend::client::Client;
use calicoscope_backend::plugin::check;
use calicoscope_testkit::{Prometheus, ScrapeJob};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnoses_missing_components_and_exported_node() {
    let sim = common::frozen_sim();
    let job = ScrapeJob {
        metrics_path: "/metrics/kube-controllers".into(),
        labels: vec![("node".into(), "master-0".into())],
        ..ScrapeJob::new("calico-kube-controllers", &sim.addr)
    };
    let prom = tokio::task::spawn_blocking(move || {
        let p = Prometheus::start(&[job], Duration::from_secs(1), "1h").unwrap();
        // Two scrapes at least: queries evaluate at a time rounded down to the step.
        let two_scrapes = "count_over_time(ipam_allocations_in_use[1m]) >= 2";
        p.wait_for(two_scrapes, 2 * common::NODES, Duration::from_secs(60))
            .unwrap();
        p
    })
    .await
    .unwrap();

    let settings = common::settings(&prom.url);
    let health = check(&settings, &Client::new(&settings).unwrap()).await;
    assert!(health.ok, "IPAM is there: {}", health.message);
    assert!(
        health.message.contains("prometheusMetricsEnabled"),
        "Felix fix missing: {}",
        health.message
    );
    assert!(
        health.message.contains("TYPHA_PROMETHEUSMETRICSENABLED"),
        "Typha fix missing: {}",
        health.message
    );
    assert!(
        health.message.contains("exported_node"),
        "renaming not detected: {}",
        health.message
    );
    let felix = health
        .components
        .iter()
        .find(|c| c.component == "Felix")
        .unwrap();
    assert_eq!(felix.series, 0);

    // Following the advice fixes it: per-node queries work with nodeLabel = exported_node.
    let json = serde_json::json!({ "scrapeInterval": "1s", "nodeLabel": "exported_node" });
    let fixed = common::settings_with(&prom.url, json);
    let rows = common::instant(&fixed, "ipam_node_in_use").await.unwrap();
    // One series per node, and one for the allocations without a node (`unknown_node`).
    let mut want: Vec<String> = common::state()
        .allocations
        .iter()
        .map(|a| a.node.clone())
        .collect();
    want.sort();
    want.dedup();
    let mut got: Vec<String> = rows
        .iter()
        .map(|(l, _)| l["exported_node"].clone())
        .collect();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(got.len(), common::NODES + 1);
    let health = check(&fixed, &Client::new(&fixed).unwrap()).await;
    assert!(
        !health.message.contains("exported_node, not"),
        "{}",
        health.message
    );
}
