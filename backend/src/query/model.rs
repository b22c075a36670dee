//! The query JSON that the query editor stores, as the backend reads it.
//!
//! ```json
//! { "refId": "A", "mode": "catalog", "catalog": "ipam_pool_utilization",
//!   "filters": { "pools": ["default-ipv4-ippool"] }, "groupBy": [], "legend": "{{ippool}}",
//!   "instant": false }
//! { "refId": "B", "mode": "raw", "expr": "sum(rate(felix_int_dataplane_failures[$__rate_interval]))" }
//! ```
//! Unknown keys (Grafana adds `datasource`, `intervalMs`, ...) are ignored.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Catalog,
    Raw,
}

/// Values to keep, per dimension. An empty list (or Grafana's "All") keeps everything.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct Filters {
    /// Clusters, by the datasource's cluster label (a store that holds several clusters).
    pub clusters: Vec<String>,
    pub pools: Vec<String>,
    pub nodes: Vec<String>,
    pub instances: Vec<String>,
    pub syncers: Vec<String>,
    /// Flow filters (Goldmane entries): namespaces at either end, verdicts (`allow`, `deny`,
    /// `pass`), policy names and destination ports.
    #[serde(rename = "sourceNamespaces")]
    pub source_namespaces: Vec<String>,
    #[serde(rename = "destNamespaces")]
    pub dest_namespaces: Vec<String>,
    pub actions: Vec<String>,
    pub policies: Vec<String>,
    pub ports: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct QueryModel {
    pub mode: Mode,
    /// Catalog entry id (mode `catalog`).
    pub catalog: String,
    /// PromQL (mode `raw`).
    pub expr: String,
    pub filters: Filters,
    /// Extra labels to keep when aggregating (only for entries that allow it).
    pub group_by: Vec<String>,
    /// Grafana legend format, e.g. `{{ippool}} on {{node}}`.
    pub legend: String,
    /// Evaluate at the end of the range only.
    pub instant: bool,
    /// Minimum step, e.g. `30s` (Grafana's "Min step").
    pub interval: String,
}

/// A query JSON that is not the editor's, named with the fix.
#[derive(Debug, thiserror::Error)]
#[error("the query JSON is not valid: {0}. Re-open the query in the editor and save it again")]
pub struct QueryJsonError(#[from] serde_json::Error);

impl QueryModel {
    /// Reads one query's JSON; the error says what is wrong and how to fix it.
    pub fn from_json(json: &[u8]) -> Result<Self, QueryJsonError> {
        let json = if json.is_empty() {
            b"{}".as_slice()
        } else {
            json
        };
        let mut model: QueryModel = serde_json::from_slice(json)?;
        model.filters.drop_all_markers();
        Ok(model)
    }
}

impl Filters {
    /// Grafana's "All" option arrives as `$__all` or `.*` when a variable has no custom
    /// all-value; both mean "no filter" rather than a literal value.
    fn drop_all_markers(&mut self) {
        for list in [
            &mut self.clusters,
            &mut self.pools,
            &mut self.nodes,
            &mut self.instances,
            &mut self.syncers,
            &mut self.source_namespaces,
            &mut self.dest_namespaces,
            &mut self.actions,
            &mut self.policies,
            &mut self.ports,
        ] {
            if list
                .iter()
                .any(|v| v == "$__all" || v == ".*" || v == "All")
            {
                list.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_editor_json_and_ignores_grafana_keys() {
        let q = QueryModel::from_json(
            br#"{"refId":"A","datasource":{"uid":"x"},"catalog":"ipam_pool_free","filters":{"pools":["p1"]},"intervalMs":1000}"#,
        )
        .unwrap();
        assert_eq!(q.mode, Mode::Catalog);
        assert_eq!(q.catalog, "ipam_pool_free");
        assert_eq!(q.filters.pools, vec!["p1"]);
    }

    #[test]
    fn all_means_no_filter() {
        let q = QueryModel::from_json(br#"{"filters":{"nodes":["$__all"]}}"#).unwrap();
        assert!(q.filters.nodes.is_empty());
    }

    #[test]
    fn malformed_json_says_what_to_do() {
        let e = QueryModel::from_json(br#"{"mode":"sql"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("query JSON is not valid") && e.contains("unknown variant"),
            "{e}"
        );
        let e = QueryModel::from_json(b"{not json").unwrap_err().to_string();
        assert!(e.contains("Re-open"), "{e}");
    }
}
