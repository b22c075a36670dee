//! Benchmark (issue 23): a fleet of 50 clusters × 200 nodes (10,000 nodes, 100 pools) in one
//! Prometheus, each cluster told apart by a `cluster` target label, served by the simulator's
//! fleet (`calicoscope_sim::fleet`; the same pool and node names in every cluster).
//! Through the plugin protocol (the binary started as Grafana starts it), printed, not
//! asserted:
//! - QueryData of pool utilization against the same PromQL sent straight to Prometheus:
//!   goal within 1.10 × direct + 1 ms;
//! - the topology query (10,000 node rows) and the fleet report (`report` resource): goal
//!   the report within 2 s.
//!
//! Every answer is checked first: 100 pool series, 50 clusters ranked in the report.
//!
//! ```text
//! cargo bench -p calicoscope-backend --bench fleet
//! cargo test -p calicoscope-backend --bench fleet    # 4 clusters × 20 nodes, checks only
//! ```
//!
//! Only calico-kube-controllers is scraped: the IPAM figures are what these queries read.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use calicoscope_backend::execute;
use calicoscope_sim::{fleet, Config};
use calicoscope_testkit::{Prometheus, SimulatedFleet};
use common::plugin::{self, call_resource, context, query, query_data, PluginProcess};

const RUNS: usize = 15;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let timing = std::env::args().any(|a| a == "--bench");
    let (clusters, nodes) = if timing { (50, 200) } else { (4, 20) };
    let mut base = Config::demo(nodes);
    base.speed = 0.0;
    base.start_offset_s = 3.0 * 3600.0;
    // Every cluster the same size, so the fleet is exactly clusters × nodes.
    let members: Vec<_> = fleet::members(&base, clusters)
        .into_iter()
        .map(|mut m| {
            (m.config.nodes, m.config.pools) = (nodes, base.pools.clone());
            m
        })
        .collect();
    let sim = SimulatedFleet::start(members);
    let jobs: Vec<_> = sim
        .jobs()
        .into_iter()
        .filter(|j| j.metrics_path.ends_with("/kube-controllers"))
        .collect();
    println!("starting Prometheus scraping {clusters} clusters × {nodes} nodes (kube-controllers, every 5 s)...");
    let prom = tokio::task::spawn_blocking(move || {
        let p = Prometheus::start(&jobs, Duration::from_secs(5), "1h").unwrap();
        let ready = "count_over_time(ipam_ippool_size[2m]) >= 3";
        p.wait_for(ready, 2 * clusters, Duration::from_secs(180))
            .unwrap();
        p
    })
    .await
    .unwrap();
    let json = serde_json::json!({ "scrapeInterval": "5s" });
    let settings = common::settings_with(&prom.url, json.clone());
    let plugin = PluginProcess::start(plugin::BINARY, &[]);
    let channel = plugin.channel().await;
    let ctx = context(&prom.url, json, &[]);

    let utilization = query("A", r#"{"catalog":"ipam_pool_utilization"}"#);
    let answer = query_data(channel.clone(), ctx.clone(), vec![utilization.clone()]).await;
    assert_eq!(answer["A"].status, 200, "{}", answer["A"].error);
    let series = answer["A"].frames.len();
    assert_eq!(series, 2 * clusters, "one series per cluster and pool");
    let (status, report) =
        call_resource(channel.clone(), ctx.clone(), "report?window=1h", "").await;
    assert_eq!(status, 200, "{report}");
    let ranked = report["clusters"].as_array().map_or(0, Vec::len);
    assert_eq!(ranked, clusters, "the fleet report ranks every cluster");
    println!("checked: {series} pool series, {ranked} clusters in the fleet report");
    let before = requests(&prom);
    query_data(channel.clone(), ctx.clone(), vec![utilization.clone()]).await;
    let asked = requests(&prom) - before;
    println!("store requests for one QueryData of pool utilization: {asked}");
    if !timing {
        return;
    }

    // Direct and plugin runs interleaved, so that the fleet's scrapes (50 pages every 5 s)
    // weigh on both alike; three rounds show how steady the machine was.
    let http = reqwest::Client::new();
    for round in 1..=3 {
        let (mut direct_ms, mut plugin_ms) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            direct_ms.push(elapsed_ms(direct(&http, &prom.url, &settings, &utilization)).await);
            plugin_ms.push(
                elapsed_ms(async {
                    let r =
                        query_data(channel.clone(), ctx.clone(), vec![utilization.clone()]).await;
                    assert_eq!(r["A"].frames.len(), series);
                })
                .await,
            );
        }
        let (direct, through) = (median(direct_ms), median(plugin_ms));
        let goal = if through <= 1.10 * direct + 1.0 {
            "met"
        } else {
            "not met"
        };
        println!(
            "round {round}: pool utilization ({series} series): plugin {through:.1} ms, direct \
             {direct:.1} ms, ratio {:.2} (goal <= 1.10 x direct + 1 ms: {goal})",
            through / direct
        );
    }
    let topology = query("T", r#"{"catalog":"ipam_topology","instant":true}"#);
    let topo = median_ms(RUNS, || async {
        let r = query_data(channel.clone(), ctx.clone(), vec![topology.clone()]).await;
        assert_eq!(r["T"].status, 200, "{}", r["T"].error);
    })
    .await;
    println!("topology ({} nodes): plugin {topo:.1} ms", clusters * nodes);
    let report = median_ms(5, || async {
        let (status, _) = call_resource(channel.clone(), ctx.clone(), "report?window=1h", "").await;
        assert_eq!(status, 200);
    })
    .await;
    let goal = if report <= 2000.0 { "met" } else { "not met" };
    println!("fleet report ({clusters} clusters): {report:.0} ms (goal <= 2000 ms: {goal})");
}

/// Query requests Prometheus has answered so far: its own counter, read off its `/metrics`.
fn requests(prom: &Prometheus) -> f64 {
    let (_, text) = tokio::task::block_in_place(|| prom.get("/metrics", &[])).unwrap();
    text.lines()
        .filter(|l| l.starts_with("prometheus_http_requests_total{"))
        .filter(|l| {
            l.contains(r#"handler="/api/v1/query""#)
                || l.contains(r#"handler="/api/v1/query_range""#)
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The plugin's PromQL for `q`, sent straight to Prometheus's range API.
async fn direct(
    http: &reqwest::Client,
    url: &str,
    settings: &calicoscope_backend::settings::Settings,
    q: &grafana_plugin_sdk::pluginv2::DataQuery,
) {
    let range = q.time_range.unwrap();
    let req = execute::Request {
        ref_id: q.ref_id.clone(),
        json: q.json.clone(),
        from_ms: range.from_epoch_ms,
        to_ms: range.to_epoch_ms,
        interval_ms: q.interval_ms,
        max_data_points: q.max_data_points,
    };
    let plan = execute::plan(&req, settings).unwrap();
    let form = [
        ("query", plan.promql()),
        ("start", format!("{}", plan.window.start_ms as f64 / 1000.0)),
        ("end", format!("{}", plan.window.end_ms as f64 / 1000.0)),
        ("step", format!("{}", plan.window.step.as_secs_f64())),
    ];
    let body = http
        .post(format!("{url}/api/v1/query_range"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(body.starts_with(br#"{"status":"success""#));
}

async fn elapsed_ms(f: impl std::future::Future<Output = ()>) -> f64 {
    let t = Instant::now();
    f.await;
    t.elapsed().as_secs_f64() * 1e3
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

async fn median_ms<F, Fut>(runs: usize, f: F) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(elapsed_ms(f()).await);
    }
    median(times)
}
