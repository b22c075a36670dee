//! Grafana data frames as the panel reads them.
//!
//! A native copy of what the panel needs from `PanelProps.data.series` (names, labels,
//! values), so that frames → model is plain Rust: unit-tested and fuzzed on the host.
//! `js.rs` fills these from the JavaScript objects `module.js` hands over.

/// One Grafana data frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    pub name: String,
    pub ref_id: String,
    pub fields: Vec<Field>,
}

/// One field (column) of a frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    /// Prometheus labels of a time-series value field, in the order Grafana gives them.
    pub labels: Vec<(String, String)>,
    /// `config.displayNameFromDS` (the backend's legend), when set.
    pub display_name: Option<String>,
    /// `config.unit` (`percentunit`, `short`, ...), when set.
    pub unit: Option<String>,
    pub values: Values,
}

/// Field values by Grafana field type. Missing numbers (JS `null`) are NaN.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Epoch milliseconds.
    Time(Vec<f64>),
    Number(Vec<f64>),
    Text(Vec<String>),
    /// A type the panel does not read (boolean, other); keeps the length.
    Other(usize),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Time(v) | Values::Number(v) => v.len(),
            Values::Text(v) => v.len(),
            Values::Other(n) => *n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Values::Time(_) => "time",
            Values::Number(_) => "number",
            Values::Text(_) => "string",
            Values::Other(_) => "other",
        }
    }
}

impl Field {
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Frame {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Rows: the longest field (Grafana frames have equal-length fields; a malformed one
    /// may not, and readers index with `get`).
    pub fn len(&self) -> usize {
        self.fields
            .iter()
            .map(|f| f.values.len())
            .max()
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
