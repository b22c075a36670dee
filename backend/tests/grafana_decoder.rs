//! Grafana's own Go decoder judges our frames: every catalog query, range and instant, and
//! the `ipam_topology` tables go through the real plugin process over QueryData against a
//! Prometheus scraping the simulated cluster; the Arrow bytes it sends are written to a
//! folder with a manifest of what each frame holds, and `tests/grafana-sdk` (Go, with
//! `grafana-plugin-sdk-go`'s `data.UnmarshalArrowFrame`, as Grafana's server decodes) reads
//! them and checks frame types, field types, labels, units, display names and values.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use calicoscope_backend::frames::{arrow, Frame, Values};
use calicoscope_backend::query::catalog::{Query, CATALOG};
use calicoscope_model::topology;
use common::plugin::{context, query, query_data, PluginProcess, BINARY};
use serde_json::{json, Value};

fn go_program() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/grafana-sdk")
}

/// Builds the Go decoder (Go's build cache makes a second build instant).
fn build_decoder(out: &Path) -> PathBuf {
    let bin = out.join("decode");
    let status = Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(go_program())
        .status()
        .expect("go is installed (scripts/setup.sh)");
    assert!(status.success(), "go build of tests/grafana-sdk failed");
    bin
}

/// What the Go side should find in one frame, from the frame as we built it.
fn expected(file: &str, kind: &str, frame: &Frame, first: bool) -> Value {
    let fields: Vec<Value> = frame
        .fields
        .iter()
        .map(|f| {
            let (ty, first_value, last_value) = match &f.values {
                Values::Time(_) => ("time", None, None),
                Values::Text(_) => ("string", None, None),
                Values::Number(v) => (
                    "number",
                    v.first().copied().filter(|x| x.is_finite()),
                    v.last().copied().filter(|x| x.is_finite()),
                ),
            };
            let config = f.config.clone().unwrap_or_default();
            json!({
                "name": f.name,
                "type": ty,
                "labels": f.labels,
                "unit": config["unit"].as_str().unwrap_or(""),
                "display": config["displayNameFromDS"].as_str().unwrap_or(""),
                "first": first_value,
                "last": last_value,
            })
        })
        .collect();
    json!({
        "file": file,
        "kind": kind,
        "name": frame.name,
        "fields": fields,
        "rows": frame.rows(),
        "executed": first && kind != "table",
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grafanas_go_decoder_reads_every_frame() {
    let prom = tokio::task::spawn_blocking(common::prometheus)
        .await
        .unwrap();
    let plugin = PluginProcess::start(BINARY, &[]);
    let ctx = context(
        &prom.url,
        json!({ "scrapeInterval": "1s", "forecastWindow": "1m", "timeoutSeconds": 120 }),
        &[],
    );
    let mut queries = Vec::new();
    // The tables entry (the topology) is asked once below, as the panel asks it.
    for e in CATALOG.iter().filter(|e| matches!(e.query, Query::Expr(_))) {
        let q = |instant: bool| json!({ "catalog": e.id, "instant": instant }).to_string();
        queries.push(query(&format!("{}/range", e.id), &q(false)));
        queries.push(query(&format!("{}/instant", e.id), &q(true)));
    }
    let topo = json!({ "catalog": topology::QUERY, "instant": true }).to_string();
    queries.push(query(&format!("{}/table", topology::QUERY), &topo));
    // In requests of 16 queries, as a dashboard sends a few panels' worth at a time.
    let channel = plugin.channel().await;
    let mut responses = std::collections::HashMap::new();
    for batch in queries.chunks(16) {
        responses.extend(query_data(channel.clone(), ctx.clone(), batch.to_vec()).await);
    }

    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("grafana-sdk");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let mut manifest = Vec::new();
    let (mut series, mut tables) = (0, 0);
    for (ref_id, resp) in &responses {
        assert!(resp.error.is_empty(), "{ref_id}: {}", resp.error);
        let kind = ref_id.rsplit('/').next().unwrap();
        for (i, bytes) in resp.frames.iter().enumerate() {
            let file = format!("{}-{i}.arrow", ref_id.replace('/', "-"));
            std::fs::write(out.join(&file), bytes).unwrap();
            let frame = arrow::decode(bytes).unwrap().0;
            if kind == "table" {
                tables += 1;
            } else if frame.rows() > 0 {
                series += 1;
            }
            manifest.push(expected(&file, kind, &frame, i == 0));
        }
    }
    assert_eq!(tables, 2, "pools and nodes");
    assert!(series > 200, "only {series} series frames");
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();

    let decoder = build_decoder(&out);
    let run = Command::new(decoder).arg(&out).output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    println!("{stdout}");
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary = format!("{} passed, 0 failed", manifest.len());
    assert!(stdout.contains(&summary), "want {summary:?}: {stdout}");
    plugin.stop();
}
