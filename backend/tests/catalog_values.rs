//! Every catalog query against real stores scraping the simulated cluster: no errors, and
//! the values the simulator's known state implies (exact for IPAM numbers). The cluster is
//! scraped by two jobs at once, so any double counting would show.

mod common;

use common::{expect::check_store, settings, state};

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
