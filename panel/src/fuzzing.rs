//! Entry point for the `panel_model` fuzz target in `fuzz/` and its regression test: frames in
//! Grafana's data frame JSON (what `/api/ds/query` answers) → [`Frame`]s → model → layout →
//! raster, for every view. Built with the `fuzzing` feature (and in tests).

use crate::draw::colour::{Lut, Palette, Scale, Theme};
use crate::draw::raster;
use crate::frames::{Field, Frame, Values};
use crate::layout::{heatmap, matrix, topology, Rect};
use crate::model::{read, Model, ViewKind};
use serde_json::Value;

/// Arbitrary bytes through the whole native path of the panel; must never panic.
pub fn panel_model(data: &[u8]) {
    let Ok(json) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let frames = frames_from_json(&json);
    let bounds = Rect::new(0.0, 0.0, 320.0, 200.0);
    for kind in [
        ViewKind::Auto,
        ViewKind::Topology,
        ViewKind::Heatmap,
        ViewKind::Flows,
    ] {
        match read(&frames, kind, "node") {
            Ok(Model::Topology(t)) => {
                let l = topology::layout(&t, bounds, &|_| true);
                for n in &l.nodes {
                    let (x, y) = n.rect.center();
                    let _ = l.hit(x, y);
                }
            }
            Ok(Model::Heatmap(h)) => {
                let l = heatmap::layout(&h, bounds, heatmap::Sort::Peak, 100_000);
                let lut = Lut::new(
                    Scale::Continuous(Palette::Viridis),
                    0.0,
                    1.0,
                    &Theme::new(true),
                );
                let mut buf = Vec::new();
                raster::heatmap(&h, &l.order, 64, 32, &lut, &mut buf);
                let _ = l.hit(&h, 100.0, 100.0);
            }
            Ok(Model::Flows(f)) => {
                let l = matrix::layout(&f, bounds);
                for (x, y) in [(1.0, 1.0), (160.0, 100.0), (319.0, 199.0)] {
                    if let Some((s, d)) = l.hit(x, y) {
                        let _ = f.cell(s, d);
                    }
                }
            }
            Err(_) => {}
        }
    }
}

/// Grafana data frame JSON (one frame or an array of them) → frames; anything unexpected
/// becomes an empty or `Other` field, as the JavaScript reader treats it.
pub fn frames_from_json(json: &Value) -> Vec<Frame> {
    let list = match json {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    list.into_iter()
        .map(|f| {
            let schema = &f["schema"];
            let values = f["data"]["values"].as_array();
            let fields = schema["fields"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            Frame {
                name: schema["name"].as_str().unwrap_or_default().to_string(),
                ref_id: schema["refId"].as_str().unwrap_or_default().to_string(),
                fields: fields
                    .iter()
                    .enumerate()
                    .map(|(i, fd)| field(fd, values.and_then(|v| v.get(i))))
                    .collect(),
            }
        })
        .collect()
}

fn field(fd: &Value, values: Option<&Value>) -> Field {
    let raw = values
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let numbers = || raw.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect();
    let values = match fd["type"].as_str() {
        Some("time") => Values::Time(numbers()),
        Some("number") => Values::Number(numbers()),
        Some("string") => Values::Text(
            raw.iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect(),
        ),
        _ => Values::Other(raw.len()),
    };
    let labels = fd["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Field {
        name: fd["name"].as_str().unwrap_or_default().to_string(),
        labels,
        display_name: fd["config"]["displayNameFromDS"]
            .as_str()
            .map(str::to_string),
        unit: fd["config"]["unit"].as_str().map(str::to_string),
        values,
    }
}

#[cfg(test)]
mod tests {
    /// The fuzz corpus seeds and every input that once crashed (`fuzz/regressions/panel_model`).
    #[test]
    fn regressions_and_seeds_do_not_panic() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fuzz/regressions/panel_model"
        );
        let mut n = 0;
        for entry in std::fs::read_dir(dir).expect("fuzz/regressions/panel_model") {
            let path = entry.unwrap().path();
            super::panel_model(&std::fs::read(&path).unwrap());
            n += 1;
        }
        assert!(n >= 2, "{n} inputs in {dir}");
    }
}
