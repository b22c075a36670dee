//! Benchmark: QueryData through the plugin protocol (the release binary started as Grafana
//! starts it) against the same PromQL sent straight to Prometheus's HTTP API, on a simulated
//! 5000-node cluster, in three rounds. Goal (printed, not asserted): each query within
//! 1.10 × direct + 1 ms. Per query it also times the plugin's stages in this process on the
//! direct answer (decode, frames, Arrow), and the gRPC leg alone: the same encoded frames
//! answered by a bare QueryData server in this process (`common/canned.rs`); the rest is what
//! the plugin does around them. And, as an estimate from those measured parts, the plugin's
//! time if the answer were one `timeseries-wide` frame (one time column, one value column
//! per series) instead of one frame per series.
//!
//! Then a load phase: 200 concurrent QueryData requests of mixed catalog queries (through
//! Prometheus, then through Thanos Query over two Prometheus 3 replicas), each
//! checked against the answer the same query gave alone; prints p50/p99 latency and the
//! plugin's peak RSS.
//!
//! ```text
//! cargo bench -p calicoscope-backend --bench querydata
//! ```

#[path = "common/canned.rs"]
mod canned;
#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use calicoscope_backend::client::ApiResponse;
use calicoscope_backend::execute;
use calicoscope_backend::frames::frame::Frame;
use calicoscope_backend::frames::{arrow, convert::to_frames};
use calicoscope_sim::Config;
use calicoscope_testkit::{calico_jobs, Prometheus, Simulator, ThanosHa};
use canned::Canned;
use common::plugin::{self, context, query, query_data, PluginProcess};

const NODES: usize = 5000;
const RUNS: usize = 15;
const ROUNDS: usize = 3;
const QUERIES: &[&str] = &[
    "ipam_pool_utilization",
    "ipam_node_in_use",
    "felix_apply_p99_by_node",
    "typha_cache_size",
];

#[tokio::main]
async fn main() {
    let mut cfg = Config::demo(NODES);
    cfg.speed = 0.0;
    let sim = Simulator::start(cfg);
    let jobs = calico_jobs(&sim, false);
    println!("starting Prometheus scraping a {NODES}-node simulated cluster (every 5 s)...");
    let prom = tokio::task::spawn_blocking(move || {
        let p = Prometheus::start(&jobs, Duration::from_secs(5), "1h").unwrap();
        p.wait_for(
            "count_over_time(felix_resync_state[2m]) >= 4",
            NODES,
            Duration::from_secs(180),
        )
        .unwrap();
        p
    })
    .await
    .unwrap();
    let json = serde_json::json!({ "scrapeInterval": "5s" });
    let settings = common::settings_with(&prom.url, json.clone());
    let plugin = PluginProcess::start(plugin::BINARY, &[]);
    let channel = plugin.channel().await;
    let canned = Canned::start().await;
    let ctx = context(&prom.url, json, &[]);
    let http = reqwest::Client::new();

    // Each query's plan and the form the direct request sends.
    let plans: Vec<_> = QUERIES
        .iter()
        .map(|id| {
            let q = query("A", &format!(r#"{{"catalog":"{id}"}}"#));
            let range = q.time_range.unwrap();
            let req = execute::Request {
                ref_id: "A".into(),
                json: q.json.clone(),
                from_ms: range.from_epoch_ms,
                to_ms: range.to_epoch_ms,
                interval_ms: q.interval_ms,
                max_data_points: q.max_data_points,
            };
            (*id, q, execute::plan(&req, &settings).unwrap())
        })
        .collect();

    // Three rounds over the queries, each query's direct and plugin runs interleaved, so
    // that the spread between rounds shows how steady the machine was.
    let mut per_query: Vec<Vec<f64>> = vec![vec![]; QUERIES.len()];
    for round in 1..=ROUNDS {
        println!("round {round} of {ROUNDS} (medians of {RUNS} runs; stages measured in-process on the direct answer)");
        println!(
            "{:<24} {:>6} {:>8} | {:>7} {:>7} {:>7} {:>7} {:>7} | {:>8} {:>6} {:>5} | {:>10}",
            "query",
            "series",
            "direct",
            "decode",
            "frames",
            "arrow",
            "grpc",
            "rest",
            "plugin",
            "ratio",
            "goal",
            "wide ratio"
        );
        for (i, (id, q, plan)) in plans.iter().enumerate() {
            let s = measure(&http, &prom.url, plan, &channel, &canned, &ctx, q).await;
            let ratio = s.plugin / s.direct;
            let goal = s.plugin <= 1.10 * s.direct + 1.0;
            per_query[i].push(ratio);
            // The estimate swaps the per-series Arrow and gRPC stages for the wide frame's.
            let wide = s.wide.map_or("-".to_string(), |w| {
                format!("{:.2}", (s.plugin - s.arrow - s.grpc + w) / s.direct)
            });
            println!(
                "{id:<24} {:>6} {:>8.1} | {:>7.1} {:>7.1} {:>7.1} {:>7.1} {:>7.1} | {:>8.1} {ratio:>6.2} {:>5} | {wide:>10}",
                s.series,
                s.direct,
                s.decode,
                s.frames,
                s.arrow,
                s.grpc,
                s.plugin - s.direct - s.decode - s.frames - s.arrow - s.grpc,
                s.plugin,
                if goal { "met" } else { "no" }
            );
        }
    }
    println!("ratio plugin/direct per query over {ROUNDS} rounds (min..max): goal each <= 1.10 x direct + 1 ms");
    for ((id, _, _), ratios) in plans.iter().zip(&per_query) {
        let (lo, hi) = ratios
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
        println!("  {id:<24} {lo:.2}..{hi:.2}");
    }
    let mut last: Vec<f64> = per_query.iter().map(|r| r[r.len() - 1]).collect();
    last.sort_by(f64::total_cmp);
    println!(
        "median ratio of the last round: {:.2}",
        last[last.len() / 2]
    );

    // 200 heavy queries at once saturate a 2-core Prometheus for about a minute: allow it.
    let json = serde_json::json!({ "scrapeInterval": "5s", "timeoutSeconds": 180 });
    let mut patient = context(&prom.url, json, &[]);
    // A newer `updated` time, as Grafana sends after a save, so the plugin rereads settings.
    patient
        .data_source_instance_settings
        .as_mut()
        .unwrap()
        .last_updated_ms += 1;
    load("Prometheus", &plugin, channel.clone(), patient).await;
    drop(prom);

    // The same load through Thanos Query over two Prometheus 3 replicas (deduplicating).
    println!("starting two Prometheus 3 replicas, their sidecars and Thanos Query...");
    let jobs = calico_jobs(&sim, false);
    let ha = tokio::task::spawn_blocking(move || {
        let ha = ThanosHa::start(&jobs, Duration::from_secs(5)).unwrap();
        ha.wait_for(
            "count_over_time(felix_resync_state[2m]) >= 4",
            NODES,
            Duration::from_secs(240),
        )
        .unwrap();
        ha
    })
    .await
    .unwrap();
    let json = serde_json::json!({ "scrapeInterval": "5s", "timeoutSeconds": 180 });
    load(
        "Thanos Query",
        &plugin,
        channel,
        context(&ha.url, json, &[]),
    )
    .await;
}

/// One query's medians, in ms: straight to Prometheus (`direct`), the plugin's stages on
/// that same answer in this process, and QueryData end to end through the plugin.
struct Stages {
    series: usize,
    direct: f64,
    decode: f64,
    frames: f64,
    arrow: f64,
    /// The encoded frames through a bare QueryData server (`common/canned.rs`).
    grpc: f64,
    plugin: f64,
    /// The same answer as one wide frame: joining the series, Arrow and gRPC (`None` when
    /// the series do not share their timestamps, as a wide frame without nulls needs).
    wide: Option<f64>,
}

async fn measure(
    http: &reqwest::Client,
    url: &str,
    plan: &execute::Plan,
    channel: &tonic::transport::Channel,
    canned: &Canned,
    ctx: &grafana_plugin_sdk::pluginv2::PluginContext,
    q: &grafana_plugin_sdk::pluginv2::DataQuery,
) -> Stages {
    let expr = plan.promql();
    let form = [
        ("query", expr.clone()),
        ("start", format!("{}", plan.window.start_ms as f64 / 1000.0)),
        ("end", format!("{}", plan.window.end_ms as f64 / 1000.0)),
        ("step", format!("{}", plan.window.step.as_secs_f64())),
    ];
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let mut runs: [Vec<f64>; 6] = Default::default();
    let mut wide_runs = Vec::new();
    let mut series = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let body = http
            .post(format!("{url}/api/v1/query_range"))
            .form(&form)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        runs[0].push(ms(t));

        let t = Instant::now();
        let resp = ApiResponse::from_slice(&body).unwrap();
        runs[1].push(ms(t));
        let t = Instant::now();
        let frames = to_frames(resp, &plan.shape(&expr));
        runs[2].push(ms(t));
        let wide_input = frames.clone();
        let t = Instant::now();
        let encoded = arrow::encode_all(frames, "A").unwrap();
        runs[3].push(ms(t));
        runs[5].push(canned.round_trip(encoded).await);

        let t = Instant::now();
        if let Some(wide) = widen(wide_input) {
            let encoded = arrow::encode_all(vec![wide], "A").unwrap();
            let encoding = ms(t);
            wide_runs.push(encoding + canned.round_trip(encoded).await);
        }

        let t = Instant::now();
        let responses = query_data(channel.clone(), ctx.clone(), vec![q.clone()]).await;
        runs[4].push(ms(t));
        assert_eq!(responses["A"].status, 200, "{}", responses["A"].error);
        series = responses["A"].frames.len();
    }
    let [direct, decode, frames, arrow, plugin, grpc] = runs.map(median_ms);
    Stages {
        series,
        direct,
        decode,
        frames,
        arrow,
        grpc,
        plugin,
        wide: (wide_runs.len() == RUNS).then(|| median_ms(wide_runs)),
    }
}

/// One frame with the first series' time column and every series' value column (labels
/// and config kept on each), or `None` unless all series have the same timestamps.
fn widen(frames: Vec<Frame>) -> Option<Frame> {
    let mut frames = frames.into_iter();
    let mut wide = frames.next()?;
    for frame in frames {
        let [time, value]: [_; 2] = frame.fields.try_into().ok()?;
        if time.values != wide.fields[0].values {
            return None;
        }
        wide.fields.push(value);
    }
    Some(wide)
}

fn median_ms(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// 200 concurrent QueryData requests, mixed catalog queries, all checked.
async fn load(
    store: &str,
    plugin: &PluginProcess,
    channel: tonic::transport::Channel,
    ctx: grafana_plugin_sdk::pluginv2::PluginContext,
) {
    const MIXED: &[&str] = &[
        "ipam_pool_utilization",
        "ipam_pool_free",
        "ipam_leaked",
        "typha_cache_size",
        "felix_cluster_hosts",
        "ipam_node_in_use",
        "felix_apply_p99_by_node",
    ];
    let mut expected = std::collections::HashMap::new();
    for id in MIXED {
        let q = query("A", &format!(r#"{{"catalog":"{id}"}}"#));
        let r = query_data(channel.clone(), ctx.clone(), vec![q]).await;
        expected.insert(*id, r["A"].frames.len());
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let (channel, ctx, id) = (channel.clone(), ctx.clone(), MIXED[i % MIXED.len()]);
            tokio::spawn(async move {
                let t = Instant::now();
                let q = query("A", &format!(r#"{{"catalog":"{id}"}}"#));
                let r = query_data(channel, ctx, vec![q]).await;
                (id, t.elapsed(), r["A"].status, r["A"].frames.len())
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut wrong = 0;
    for task in tasks {
        let (id, took, status, frames) = task.await.unwrap();
        if status != 200 || frames != expected[id] {
            wrong += 1;
            println!(
                "load: {id} answered status {status} with {frames} frames, expected {}",
                expected[id]
            );
        }
        latencies.push(took);
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "load via {store}: 200 concurrent QueryData in {:.1} s, {} answered correctly, p50 {:.0} ms, p99 {:.0} ms, plugin peak RSS {:.0} MB",
        started.elapsed().as_secs_f64(),
        200 - wrong,
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        plugin.peak_rss() as f64 / 1e6
    );
}
