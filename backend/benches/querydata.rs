//! Benchmark: QueryData through the plugin protocol (the release binary started as Grafana
//! starts it) against the same PromQL sent straight to Prometheus's HTTP API, on a simulated
//! 5000-node cluster. Target (a goal, printed, not asserted): median ratio ≤ 1.10.
//!
//! ```text
//! cargo bench -p calicoscope-backend --bench querydata
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use calicoscope_backend::execute;
use calicoscope_sim::Config;
use calicoscope_testkit::{calico_jobs, Prometheus, Simulator};
use common::plugin::{context, query, query_data, PluginProcess};

const NODES: usize = 5000;
const RUNS: usize = 15;
const QUERIES: &[&str] = &[
    "ipam_pool_utilization",
    "ipam_node_in_use",
    "felix_apply_p99_by_node",
    "typha_cache_size",
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

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
    let plugin = PluginProcess::start(&[]);
    let channel = plugin.channel().await;
    let ctx = context(&prom.url, json, &[]);
    let http = reqwest::Client::new();

    println!(
        "{:<26} {:>8} {:>12} {:>12} {:>7}",
        "query", "series", "direct ms", "plugin ms", "ratio"
    );
    let mut ratios = Vec::new();
    for id in QUERIES {
        let q = query("A", &format!(r#"{{"catalog":"{id}"}}"#));
        let range = q.time_range.clone().unwrap();
        let req = execute::Request {
            ref_id: "A".into(),
            json: q.json.clone(),
            from_ms: range.from_epoch_ms,
            to_ms: range.to_epoch_ms,
            interval_ms: q.interval_ms,
            max_data_points: q.max_data_points,
        };
        let plan = execute::plan(&req, &settings).unwrap();
        let form = [
            ("query", plan.expr.clone()),
            ("start", format!("{}", plan.window.start_ms as f64 / 1000.0)),
            ("end", format!("{}", plan.window.end_ms as f64 / 1000.0)),
            ("step", format!("{}", plan.window.step.as_secs_f64())),
        ];
        let (mut direct, mut via_plugin, mut series) = (vec![], vec![], 0);
        for _ in 0..RUNS {
            let t = Instant::now();
            let body = http
                .post(format!("{}/api/v1/query_range", prom.url))
                .form(&form)
                .send()
                .await
                .unwrap();
            let bytes = body.bytes().await.unwrap();
            direct.push(t.elapsed());
            assert!(bytes.starts_with(br#"{"status":"success""#));

            let t = Instant::now();
            let responses = query_data(channel.clone(), ctx.clone(), vec![q.clone()]).await;
            via_plugin.push(t.elapsed());
            assert_eq!(responses["A"].status, 200, "{}", responses["A"].error);
            series = responses["A"].frames.len();
        }
        let (d, p) = (median(direct), median(via_plugin));
        let ratio = p.as_secs_f64() / d.as_secs_f64();
        ratios.push(ratio);
        println!(
            "{id:<26} {series:>8} {:>12.1} {:>12.1} {ratio:>7.2}",
            d.as_secs_f64() * 1e3,
            p.as_secs_f64() * 1e3
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "median ratio plugin/direct (target <= 1.10): {:.2}",
        ratios[ratios.len() / 2]
    );
}
