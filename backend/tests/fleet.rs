//! Many clusters in one store (issue 23): two simulated clusters with colliding pool and
//! node names, told apart by a `cluster` target label, in one Prometheus 2, one Prometheus 3
//! and one VictoriaMetrics, and as two HA pairs behind one Thanos Query: every IPAM, Felix and
//! Typha figure is each cluster's own.

mod common;

use std::time::Duration;

use calicoscope_testkit::{fleet_jobs, Prometheus, ThanosHa, VictoriaMetrics};
use common::plugin::{self, call_resource, context, PluginProcess};
use common::{expect::check_fleet, settings, wait_fleet};

/// The fleet and its clusters' states, once the store has scraped them.
fn states(
    fleet: &[(&'static str, calicoscope_testkit::Simulator)],
) -> Vec<(&'static str, calicoscope_sim::Cluster)> {
    fleet.iter().map(|(n, s)| (*n, s.state())).collect()
}

/// The fleet, scraped by one Prometheus 2 by target label.
async fn fleet_in_prometheus() -> (
    Vec<(&'static str, calicoscope_testkit::Simulator)>,
    Prometheus,
) {
    in_prometheus(common::fleet()).await
}

async fn in_prometheus(
    fleet: Vec<(&'static str, calicoscope_testkit::Simulator)>,
) -> (
    Vec<(&'static str, calicoscope_testkit::Simulator)>,
    Prometheus,
) {
    let jobs = fleet_jobs(&fleet.iter().map(|(n, s)| (*n, s)).collect::<Vec<_>>());
    let prom = tokio::task::spawn_blocking(move || {
        Prometheus::start(&jobs, Duration::from_secs(1), "1h").unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .unwrap();
    wait_fleet(&fleet, |e, n, t| prom.wait_for(e, n, t));
    (fleet, prom)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_cluster_keeps_its_own_figures_in_one_prometheus() {
    let (fleet, prom) = fleet_in_prometheus().await;
    check_fleet(&settings(&prom.url), &states(&fleet)).await;
    // The capacity report: each pool of each cluster with its own figures.
    let fleet_settings = settings(&prom.url);
    let client = calicoscope_backend::client::Client::new(&fleet_settings).unwrap();
    let report = calicoscope_backend::report::build(&fleet_settings, &client, "1m")
        .await
        .unwrap();
    let mut seen = Vec::new();
    for (name, sim) in &fleet {
        let c = sim.state();
        for pool in &c.pools {
            let r = report
                .pools
                .iter()
                .find(|r| r.cluster == *name && r.name == pool.name)
                .unwrap_or_else(|| panic!("no {name}/{} in the report", pool.name));
            let in_use: u64 = c
                .allocations
                .iter()
                .filter(|a| a.pool == pool.name)
                .map(|a| a.in_use)
                .sum();
            assert_eq!(r.in_use, in_use as f64, "{name}/{}", pool.name);
            let said = format!("{name}/{}", pool.name);
            assert!(
                r.forecast.contains(&said),
                "the sentence names the cluster: {}",
                r.forecast
            );
            seen.push((name, &r.name));
        }
    }
    assert_eq!(
        seen.len(),
        report.pools.len(),
        "every report row is one cluster's pool"
    );
    // The fleet's headline counts the clusters; both are ranked, neither is quiet.
    assert!(
        report.headline.starts_with("Of 2 clusters, "),
        "{}",
        report.headline
    );
    let mut ranked: Vec<&str> = report.clusters.iter().map(|c| c.cluster.as_str()).collect();
    ranked.sort_unstable();
    assert_eq!(ranked, ["east", "west"]);
    assert!(report.quiet.is_empty(), "{:?}", report.quiet);
    let csv = calicoscope_backend::report::csv::to_csv(&report);
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.ends_with(",east") || l.ends_with(",west")),
        "{csv}"
    );
    health_per_cluster(&fleet_settings, &client).await;
    // The clusters variable's values, through the plugin as Grafana calls it.
    let plugin = PluginProcess::start(plugin::BINARY, &[]);
    let ctx = context(&prom.url, serde_json::json!({}), &[]);
    let (code, clusters) = call_resource(plugin.channel().await, ctx.clone(), "clusters", "").await;
    assert_eq!((code, clusters), (200, serde_json::json!(["east", "west"])));
    // The nodes variable scoped by the cluster variable: each cluster's own IPAM nodes.
    for (path, only) in [
        ("nodes?cluster=west", Some("west")),
        ("nodes?cluster=east&cluster=west", None),
        ("nodes?cluster=%24__all", None),
    ] {
        let mut want: Vec<String> = fleet
            .iter()
            .filter(|(n, _)| only.is_none_or(|o| o == *n))
            .flat_map(|(_, s)| s.state().allocations.into_iter().map(|a| a.node))
            .filter(|n| !["no_affinity", "unknown_node", ""].contains(&n.as_str()))
            .collect();
        want.sort();
        want.dedup();
        let (code, nodes) = call_resource(plugin.channel().await, ctx.clone(), path, "").await;
        assert_eq!((code, nodes), (200, serde_json::json!(want)), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_cluster_keeps_its_own_figures_in_prometheus_3_and_victoria_metrics() {
    let fleet = common::fleet();
    let jobs = fleet_jobs(&fleet.iter().map(|(n, s)| (*n, s)).collect::<Vec<_>>());
    let (j3, jv) = (jobs.clone(), jobs);
    let prom = tokio::task::spawn_blocking(move || {
        Prometheus::start_v3(&j3, Duration::from_secs(1), "1h", &[])
            .unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .unwrap();
    wait_fleet(&fleet, |e, n, t| prom.wait_for(e, n, t));
    check_fleet(&settings(&prom.url), &states(&fleet)).await;
    let vm = tokio::task::spawn_blocking(move || {
        VictoriaMetrics::start(&jv, Duration::from_secs(1)).unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .unwrap();
    wait_fleet(&fleet, |e, n, t| vm.wait_for(e, n, t));
    check_fleet(&settings(&vm.url), &states(&fleet)).await;
}

/// The health check and the empty answers' notices, per cluster: east runs 3.33 on iptables,
/// west 3.29 on nftables.
async fn health_per_cluster(
    settings: &calicoscope_backend::settings::Settings,
    client: &calicoscope_backend::client::Client,
) {
    let health = calicoscope_backend::plugin::check(settings, client).await;
    let names: Vec<&str> = health.clusters.iter().map(|c| c.cluster.as_str()).collect();
    assert_eq!(names, ["east", "west"], "{}", health.message);
    let (east, west) = (&health.clusters[0], &health.clusters[1]);
    let dataplanes = |c: &calicoscope_backend::plugin::ClusterHealth| {
        c.detected
            .dataplanes
            .iter()
            .map(|d| (d.dataplane.as_str(), d.nodes))
            .collect::<Vec<_>>()
    };
    assert_eq!(dataplanes(east), [("iptables", 30)], "{}", health.message);
    assert_eq!(dataplanes(west), [("nftables", 12)], "{}", health.message);
    let release = |c: &calicoscope_backend::plugin::ClusterHealth, minor| {
        c.detected
            .releases
            .iter()
            .any(|r| r.to_string() == format!("3.{minor}"))
    };
    assert!(
        release(east, 33) && !release(east, 29),
        "{:?}",
        east.detected.releases
    );
    assert!(
        release(west, 29) && !release(west, 33),
        "{:?}",
        west.detected.releases
    );
    let skips = |c: &calicoscope_backend::plugin::ClusterHealth, id: &str| {
        c.not_applicable.iter().any(|n| n.id == id)
    };
    assert!(skips(east, "felix_nft_nodes") && !skips(west, "felix_nft_nodes"));
    assert!(skips(west, "felix_iptables_lock_p99"));
    assert!(
        health
            .not_applicable
            .iter()
            .all(|n| n.id != "felix_nft_nodes"),
        "an entry that applies in one cluster is not listed as applying nowhere"
    );
    assert!(
        health.message.contains("2 clusters: east runs Calico"),
        "{}",
        health.message
    );
    assert!(
        !health.message.contains("HA pair"),
        "clusters are not replicas: {}",
        health.message
    );
    // An entry's empty answer says why, for the clusters asked about.
    let notice = |clusters: serde_json::Value| async move {
        let req = common::request(serde_json::json!({ "catalog": "felix_nft_nodes",
            "instant": true, "filters": { "clusters": clusters } }));
        let frames = calicoscope_backend::execute::execute(&req, settings, client)
            .await
            .unwrap();
        common::expect::notices(&frames[0]).join(" ")
    };
    let only_east = notice(serde_json::json!(["east"])).await;
    assert!(
        only_east.starts_with("east: Not used by this cluster") && only_east.contains("nftables"),
        "{only_east}"
    );
    let unknown = notice(serde_json::json!(["north"])).await;
    assert!(
        unknown.contains("no Calico metrics from cluster north; it has east, west"),
        "{unknown}"
    );
    // The clusters under another label name: a warning names the label that separates them.
    let json = serde_json::json!({ "scrapeInterval": "1s", "clusterLabel": "k8s_cluster" });
    let other = common::settings_with(&settings.url, json);
    let client = calicoscope_backend::client::Client::new(&other).unwrap();
    let health = calicoscope_backend::plugin::check(&other, &client).await;
    assert!(health.clusters.is_empty(), "{:?}", health.clusters);
    assert!(
        health
            .message
            .contains("told apart by cluster, but the Cluster label setting is \"k8s_cluster\"")
            && health.message.contains("Set Cluster label to cluster"),
        "{}",
        health.message
    );
}

/// Two clusters × two replicas behind one Thanos Query (`external_labels: {cluster,
/// replica}`): with deduplication on and off every figure is each cluster's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_cluster_keeps_its_own_figures_behind_thanos_with_dedup_on_and_off() {
    let fleet = common::fleet();
    let clusters: Vec<(&str, Vec<calicoscope_testkit::ScrapeJob>)> = fleet
        .iter()
        .map(|(n, s)| (*n, calicoscope_testkit::calico_jobs(s, true)))
        .collect();
    let ha = tokio::task::spawn_blocking(move || {
        ThanosHa::fleet(&clusters, Duration::from_secs(1)).unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .unwrap();
    wait_fleet(&fleet, |e, n, t| ha.wait_for(e, n, t));
    for dedup in ["true", "false"] {
        let json = serde_json::json!({ "scrapeInterval": "1s", "forecastWindow": "1m",
            "queryParams": { "dedup": dedup } });
        check_fleet(&common::settings_with(&ha.url, json), &states(&fleet)).await;
    }
}

/// A cluster whose kube-controllers stopped is named in the fleet report's headline with the
/// time of its last figures, never silently dropped; the others are ranked as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_report_names_a_cluster_that_stopped_reporting() {
    let (_fleet, prom) = in_prometheus(common::fleet_where_west_stops(Some(20.0))).await;
    prom.wait_for(
        "absent(ipam_ippool_size{cluster=\"west\"})",
        1,
        Duration::from_secs(60),
    )
    .unwrap();
    let settings = settings(&prom.url);
    let client = calicoscope_backend::client::Client::new(&settings).unwrap();
    let report = calicoscope_backend::report::build(&settings, &client, "10m")
        .await
        .unwrap();
    assert_eq!(report.quiet.len(), 1, "{:?}", report.quiet);
    let quiet = &report.quiet[0];
    let ago = report.at - quiet.since;
    assert!(
        quiet.cluster == "west" && (0..60_000).contains(&ago),
        "{quiet:?} at {}",
        report.at
    );
    assert!(
        report.headline.starts_with("Of 2 clusters, "),
        "{}",
        report.headline
    );
    assert!(
        report.headline.ends_with(&quiet.text),
        "{}",
        report.headline
    );
    assert!(
        quiet.text.starts_with("No IPAM figures from west since "),
        "{}",
        quiet.text
    );
    let ranked: Vec<&str> = report.clusters.iter().map(|c| c.cluster.as_str()).collect();
    assert_eq!(ranked, ["east"]);
    assert!(report.pools.iter().all(|p| p.cluster == "east"));
}

/// Before the cluster label: the same store merged the clusters, so the figures above were
/// not each cluster's. This is what a datasource with the label turned off still answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_cluster_label_the_clusters_merge() {
    let (_fleet, prom) = fleet_in_prometheus().await;
    let off = common::settings_with(
        &prom.url,
        serde_json::json!({ "scrapeInterval": "1s", "forecastWindow": "1m", "clusterLabel": "" }),
    );
    let merged = common::instant(&off, "ipam_pool_in_use").await.unwrap();
    let pools = common::by("ippool", &merged);
    assert_eq!(
        pools.len(),
        2,
        "one series per pool name, both clusters in it: {merged:?}"
    );
    let on = common::instant(&settings(&prom.url), "ipam_pool_in_use")
        .await
        .unwrap();
    assert_eq!(on.len(), 4, "two pools in each of two clusters: {on:?}");
}
