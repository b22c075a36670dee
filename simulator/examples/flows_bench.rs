//! How long the simulated Goldmane takes to answer over its whole hour with many
//! namespaces: `cargo run --release -p calicoscope-sim --example flows_bench [tenants]`.

use calicoscope_goldmane::v3_32::{FlowListRequest, StatisticsRequest};
use calicoscope_sim::flows::Model;
use calicoscope_sim::goldmane::{list, stats, store};
use calicoscope_sim::Config;
use std::time::Instant;

fn main() {
    let tenants = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    let mut cfg = Config::demo(200);
    cfg.flows.tenants = tenants;
    let t = Instant::now();
    let store = store::Store {
        model: Model::new(&cfg),
    };
    println!(
        "{tenants} tenants: {} flow keys, model built in {:?}",
        store.model.series.len(),
        t.elapsed()
    );
    let now = store::now();
    let t = Instant::now();
    let answer = list::list(
        &store,
        &FlowListRequest {
            page_size: 100,
            ..Default::default()
        },
        now,
    )
    .unwrap();
    let meta = answer.meta.unwrap();
    println!(
        "List, the whole hour, page of 100: {:?} ({} flows)",
        t.elapsed(),
        meta.total_results
    );
    let t = Instant::now();
    let req = StatisticsRequest {
        time_series: true,
        ..Default::default()
    };
    let results = stats::statistics(&store, &req, now).unwrap();
    println!(
        "Statistics, the whole hour, per policy: {:?} ({} results)",
        t.elapsed(),
        results.len()
    );
}
