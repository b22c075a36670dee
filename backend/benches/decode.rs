//! Benchmark: a Prometheus matrix answer of 5000 series × 720 points converted into frames,
//! against serde_json merely skipping the same bytes (`IgnoredAny`).
//! Targets (goals, printed, not asserted): time ≤ 1.5× the skip, peak extra memory ≤ 2× the
//! answer's size.
//!
//! ```text
//! cargo bench -p calicoscope-backend --bench decode
//! ```

use std::time::Duration;

use calicoscope_backend::client::ApiResponse;
use calicoscope_backend::frames::arrow;
use calicoscope_backend::frames::convert::{to_frames, Shape};

#[path = "common/counting.rs"]
mod counting;
#[path = "common/timing.rs"]
mod timing;
use timing::{median, time};

/// A matrix answer shaped like `ipam_allocations_in_use` for 5000 nodes; `fractional`
/// values look like a rate's (`0.4666666666666667`, as Prometheus prints floats) rather than
/// a gauge's integers.
fn matrix(series: usize, points: usize, fractional: bool) -> Vec<u8> {
    let mut out = String::with_capacity(series * points * 28);
    out.push_str(r#"{"status":"success","data":{"resultType":"matrix","result":["#);
    for s in 0..series {
        if s > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"metric":{{"__name__":"ipam_allocations_in_use","ippool":"default-ipv4-ippool","node":"node-{s:04}","job":"calico-kube-controllers","instance":"10.0.0.1:9094"}},"values":["#
        ));
        for p in 0..points {
            if p > 0 {
                out.push(',');
            }
            let v = ((s * 7 + p) % 250) as f64;
            let v = if fractional { v / 15.0 } else { v };
            out.push_str(&format!(
                r#"[{}.{:03},"{v}"]"#,
                1_700_000_000 + p * 15,
                p % 1000,
            ));
        }
        out.push_str("]}");
    }
    out.push_str("]}}");
    out.into_bytes()
}

fn shape() -> Shape<'static> {
    Shape {
        expr: "x",
        step: Some(Duration::from_secs(15)),
        unit: Some("short"),
        legend: "{{node}}",
        cluster: "",
    }
}

/// Skip, decode and decode + frames of one answer, interleaved so that a noisy neighbour
/// hurts each alike; prints the medians and the ratio to the skip.
fn compare(what: &str, body: &[u8], series: usize) {
    let (mut skip, mut decode_only, mut convert) = (vec![], vec![], vec![]);
    for _ in 0..7 {
        skip.push(time(|| {
            serde_json::from_slice::<serde::de::IgnoredAny>(body).unwrap();
        }));
        decode_only.push(time(|| {
            ApiResponse::from_slice(body).unwrap();
        }));
        convert.push(time(|| {
            let frames = to_frames(ApiResponse::from_slice(body).unwrap(), &shape());
            assert_eq!(frames.len(), series);
        }));
    }
    let (skip, decode_only, convert) = (median(skip), median(decode_only), median(convert));
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{what}, {:.1} MB: serde_json IgnoredAny skip {:.1} ms, decode only {:.1} ms, decode + frames {:.1} ms",
        body.len() as f64 / 1e6,
        ms(skip),
        ms(decode_only),
        ms(convert)
    );
    println!(
        "{what}: time ratio (target <= 1.5): {:.2}",
        convert.as_secs_f64() / skip.as_secs_f64()
    );
}

fn main() {
    let series: usize = std::env::var("BENCH_SERIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000);
    println!("answers: {series} series x 720 points");
    let body = matrix(series, 720, true);
    compare("fractional values (rates)", &body, series);
    drop(body);
    let body = matrix(series, 720, false);
    compare("integer values (gauges)", &body, series);

    // Arrow encoding of the same frames, as QueryData sends them to Grafana.
    let encode = median(
        (0..3)
            .map(|_| {
                let frames = to_frames(ApiResponse::from_slice(&body).unwrap(), &shape());
                time(|| {
                    let encoded = arrow::encode_all(frames, "A").unwrap();
                    assert_eq!(encoded.len(), series);
                })
            })
            .collect(),
    );
    // Peak heap beyond the answer itself while decoding it into frames (frees of memory
    // allocated before counting started can only lower the figure below zero, never raise it).
    let (frames, peak_extra, _) =
        counting::heap(|| to_frames(ApiResponse::from_slice(&body).unwrap(), &shape()));
    drop(frames);

    println!(
        "Arrow encoding of the {series} frames: {:.1} ms (not part of the ratio)",
        encode.as_secs_f64() * 1e3
    );
    println!(
        "peak extra memory: {:.1} MB = {:.2}x the answer (target <= 2.0)",
        peak_extra as f64 / 1e6,
        peak_extra as f64 / body.len() as f64
    );
}
