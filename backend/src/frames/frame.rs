//! A data frame as Grafana models it: named, typed columns with labels and display config.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Milliseconds since the epoch (encoded as nanosecond timestamps).
    Time(Vec<i64>),
    Number(Vec<f64>),
    Text(Vec<String>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Time(v) => v.len(),
            Values::Number(v) => v.len(),
            Values::Text(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub values: Values,
    pub labels: BTreeMap<String, String>,
    /// Grafana field config (`unit`, `displayNameFromDS`, `interval`, ...).
    pub config: Option<Value>,
}

impl Field {
    pub fn new(name: &str, values: Values) -> Self {
        Self {
            name: name.to_string(),
            values,
            labels: BTreeMap::new(),
            config: None,
        }
    }

    pub fn with_config(mut self, config: Value) -> Self {
        self.config = Some(config);
        self
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    pub name: String,
    pub fields: Vec<Field>,
    /// Grafana frame meta; `None` writes no `meta` key.
    pub meta: Option<FrameMeta>,
}

/// The frame meta keys this plugin sets, as Grafana's `data.FrameMeta` names them in JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FrameMeta {
    /// The data plane frame type (`timeseries-multi` for ranges, `numeric-multi` for
    /// instants), as Grafana's Prometheus datasource sets it.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub frame_type: Option<FrameType>,
    /// The frame type's version, `[major, minor]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_version: Option<[u32; 2]>,
    /// Datasource-specific meta: Prometheus's result type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Custom>,
    /// The PromQL as the query inspector shows it (`Expr: ...\nStep: 15s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executed_query_string: Option<String>,
    /// Messages Grafana shows on the panel.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<Notice>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FrameType {
    TimeseriesMulti,
    NumericMulti,
}

/// `custom` as Grafana's Prometheus datasource fills it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Custom {
    /// `matrix`, `vector`, `scalar` or `string`.
    pub result_type: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub severity: Severity,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Frame {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            ..Default::default()
        }
    }

    pub fn rows(&self) -> usize {
        self.fields.first().map_or(0, |f| f.values.len())
    }

    /// The frame's meta, created empty if it has none.
    pub fn meta_mut(&mut self) -> &mut FrameMeta {
        self.meta.get_or_insert_with(FrameMeta::default)
    }

    /// Appends a notice that Grafana shows on the panel.
    pub fn add_notice(&mut self, severity: Severity, text: impl Into<String>) {
        self.meta_mut().notices.push(Notice {
            severity,
            text: text.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_serializes_with_grafanas_keys() {
        let mut frame = Frame::new("");
        *frame.meta_mut() = FrameMeta {
            frame_type: Some(FrameType::TimeseriesMulti),
            type_version: Some([0, 1]),
            custom: Some(Custom {
                result_type: "matrix".into(),
            }),
            executed_query_string: Some("Expr: up".into()),
            notices: vec![],
        };
        frame.add_notice(Severity::Warning, "partial answer");
        let json = serde_json::to_value(frame.meta.as_ref().unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "type": "timeseries-multi",
                "typeVersion": [0, 1],
                "custom": { "resultType": "matrix" },
                "executedQueryString": "Expr: up",
                "notices": [{ "severity": "warning", "text": "partial answer" }]
            })
        );
        let back: FrameMeta = serde_json::from_value(json).unwrap();
        assert_eq!(Some(&back), frame.meta.as_ref());
        // Unset keys are left out, not written as null.
        assert_eq!(serde_json::to_string(&FrameMeta::default()).unwrap(), "{}");
    }
}
