//! The Calico matrix: a simulated cluster of each release and dataplane users run, scraped
//! by a real Prometheus. For each: the exact IPAM values (with reservations where the
//! release reports them), every catalog entry that applies has data and every other one an
//! empty frame with a notice, and the health check names the release range and dataplane.

mod common;

use calicoscope_backend::client::Client;
use calicoscope_backend::plugin::check;
use calicoscope_backend::query::catalog::CATALOG;
use calicoscope_model::calico::{self, Dataplane, Release};
use common::{expect::check_store, frozen_profile, prometheus_for, settings, NODES};

/// The releases detection cannot tell from `release`: those whose families exported on
/// every dataplane are the same.
fn indistinguishable(release: Release) -> Vec<Release> {
    let telling: Vec<_> = calico::FAMILIES
        .iter()
        .filter(|f| f.export == calico::Export::Always)
        .collect();
    Release::all()
        .filter(|&r| {
            telling
                .iter()
                .all(|f| f.in_release(r) == f.in_release(release))
        })
        .collect()
}

async fn check_profile(release: &str, dataplane: Dataplane) {
    let release = Release::parse(release).unwrap();
    let sim = frozen_profile(release, dataplane);
    let state = sim.state();
    assert_eq!((state.release, state.dataplane), (release, dataplane));
    let prom = tokio::task::spawn_blocking(move || {
        let p = prometheus_for(&sim);
        (sim, p)
    })
    .await
    .unwrap();
    let settings = settings(&prom.1.url);
    check_store(&settings, &state).await;

    let health = check(&settings, &Client::new(&settings).unwrap()).await;
    assert!(health.ok, "{}", health.message);
    let detected = health.detected.as_ref().unwrap();
    assert_eq!(detected.releases, indistinguishable(release));
    assert!(
        health.message.contains(&detected.release_range()),
        "{}",
        health.message
    );
    let dataplane_found = format!("{} on {NODES} of {NODES} Felix nodes", dataplane.title());
    assert!(
        health.message.contains(&dataplane_found),
        "{dataplane_found:?} missing: {}",
        health.message
    );
    for other in Dataplane::ALL.into_iter().filter(|d| *d != dataplane) {
        assert!(
            !health.message.contains(&format!("{} on", other.title())),
            "{}",
            health.message
        );
    }
    // Health lists exactly the entries this release and dataplane have no data for.
    let listed: Vec<&str> = health.not_applicable.iter().map(|n| n.id).collect();
    let want: Vec<&str> = CATALOG
        .iter()
        .filter(|e| !e.applies_to(release, dataplane))
        .map(|e| e.id)
        .collect();
    assert_eq!(listed, want, "{release} {dataplane}");
    assert!(!want.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calico_3_26_iptables() {
    check_profile("3.26", Dataplane::Iptables).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calico_3_29_nftables() {
    check_profile("3.29", Dataplane::Nftables).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calico_3_30_bpf() {
    check_profile("3.30", Dataplane::Bpf).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calico_3_33_iptables_with_reservations() {
    check_profile("3.33", Dataplane::Iptables).await;
}
