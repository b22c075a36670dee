//! A data frame as Grafana models it: named, typed columns with labels and display config.

use std::collections::BTreeMap;

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
    /// Grafana frame meta (`type`, `typeVersion`, `executedQueryString`, `notices`, ...).
    pub meta: Option<Value>,
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

    /// Appends a notice (`info`, `warning` or `error`) that Grafana shows on the panel.
    pub fn add_notice(&mut self, severity: &str, text: impl Into<String>) {
        let notice = serde_json::json!({ "severity": severity, "text": text.into() });
        let meta = self
            .meta
            .get_or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(map) = meta {
            match map.get_mut("notices") {
                Some(Value::Array(list)) => list.push(notice),
                _ => {
                    map.insert("notices".into(), Value::Array(vec![notice]));
                }
            }
        }
    }

    /// Merges keys into the frame's meta object.
    pub fn add_meta(&mut self, key: &str, value: Value) {
        let meta = self
            .meta
            .get_or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(map) = meta {
            map.insert(key.to_string(), value);
        }
    }
}
