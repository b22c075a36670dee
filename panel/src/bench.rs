//! Benchmarks run in the browser (`tests/browser/bench.mjs`): the heatmap, topology and flow
//! matrix draw paths on synthetic data of a stated size, timed with `performance.now()`. Feature
//! `test-hooks` only: the product does not export them.

use crate::draw::canvas;
use crate::draw::colour::{Lut, Palette, Scale, Theme};
use crate::frames::{Field, Frame, Values};
use crate::layout::{heatmap, matrix, topology, Rect};
use crate::model::flows;
use crate::model::{Heatmap, NodeRow, Pool, Row, Topology};
use calicoscope_model::flows::{field, FLOWS};
use calicoscope_model::Family;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    Ok(canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .unchecked_into())
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Draw a heatmap of `rows × cols` values (row-major in `values`) into the whole canvas
/// `runs` times; returns each run's milliseconds (layout + raster + putImageData).
#[wasm_bindgen]
pub fn bench_heatmap(
    canvas: &HtmlCanvasElement,
    values: &[f64],
    rows: usize,
    cols: usize,
    runs: usize,
) -> Result<Vec<f64>, JsValue> {
    let heat = Heatmap {
        times: (0..cols).map(|c| c as f64 * 10_000.0).collect(),
        rows: values
            .chunks(cols)
            .take(rows)
            .enumerate()
            .map(|(i, v)| Row::new(format!("node-{i}"), None, v.to_vec()))
            .collect(),
        unit: Some("percentunit".into()),
    };
    let ctx = context(canvas)?;
    let theme = Theme::new(true);
    let lut = Lut::new(Scale::Continuous(Palette::Viridis), 0.0, 1.0, &theme);
    let bounds = Rect::new(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    let mut buf = Vec::new();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t0 = now();
        let l = heatmap::layout(&heat, bounds, heatmap::Sort::Name, usize::MAX);
        let l = heatmap::Layout {
            plot: bounds,
            labels: false,
            ..l
        };
        canvas::heatmap(&ctx, &heat, &l, &lut, &theme, 1.0, &mut buf)?;
        times.push(now() - t0);
    }
    Ok(times)
}

/// Layout and draw a topology of `nodes` nodes over `pools` pools, `runs` times. With
/// `clusters` > 1 the nodes and pools are split over that many clusters that share pool and
/// node names (a fleet built from one template), drawn cluster → pool → node.
#[wasm_bindgen]
pub fn bench_topology(
    canvas: &HtmlCanvasElement,
    nodes: usize,
    pools: usize,
    clusters: usize,
    runs: usize,
) -> Result<Vec<f64>, JsValue> {
    let t = synthetic_topology(nodes, pools.max(1), clusters.max(1));
    let ctx = context(canvas)?;
    let theme = Theme::new(true);
    let lut = Lut::new(Scale::Continuous(Palette::Viridis), 0.0, 1.0, &theme);
    let bounds = Rect::new(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t0 = now();
        canvas::clear(&ctx, &theme, bounds.w, bounds.h);
        let l = topology::layout(&t, bounds, &|_| true);
        canvas::topology(&ctx, &t, &l, &lut, &theme);
        times.push(now() - t0);
    }
    Ok(times)
}

fn synthetic_topology(nodes: usize, pools: usize, clusters: usize) -> Topology {
    let per_cluster = pools.div_ceil(clusters);
    let cluster_of = |i: usize| match clusters {
        1 => String::new(),
        _ => format!("cluster-{:02}", i % clusters),
    };
    let nodes: Vec<NodeRow> = (0..nodes)
        .map(|i| {
            let blocks = (i % 4 + 1) as f64;
            let in_use = ((i * 7919) % 64) as f64 * blocks;
            NodeRow {
                cluster: cluster_of(i),
                pool: format!("pool-{}-ipv4", (i / clusters) % per_cluster),
                node: if i % 997 == 0 {
                    "no_affinity".into()
                } else {
                    // Names repeat across clusters, as in a fleet built from one template.
                    format!("node-{}", i / clusters)
                },
                blocks,
                capacity: blocks * 64.0,
                in_use,
                borrowed: if i % 50 == 0 { 3.0 } else { 0.0 },
                leaked: if i % 70 == 0 { 1.0 } else { 0.0 },
                utilization: in_use / (blocks * 64.0),
            }
        })
        .collect();
    let pools = (0..clusters * per_cluster)
        .map(|p| Pool {
            cluster: cluster_of(p),
            name: format!("pool-{}-ipv4", p / clusters),
            family: Family::Ipv4,
            size: 1_048_576.0,
            reserved: 0.0,
            in_use: 0.0,
            free: 0.0,
            borrowed: 0.0,
            leaked: 0.0,
            blocks: 0.0,
            utilization: 0.5,
            days_to_full: None,
        })
        .collect();
    Topology { pools, nodes }
}

/// Read, lay out and draw a flow matrix of `namespaces` namespaces, each sending to `fan_out`
/// others (a quarter of the pairs denied), `runs` times: what a data refresh costs.
#[wasm_bindgen]
pub fn bench_flows(
    canvas: &HtmlCanvasElement,
    namespaces: usize,
    fan_out: usize,
    runs: usize,
) -> Result<Vec<f64>, JsValue> {
    let frames = [synthetic_flows(namespaces, fan_out)];
    let ctx = context(canvas)?;
    let theme = Theme::new(true);
    let bounds = Rect::new(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t0 = now();
        let f = flows::read(&frames).map_err(|e| JsValue::from_str(&e))?;
        canvas::clear(&ctx, &theme, bounds.w, bounds.h);
        let l = matrix::layout(&f, bounds);
        canvas::flows(&ctx, &f, &l, &theme, Some((1, 2)));
        times.push(now() - t0);
    }
    Ok(times)
}

fn synthetic_flows(namespaces: usize, fan_out: usize) -> Frame {
    let pairs: Vec<(usize, usize)> = (0..namespaces)
        .flat_map(|s| (1..=fan_out).map(move |k| (s, (s * 31 + k * 7) % namespaces)))
        .collect();
    let ns = |i: usize| format!("ns-{i:03}");
    let text = |name: &str, f: &dyn Fn(usize, (usize, usize)) -> String| Field {
        name: name.into(),
        labels: Vec::new(),
        display_name: None,
        unit: None,
        values: Values::Text(pairs.iter().enumerate().map(|(i, p)| f(i, *p)).collect()),
    };
    let packets = Field {
        values: Values::Number((0..pairs.len()).map(|i| (i % 1000) as f64).collect()),
        ..text(field::PACKETS_IN, &|_, _| String::new())
    };
    let action = |i: usize| if i.is_multiple_of(4) { "deny" } else { "allow" }.to_string();
    Frame {
        name: FLOWS.into(),
        ref_id: "A".into(),
        fields: vec![
            text(field::SOURCE_NAMESPACE, &|_, (s, _)| ns(s)),
            text(field::SOURCE_TYPE, &|_, _| "workload".into()),
            text(field::SOURCE_NAME, &|i, _| format!("client-{}-", i % 7)),
            text(field::DEST_NAMESPACE, &|_, (_, d)| ns(d)),
            text(field::DEST_TYPE, &|_, _| "workload".into()),
            text(field::DEST_NAME, &|_, _| "api-".into()),
            text(field::ACTION, &|i, _| action(i)),
            text(field::PENDING_ACTION, &|i, _| action(i)),
            text(field::ENFORCED, &|i, (_, d)| {
                format!("default/knp:{}/policy-{} {}", ns(d), i % 3, action(i))
            }),
            packets.clone(),
            Field {
                name: field::PACKETS_OUT.into(),
                ..packets
            },
        ],
    }
}
