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
    /// One of the setting's `options`, stored as its value (a string).
    Choice,
}

/// Which part of the editor a setting is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// The Calico metrics in Prometheus.
    Calico,
    /// Calico Goldmane, the flow aggregator (its certificates are secrets, not here).
    Goldmane,
}

/// One value a `choice` setting takes, as the editor labels it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
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
    pub section: Section,
    /// The values of a `choice` setting.
    #[serde(skip_serializing_if = "<[Choice]>::is_empty")]
    pub options: &'static [Choice],
}

/// (key, label, kind, description) of the settings the editor shows, in its order.
const FIELDS: &[(&str, &str, Kind, &str)] = &[
    ("nodeLabel", "Node label", Kind::Text,
        "Label holding the node on IPAM metrics: exported_node when your scrape config adds its own node label without honor_labels (the health check tells)."),
    ("poolLabel", "Pool label", Kind::Text, "Label holding the IP pool on IPAM metrics."),
    ("clusterLabel", "Cluster label", Kind::Text,
        "Label that tells clusters apart when several send their metrics to one store (Thanos, Mimir, VictoriaMetrics): every answer is per cluster. Clear it to turn it off."),
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

/// The same for Goldmane's settings (flows); its CA and client certificate and key are secrets.
const GOLDMANE_FIELDS: &[(&str, &str, Kind, &str)] = &[
    ("goldmaneAddress", "Goldmane address", Kind::Text,
        "Goldmane's gRPC address, host:port: goldmane.calico-system.svc:7443 from inside the cluster, 127.0.0.1:7443 through kubectl -n calico-system port-forward svc/goldmane 7443. Empty: no flow queries."),
    ("goldmaneServerName", "TLS server name", Kind::Text,
        "The name Goldmane's certificate carries, when the address is not that name: goldmane.calico-system.svc through a port-forward. Empty: the address's host."),
    ("goldmaneCluster", "Goldmane's cluster", Kind::Text,
        "The cluster this Goldmane belongs to, as the cluster label names it in the store (east, prod-eu): flow rows get a cluster column, flow series a cluster label, and the capacity report puts denied traffic under it. Goldmane serves one cluster, so each cluster's Goldmane needs its own datasource. Empty: no cluster named."),
    ("goldmaneApi", "Goldmane API", Kind::Choice,
        "Which shape of Goldmane's API to speak: auto asks Goldmane when connecting; 3.30–3.31 for Calico 3.30 and 3.31, 3.32+ for Calico 3.32 and later."),
];

/// The values of `goldmaneApi` (what `goldmane::api::Api::from_setting` reads).
const GOLDMANE_API: &[Choice] = &[
    Choice {
        value: "auto",
        label: "auto",
    },
    Choice {
        value: "3.30",
        label: "3.30–3.31",
    },
    Choice {
        value: "3.32",
        label: "3.32+",
    },
];

/// The editor's settings with the backend's defaults.
pub fn schema() -> Vec<Setting> {
    let defaults = serde_json::to_value(JsonData::default()).unwrap_or_default();
    let sections = [
        (Section::Calico, FIELDS),
        (Section::Goldmane, GOLDMANE_FIELDS),
    ];
    sections
        .into_iter()
        .flat_map(|(section, fields)| fields.iter().map(move |f| (section, f)))
        .map(|(section, &(key, label, kind, description))| Setting {
            key,
            label,
            description,
            kind,
            default: defaults.get(key).cloned().unwrap_or(Value::Null),
            section,
            options: if key == "goldmaneApi" {
                GOLDMANE_API
            } else {
                &[]
            },
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
                Kind::Choice => assert!(
                    s.options.iter().any(|c| s.default == c.value),
                    "{}: {:?} is not one of its options",
                    s.key,
                    s.default
                ),
            }
            assert_eq!(s.options.is_empty(), s.kind != Kind::Choice, "{}", s.key);
        }
    }

    /// Every Goldmane API choice is a value the Goldmane client accepts.
    #[test]
    fn goldmane_api_choices_are_what_the_client_reads() {
        for c in GOLDMANE_API {
            assert!(
                crate::goldmane::api::Api::from_setting(c.value).is_ok(),
                "{}",
                c.value
            );
        }
        let keys: Vec<_> = schema()
            .into_iter()
            .filter(|s| s.section == Section::Goldmane)
            .map(|s| s.key)
            .collect();
        assert_eq!(
            keys,
            [
                "goldmaneAddress",
                "goldmaneServerName",
                "goldmaneCluster",
                "goldmaneApi"
            ]
        );
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
