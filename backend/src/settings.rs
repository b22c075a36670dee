//! Datasource settings: what the config editor stores in `jsonData` and `secureJsonData`.
//!
//! Secrets live only in [`Secrets`], whose `Debug` is redacted, so that no log line, error or
//! health message can print them by accident.

use std::{collections::BTreeMap, fmt, time::Duration};

use serde::{Deserialize, Serialize};

pub mod editor;

/// Non-secret settings (`jsonData`). Every field has a default so an empty `{}` works.
/// (Serialize: the config editor's defaults are read from `JsonData::default()`.)
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct JsonData {
    /// Appended to the datasource URL, e.g. `/prometheus` for Mimir.
    pub path_prefix: String,
    /// Sent with every request as URL parameters (e.g. `dedup=true` for Thanos).
    pub query_params: BTreeMap<String, String>,
    /// Header names; their values are secret and live in `secureJsonData.httpHeaderValue<N>`.
    #[serde(flatten)]
    pub header_names: BTreeMap<String, serde_json::Value>,
    pub timeout_seconds: u64,
    pub tls_skip_verify: bool,
    /// The label that carries the Kubernetes node on IPAM metrics (`exported_node` when the
    /// scrape config attaches its own `node` label without `honor_labels`).
    pub node_label: String,
    /// The label that carries the IP pool name on IPAM metrics.
    pub pool_label: String,
    /// The label that tells clusters apart in a store that holds several (an external or a
    /// target label); every aggregation keeps it. Empty: one cluster per datasource.
    pub cluster_label: String,
    /// Optional `job` label values per Calico component; empty means "any job".
    pub kube_controllers_job: String,
    pub felix_job: String,
    pub typha_job: String,
    /// The Prometheus scrape interval, used for `$__rate_interval` and step minimums.
    pub scrape_interval: String,
    /// How much history the forecasts (days to exhaustion) fit a line through.
    pub forecast_window: String,
    /// Addresses per IPAM block (64 for Calico's default /26 and /122 blocks).
    pub block_addresses: u32,
    /// Largest Prometheus answer accepted, in bytes.
    pub max_response_bytes: u64,
    /// Calico Goldmane's gRPC address (`goldmane.calico-system.svc:7443`); empty when flows
    /// are not wanted. The CA and the client certificate and key are secrets.
    pub goldmane_address: String,
    /// The name Goldmane's certificate must carry, when the address is not it (a
    /// port-forward to 127.0.0.1); empty means the address's host.
    pub goldmane_server_name: String,
    /// Which Goldmane API shape to speak: `auto` (asked at connection), `3.30` (Calico 3.30
    /// and 3.31) or `3.32` (3.32 and later).
    pub goldmane_api: String,
    /// The cluster this Goldmane belongs to, as the cluster label names it in the store:
    /// flow rows and series carry it. Empty: none named.
    pub goldmane_cluster: String,
}

impl Default for JsonData {
    fn default() -> Self {
        Self {
            path_prefix: String::new(),
            query_params: BTreeMap::new(),
            header_names: BTreeMap::new(),
            timeout_seconds: 30,
            tls_skip_verify: false,
            node_label: "node".into(),
            pool_label: "ippool".into(),
            cluster_label: "cluster".into(),
            kube_controllers_job: String::new(),
            felix_job: String::new(),
            typha_job: String::new(),
            scrape_interval: "15s".into(),
            forecast_window: "6h".into(),
            block_addresses: 64,
            max_response_bytes: 256 * 1024 * 1024,
            goldmane_address: String::new(),
            goldmane_server_name: String::new(),
            goldmane_api: "auto".into(),
            goldmane_cluster: String::new(),
        }
    }
}

/// Secret settings (`secureJsonData`, decrypted by Grafana). Never printed.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Secrets {
    pub basic_auth_password: String,
    pub bearer_token: String,
    pub tls_ca_cert: String,
    /// PEM: the CA Goldmane's certificate chains to, and the client identity it accepts.
    pub goldmane_ca_cert: String,
    pub goldmane_client_cert: String,
    pub goldmane_client_key: String,
    #[serde(flatten)]
    pub header_values: BTreeMap<String, String>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

/// Everything needed to talk to one Prometheus-compatible server.
#[derive(Clone, Debug)]
pub struct Settings {
    pub url: String,
    pub basic_auth_user: Option<String>,
    pub json: JsonData,
    pub secrets: Secrets,
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the datasource has no URL: set the Prometheus URL in the datasource settings")]
    MissingUrl,
    #[error("the datasource URL must start with http:// or https://")]
    BadScheme,
    #[error("jsonData is not valid: {0}. Fix the datasource settings")]
    BadJson(String),
    #[error("the {field} setting {value:?} is not a Prometheus duration such as 15s or 6h")]
    BadDuration { field: &'static str, value: String },
    #[error("the {field} setting {value:?} is not a valid Prometheus label name")]
    BadLabel { field: &'static str, value: String },
}

impl Settings {
    /// Builds settings from what Grafana sends; the error never contains secret values.
    pub fn from_parts(
        url: &str,
        basic_auth_user: Option<&str>,
        json_data: &[u8],
        secure: &std::collections::HashMap<String, String>,
    ) -> Result<Self, SettingsError> {
        let json: JsonData = if json_data.is_empty() {
            JsonData::default()
        } else {
            serde_json::from_slice(json_data).map_err(|e| SettingsError::BadJson(e.to_string()))?
        };
        let secrets = Secrets {
            basic_auth_password: secure.get("basicAuthPassword").cloned().unwrap_or_default(),
            bearer_token: secure.get("bearerToken").cloned().unwrap_or_default(),
            tls_ca_cert: secure.get("tlsCACert").cloned().unwrap_or_default(),
            goldmane_ca_cert: secure.get("goldmaneCACert").cloned().unwrap_or_default(),
            goldmane_client_cert: secure
                .get("goldmaneClientCert")
                .cloned()
                .unwrap_or_default(),
            goldmane_client_key: secure.get("goldmaneClientKey").cloned().unwrap_or_default(),
            header_values: secure.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        };
        Self::new(url, basic_auth_user, json, secrets)
    }

    pub fn new(
        url: &str,
        basic_auth_user: Option<&str>,
        json: JsonData,
        secrets: Secrets,
    ) -> Result<Self, SettingsError> {
        let url = url.trim().trim_end_matches('/').to_string();
        if url.is_empty() {
            return Err(SettingsError::MissingUrl);
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(SettingsError::BadScheme);
        }
        for (field, value) in [
            ("scrapeInterval", &json.scrape_interval),
            ("forecastWindow", &json.forecast_window),
        ] {
            if crate::query::time::parse_duration(value).is_none() {
                return Err(SettingsError::BadDuration {
                    field,
                    value: value.clone(),
                });
            }
        }
        for (field, value) in [
            ("nodeLabel", &json.node_label),
            ("poolLabel", &json.pool_label),
            ("clusterLabel", &json.cluster_label),
        ] {
            // An empty cluster label turns the cluster dimension off.
            let off = field == "clusterLabel" && value.is_empty();
            if !(off || is_label_name(value)) {
                return Err(SettingsError::BadLabel {
                    field,
                    value: value.clone(),
                });
            }
        }
        Ok(Self {
            url,
            basic_auth_user: basic_auth_user
                .filter(|u| !u.is_empty())
                .map(str::to_string),
            json,
            secrets,
        })
    }

    /// Settings for a plain URL (the CLI and tests).
    pub fn for_url(url: &str) -> Result<Self, SettingsError> {
        Self::new(url, None, JsonData::default(), Secrets::default())
    }

    /// Custom headers as Grafana's HTTP settings store them:
    /// `jsonData.httpHeaderName1` + `secureJsonData.httpHeaderValue1`.
    pub fn headers(&self) -> Vec<(String, String)> {
        self.json
            .header_names
            .iter()
            .filter_map(|(key, name)| {
                let index = key.strip_prefix("httpHeaderName")?;
                let name = name.as_str()?.trim();
                let value = self
                    .secrets
                    .header_values
                    .get(&format!("httpHeaderValue{index}"));
                (!name.is_empty()).then(|| (name.to_string(), value.cloned().unwrap_or_default()))
            })
            .collect()
    }

    /// Every secret value, so that error texts can be scrubbed of them.
    pub fn secret_values(&self) -> Vec<&str> {
        let s = &self.secrets;
        [s.basic_auth_password.as_str(), s.bearer_token.as_str()]
            .into_iter()
            .chain(s.header_values.values().map(String::as_str))
            .filter(|v| v.len() >= 3)
            .collect()
    }

    /// The `job` regex configured for a component (empty: any job).
    pub fn job(&self, component: crate::query::catalog::Component) -> &str {
        use crate::query::catalog::Component::*;
        match component {
            KubeControllers => &self.json.kube_controllers_job,
            Felix => &self.json.felix_job,
            Typha => &self.json.typha_job,
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.json.timeout_seconds.max(1))
    }

    pub fn scrape_interval(&self) -> Duration {
        crate::query::time::parse_duration(&self.json.scrape_interval)
            .unwrap_or(Duration::from_secs(15))
    }
}

/// Prometheus label names: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn empty_json_gets_calico_defaults() {
        let s = Settings::from_parts("http://p:9090/", None, b"", &HashMap::new()).unwrap();
        assert_eq!(s.url, "http://p:9090");
        assert_eq!(s.json.node_label, "node");
        assert_eq!(s.json.block_addresses, 64);
    }

    #[test]
    fn headers_pair_names_with_secret_values() {
        let json = br#"{"httpHeaderName1":"X-Scope-OrgID","nodeLabel":"exported_node"}"#;
        let secure = HashMap::from([("httpHeaderValue1".to_string(), "tenant-7".to_string())]);
        let s = Settings::from_parts("https://m", None, json, &secure).unwrap();
        assert_eq!(
            s.headers(),
            vec![("X-Scope-OrgID".into(), "tenant-7".into())]
        );
        assert_eq!(s.json.node_label, "exported_node");
    }

    #[test]
    fn bad_settings_are_named() {
        let e = Settings::from_parts("ftp://x", None, b"{}", &HashMap::new()).unwrap_err();
        assert!(e.to_string().contains("http://"));
        let e = Settings::from_parts("http://x", None, br#"{"nodeLabel":"a-b"}"#, &HashMap::new())
            .unwrap_err();
        assert!(e.to_string().contains("nodeLabel"));
        let e = Settings::from_parts(
            "http://x",
            None,
            br#"{"clusterLabel":"k8s-cluster"}"#,
            &HashMap::new(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("clusterLabel"), "{e}");
        let off =
            Settings::from_parts("http://x", None, br#"{"clusterLabel":""}"#, &HashMap::new());
        assert_eq!(
            off.unwrap().json.cluster_label,
            "",
            "empty turns the cluster dimension off"
        );
        let e = Settings::from_parts(
            "http://x",
            None,
            br#"{"scrapeInterval":"soon"}"#,
            &HashMap::new(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("scrapeInterval"));
    }

    #[test]
    fn secrets_never_debug_print() {
        let secure = HashMap::from([("basicAuthPassword".to_string(), "hunter2".to_string())]);
        let s = Settings::from_parts("http://x", Some("u"), b"{}", &secure).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
