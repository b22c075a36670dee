//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer) and for the
//! regression tests that replay their corpus and past crashes (`tests/fuzz_regressions.rs`).
//! Each takes arbitrary bytes and must return without panicking.

use std::time::Duration;

use crate::client::ApiResponse;
use crate::execute::{plan, Request};
use crate::frames::{arrow, convert};
use crate::settings::Settings;

/// The editor's query JSON → the query model → the PromQL plan.
pub fn query_model(data: &[u8]) {
    let settings = Settings::new(
        "http://127.0.0.1:9090",
        None,
        Default::default(),
        Default::default(),
    )
    .expect("default settings");
    let req = Request {
        ref_id: "A".into(),
        json: data.to_vec(),
        from_ms: 1_700_000_000_000,
        to_ms: 1_700_003_600_000,
        interval_ms: 15_000,
        max_data_points: 720,
    };
    let _ = plan(&req, &settings);
}

/// A Prometheus API answer → columns → frames → Arrow, as a range and as an instant answer.
pub fn response_frames(data: &[u8]) {
    let Ok(resp) = ApiResponse::from_slice(data) else {
        return;
    };
    for step in [Some(Duration::from_secs(15)), None] {
        let shape = convert::Shape {
            expr: "up",
            step,
            unit: Some("short"),
            legend: "{{node}} {{ippool}}",
            cluster: "cluster",
        };
        let frames = convert::to_frames(resp.clone(), &shape);
        for bytes in arrow::encode_all(frames, "A").expect("frames encode") {
            arrow::decode(&bytes).expect("encoded frames decode");
        }
    }
}
