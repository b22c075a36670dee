//! The Calico settings the config editor shows: key, label, help text and default, in one
//! place. The defaults are read from [`JsonData::default`], so the editor's placeholders
//! cannot drift from what the backend assumes when a field is left empty.
//!
//! The editor reads `src/datasource/settings.json`, which is this schema as
//! `gpx_calicoscope settings` prints it; a golden test keeps the file equal to it.
//!
//! ```
//! let schema = calicoscope_backend::settings::editor::schema();
//! let scrape = schema.iter().find(|s| s.key == "scrapeInterval").unwrap();
//! assert_eq!(scrape.default, "15s");
//! ```

use serde::Serialize;
use serde_json::Value;

use super::JsonData;

/// How the editor reads a field back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Text,
    Number,
}

/// One setting as the config editor shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Setting {
    /// The `jsonData` key.
    pub key: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub kind: Kind,
    /// What the backend uses when the field is empty.
    pub default: Value,
}

/// (key, label, kind, description) of the settings the editor shows, in its order.
const FIELDS: &[(&str, &str, Kind, &str)] = &[
    ("nodeLabel", "Node label", Kind::Text,
        "Label holding the node on IPAM metrics: exported_node when your scrape config adds its own node label without honor_labels (the health check tells)."),
    ("poolLabel", "Pool label", Kind::Text, "Label holding the IP pool on IPAM metrics."),
    ("kubeControllersJob", "kube-controllers job", Kind::Text,
        "Regex for the job label of calico-kube-controllers; empty means any job."),
    ("felixJob", "Felix job", Kind::Text, "Regex for the job label of Felix; empty means any job."),
    ("typhaJob", "Typha job", Kind::Text, "Regex for the job label of Typha; empty means any job."),
    ("scrapeInterval", "Scrape interval", Kind::Text,
        "Prometheus scrape interval of the Calico targets: the minimum step and $__rate_interval."),
    ("forecastWindow", "Forecast window", Kind::Text,
        "History the days-to-exhaustion forecast fits its line through."),
    ("blockAddresses", "Block size", Kind::Number,
        "Addresses per IPAM block (64 for /26 and /122 blocks)."),
    ("timeoutSeconds", "Timeout (s)", Kind::Number, "Per request to the metrics store."),
];

/// The editor's settings with the backend's defaults.
pub fn schema() -> Vec<Setting> {
    let defaults = serde_json::to_value(JsonData::default()).unwrap_or_default();
    FIELDS
        .iter()
        .map(|&(key, label, kind, description)| Setting {
            key,
            label,
            description,
            kind,
            default: defaults.get(key).cloned().unwrap_or(Value::Null),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_a_json_data_key_with_a_default_of_its_kind() {
        for s in schema() {
            match s.kind {
                Kind::Text => assert!(s.default.is_string(), "{}: {:?}", s.key, s.default),
                Kind::Number => assert!(s.default.is_u64(), "{}: {:?}", s.key, s.default),
            }
        }
    }

    /// The file the config editor reads is this schema; regenerate with UPDATE_GOLDEN=1.
    #[test]
    fn editor_file_matches_the_schema() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../src/datasource/settings.json"
        );
        let got = serde_json::to_string_pretty(&schema()).unwrap() + "\n";
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(path, &got).unwrap();
        }
        let want = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            want, got,
            "src/datasource/settings.json differs from the backend's settings: run UPDATE_GOLDEN=1 cargo test -p calicoscope-backend --lib"
        );
    }
}
