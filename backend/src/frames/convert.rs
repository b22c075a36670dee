//! Prometheus answers → frames shaped like Grafana's own Prometheus datasource makes them:
//! one frame per series with `Time` and `Value`, labels on `Value`, the first frame carrying
//! `executedQueryString`, warnings as notices, and one empty frame for an empty result.

use std::{collections::BTreeMap, time::Duration};

use serde_json::{json, Value};

use super::frame::{Custom, Field, Frame, FrameMeta, FrameType, Severity, Values};
use crate::client::{ApiResponse, Series};
use crate::query::time::format_duration;

/// How to shape one query's frames.
pub struct Shape<'a> {
    pub expr: &'a str,
    /// Range step; `None` for an instant query.
    pub step: Option<Duration>,
    pub unit: Option<&'a str>,
    /// Grafana legend format (`{{label}}`); empty means the series' labels.
    pub legend: &'a str,
    /// A label whose value leads the legend (`east/…`) when the series hold more than one
    /// value of it: the cluster label, for an entry's own legend. Empty: none.
    pub cluster: &'a str,
}

pub fn to_frames(resp: ApiResponse, shape: &Shape) -> Vec<Frame> {
    let frame_type = if shape.step.is_some() {
        FrameType::TimeseriesMulti
    } else {
        FrameType::NumericMulti
    };
    let legend = fleet_legend(&resp.series, shape);
    let shape = &Shape {
        legend: &legend,
        ..*shape
    };
    let mut frames: Vec<Frame> = resp
        .series
        .into_iter()
        .map(|s| series_frame(s, shape))
        .collect();
    if frames.is_empty() {
        frames.push(Frame::new(""));
    }
    for f in &mut frames {
        f.meta = Some(FrameMeta {
            frame_type: Some(frame_type),
            type_version: Some([0, 1]),
            custom: Some(Custom {
                result_type: resp.result_type.clone(),
            }),
            ..FrameMeta::default()
        });
    }
    let first = &mut frames[0];
    first.meta_mut().executed_query_string = Some(executed_query_string(shape.expr, shape.step));
    for w in &resp.warnings {
        first.add_notice(Severity::Warning, w.as_str());
    }
    for i in &resp.infos {
        first.add_notice(Severity::Info, i.as_str());
    }
    frames
}

/// The legend, led by `{{cluster}}/` when the series come from more than one cluster.
fn fleet_legend(series: &[Series], shape: &Shape) -> String {
    let label = shape.cluster;
    let mut clusters = series.iter().filter_map(|s| s.labels.get(label));
    let first = clusters.next();
    let several = !label.is_empty() && clusters.any(|c| Some(c) != first);
    match several && !shape.legend.is_empty() {
        true => format!("{{{{{label}}}}}/{}", shape.legend),
        false => shape.legend.to_string(),
    }
}

fn series_frame(s: Series, shape: &Shape) -> Frame {
    let display = if shape.legend.is_empty() {
        series_name(&s.labels)
    } else {
        format_legend(shape.legend, &s.labels)
    };
    let mut time = Field::new("Time", Values::Time(s.times_ms));
    if let Some(step) = shape.step {
        time = time.with_config(json!({ "interval": step.as_millis() as u64 }));
    }
    let mut config = serde_json::Map::new();
    if let Some(unit) = shape.unit {
        config.insert("unit".into(), json!(unit));
    }
    if !shape.legend.is_empty() {
        config.insert("displayNameFromDS".into(), json!(display));
    }
    let mut value = Field::new("Value", Values::Number(s.values));
    value.labels = s.labels;
    if !config.is_empty() {
        value = value.with_config(Value::Object(config));
    }
    Frame {
        name: display,
        fields: vec![time, value],
        meta: None,
    }
}

/// Grafana's legend format: `{{label}}` becomes the label's value (empty if absent).
pub fn format_legend(legend: &str, labels: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(legend.len());
    let mut rest = legend;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = rest[open + 2..open + close].trim();
        out.push_str(labels.get(name).map_or("", String::as_str));
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// `name{a="b", c="d"}`, as Prometheus prints a series.
fn series_name(labels: &BTreeMap<String, String>) -> String {
    let name = labels.get("__name__").cloned().unwrap_or_default();
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| *k != "__name__")
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    if rest.is_empty() {
        name
    } else {
        format!("{name}{{{}}}", rest.join(", "))
    }
}

/// The query inspector's text, as Grafana's Prometheus datasource writes it.
pub fn executed_query_string(expr: &str, step: Option<Duration>) -> String {
    match step {
        Some(step) => format!("Expr: {expr}\nStep: {}", format_duration(step)),
        None => format!("Expr: {expr}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legend_formats_like_grafana() {
        let labels = BTreeMap::from([("ippool".to_string(), "p1".to_string())]);
        let cases = [
            ("{{ippool}}", "p1"),
            ("pool {{ ippool }} on {{node}}", "pool p1 on "),
            ("x {{", "x {{"),
        ];
        for (legend, want) in cases {
            assert_eq!(format_legend(legend, &labels), want, "{legend}");
        }
    }
}
