//! How long the simulated Goldmane takes to answer over its whole hour with many
//! namespaces: `cargo run --release -p calicoscope-sim --example flows_bench [tenants]`.

use calicoscope_goldmane::v3_32::{FlowListRequest, StatisticsRequest};
use calicoscope_sim::flows::Model;
use calicoscope_sim::goldmane::{list, stats, store};
use calicoscope_sim::Config;
use prost::Message;
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
    // One answer, as the datasource asks (pages over the time sort are not stable).
    let answer = list::list(&store, &FlowListRequest::default(), now, 0).unwrap();
    let elapsed = t.elapsed();
    let (flows, bytes) = (answer.flows.len(), answer.encoded_len());
    println!(
        "List, the whole hour, one answer: {elapsed:?} ({flows} flows, {bytes} bytes, {} a flow)",
        bytes / flows.max(1)
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
