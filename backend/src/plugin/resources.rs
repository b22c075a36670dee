//! `Resource.CallResource`: answers for the query editor and template variables.
//!
//! - `GET catalog`: the catalog entries (id, title, description, unit, legend, group-by).
//! - `GET clusters`, `GET pools`, `GET nodes`, `GET hosts`, `GET instances`, `GET syncers`:
//!   values for template variables; all but `clusters` take `cluster=` (repeated) to list
//!   only those clusters' values.
//! - `GET flow_namespaces`, `GET flow_policies`: what Goldmane has seen, for flow variables.
//! - `GET flows?source_namespace=&dest_namespace=&from=&to=`: the flows between two
//!   namespaces (the `flows` entry's table as rows), for the panel's drill-down.
//! - `POST translate` with a query JSON body: the PromQL it produces.
//! - `GET report?window=7d`, `GET report.csv?window=7d`: the capacity report (`crate::report`)
//!   for the app's report page, and its numbers as CSV.

use grafana_plugin_sdk::pluginv2::{
    self, resource_server::Resource, CallResourceResponse, StringList,
};
use promql_parser::parser::{Expr, VectorSelector};
use serde_json::{json, Value};
use tonic::{Request, Response, Status};

use super::{Calicoscope, PluginError};
use crate::client::Client;
use crate::execute::{self, QueryError};
use crate::frames::{Frame, Values};
use crate::goldmane::catalog::FLOW_CATALOG;
use crate::goldmane::KEPT_SECONDS;
use crate::promql::rewrite::{job_matcher, value_matcher};
use crate::query::catalog::{Component, CATALOG};
use crate::query::model::QueryModel;
use crate::report::{csv, Report, DEFAULT_WINDOW};
use crate::settings::Settings;
use calicoscope_goldmane::v3_32::FilterType;

type ResourceStream = tokio_stream::Once<Result<CallResourceResponse, Status>>;

#[tonic::async_trait]
impl Resource for Calicoscope {
    type CallResourceStream = ResourceStream;

    async fn call_resource(
        &self,
        request: Request<pluginv2::CallResourceRequest>,
    ) -> Result<Response<ResourceStream>, Status> {
        let req = request.into_inner();
        let answer = match self.instances.get(req.plugin_context.as_ref()) {
            Ok((settings, client)) => {
                let call = Call {
                    path: &req.path,
                    url: &req.url,
                    body: &req.body,
                };
                answer(call, &settings, &client).await
            }
            Err(e) => Err(e.into()),
        };
        let (code, body) = match answer {
            Ok(body) => (200, body),
            Err(e) => (
                e.status().into(),
                Body::Json(json!({ "error": e.to_string() })),
            ),
        };
        let (content_type, body) = match body {
            Body::Json(v) => (
                "application/json",
                serde_json::to_vec(&v).unwrap_or_default(),
            ),
            Body::Csv(text) => ("text/csv; charset=utf-8", text.into_bytes()),
        };
        let headers = [(
            "Content-Type".to_string(),
            StringList {
                values: vec![content_type.into()],
            },
        )];
        let resp = CallResourceResponse {
            code,
            headers: headers.into_iter().collect(),
            body: body.into(),
        };
        Ok(Response::new(tokio_stream::once(Ok(resp))))
    }
}

/// One resource call: the path after `resources/`, the URL with its query string, the body.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    pub path: &'a str,
    pub url: &'a str,
    pub body: &'a [u8],
}

impl Call<'_> {
    /// A query-string parameter, decoded.
    fn param(&self, name: &str) -> Option<String> {
        let query = self.url.split_once('?')?.1;
        reqwest::Url::parse(&format!("http://x/?{query}"))
            .ok()?
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// Every value of a repeated query-string parameter, decoded.
    fn params(&self, name: &str) -> Vec<String> {
        let Some((_, query)) = self.url.split_once('?') else {
            return vec![];
        };
        reqwest::Url::parse(&format!("http://x/?{query}"))
            .map(|u| {
                u.query_pairs()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The clusters a variable's values are scoped to: none for Grafana's "All".
    fn clusters(&self) -> Vec<String> {
        let mut all = self.params("cluster");
        if all
            .iter()
            .any(|v| ["$__all", ".*", "All"].contains(&v.as_str()))
        {
            all.clear();
        }
        all.retain(|v| !v.is_empty());
        all
    }
}

/// What a resource answers with.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Json(Value),
    Csv(String),
}

pub async fn answer(
    call: Call<'_>,
    settings: &Settings,
    client: &Client,
) -> Result<Body, PluginError> {
    match call.path.trim_matches('/') {
        "report" => Ok(Body::Json(json!(report(call, settings, client).await?))),
        "report.csv" => Ok(Body::Csv(csv::to_csv(
            &report(call, settings, client).await?,
        ))),
        "flows" => flows(call, client).await.map(Body::Json),
        path => json_answer(path, call, settings, client)
            .await
            .map(Body::Json),
    }
}

async fn report(
    call: Call<'_>,
    settings: &Settings,
    client: &Client,
) -> Result<Report, PluginError> {
    let window = call
        .param("window")
        .unwrap_or_else(|| DEFAULT_WINDOW.to_string());
    Ok(crate::report::build(settings, client, &window).await?)
}

async fn json_answer(
    path: &str,
    call: Call<'_>,
    settings: &Settings,
    client: &Client,
) -> Result<Value, PluginError> {
    let scope = call.clusters();
    let values = |label: String, metrics: &'static [(&'static str, Component)]| {
        label_values(settings, client, label, metrics, &scope)
    };
    let node = settings.json.node_label.clone();
    let pool = settings.json.pool_label.clone();
    match path {
        "catalog" => Ok(catalog()),
        "clusters" => clusters(settings, client).await,
        "pools" => values(pool, &[("ipam_ippool_size", Component::KubeControllers)]).await,
        "nodes" => values(node, &[("ipam_allocations_in_use", Component::KubeControllers)]).await,
        "hosts" => values("host".into(), &[("felix_host", Component::Felix)]).await,
        "instances" => {
            values("instance".into(), &[("felix_host", Component::Felix), ("typha_connections_active", Component::Typha)])
                .await
        }
        "syncers" => values("syncer".into(), &[("typha_cache_size", Component::Typha)]).await,
        "flow_namespaces" => flow_hints(client, &[FilterType::SourceNamespace, FilterType::DestNamespace]).await,
        "flow_policies" => flow_hints(client, &[FilterType::PolicyName]).await,
        "translate" => translate(call.body, settings),
        "settings" => Ok(json!(crate::settings::editor::schema())),
        other => Err(PluginError::NotFound(format!(
            "unknown resource {other:?}: use catalog, clusters, pools, nodes, hosts, instances, syncers, flow_namespaces, flow_policies, flows, translate, settings, report or report.csv"
        ))),
    }
}

/// The `flows` entry's answer for one pair of namespaces (either may be left out) over
/// `from`..`to` (epoch ms; the last hour by default): `{"flows": [row, ...], "notices": [...]}`,
/// each row an object keyed by the table's field names (`calicoscope_model::flows::field`).
async fn flows(call: Call<'_>, client: &Client) -> Result<Value, PluginError> {
    let ms = |name: &str| -> Result<Option<i64>, PluginError> {
        match call.param(name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                PluginError::BadRequest(format!(
                    "{name}={v:?} is not a time: give epoch milliseconds, as the dashboard's range has them"
                ))
            }),
        }
    };
    let mut req = execute::Request::ending_now(&[], KEPT_SECONDS * 1000, 1_000);
    req.to_ms = ms("to")?.unwrap_or(req.to_ms);
    req.from_ms = ms("from")?.unwrap_or(req.to_ms - KEPT_SECONDS * 1000);
    if req.from_ms >= req.to_ms {
        return Err(PluginError::BadRequest(format!(
            "from ({}) is not before to ({}): give the dashboard's range in epoch milliseconds",
            req.from_ms, req.to_ms
        )));
    }
    let side = |name| {
        call.param(name)
            .filter(|v| !v.is_empty())
            .into_iter()
            .collect::<Vec<_>>()
    };
    let mut q = QueryModel::default();
    q.filters.source_namespaces = side("source_namespace");
    q.filters.dest_namespaces = side("dest_namespace");
    let entry = crate::goldmane::catalog::find("flows").expect("the catalog has `flows`");
    let frames = crate::goldmane::query::run(entry, &req, &q, client)
        .await
        .map_err(QueryError::from)?;
    let notices: Vec<&str> = frames
        .iter()
        .filter_map(|f| f.meta.as_ref())
        .flat_map(|m| m.notices.iter().map(|n| n.text.as_str()))
        .collect();
    let rows: Vec<Value> = frames.iter().flat_map(rows).collect();
    Ok(json!({ "flows": rows, "notices": notices }))
}

/// A table frame's rows as objects keyed by field name (times in epoch ms).
fn rows(frame: &Frame) -> Vec<Value> {
    (0..frame.rows())
        .map(|i| {
            let row = frame.fields.iter().map(|f| {
                let v = match &f.values {
                    Values::Time(v) => json!(v[i]),
                    Values::Number(v) => json!(v[i]),
                    Values::Text(v) => json!(v[i]),
                };
                (f.name.clone(), v)
            });
            Value::Object(row.collect())
        })
        .collect()
}

/// Values Goldmane has seen for the filters, sorted and distinct (template variables).
async fn flow_hints(client: &Client, kinds: &[FilterType]) -> Result<Value, PluginError> {
    let goldmane = client.goldmane().await.map_err(QueryError::from)?;
    let mut all = Vec::new();
    for kind in kinds {
        all.extend(goldmane.hints(*kind).await.map_err(QueryError::from)?);
    }
    // Networks outside the cluster (`pub`, `pvt`) have no namespace.
    all.retain(|v| !v.is_empty());
    all.sort();
    all.dedup();
    Ok(json!(all))
}

/// The clusters the store holds Calico metrics of, by the cluster label (none when the
/// setting is empty: one cluster per datasource).
async fn clusters(settings: &Settings, client: &Client) -> Result<Value, PluginError> {
    let label = settings.json.cluster_label.clone();
    if label.is_empty() {
        return Ok(json!([]));
    }
    let metrics = [
        ("ipam_ippool_size", Component::KubeControllers),
        ("felix_host", Component::Felix),
        ("typha_connections_active", Component::Typha),
    ];
    label_values(settings, client, label, &metrics, &[]).await
}

/// Label values across metrics (of `clusters` only, when it names some), sorted, without
/// Calico's placeholder values.
async fn label_values(
    settings: &Settings,
    client: &Client,
    label: String,
    metrics: &[(&str, Component)],
    clusters: &[String],
) -> Result<Value, PluginError> {
    let cluster_label = settings.json.cluster_label.as_str();
    let mut all = Vec::new();
    for (metric, component) in metrics {
        let mut vs = VectorSelector::new(
            Some(metric.to_string()),
            promql_parser::label::Matchers::empty(),
        );
        if let Some(m) = job_matcher(settings.job(*component)).map_err(QueryError::from)? {
            vs.matchers.matchers.push(m);
        }
        if !cluster_label.is_empty() && !clusters.is_empty() {
            let m = value_matcher(cluster_label, clusters).map_err(QueryError::from)?;
            vs.matchers.matchers.push(m);
        }
        all.extend(
            client
                .label_values(&label, &Expr::VectorSelector(vs).to_string())
                .await?,
        );
    }
    all.retain(|v| {
        !matches!(
            v.as_str(),
            "no_ippool" | "no_affinity" | "unknown_node" | ""
        )
    });
    all.sort();
    all.dedup();
    Ok(json!(all))
}

/// The PromQL entries, then the flow entries (Goldmane's), as the editor lists them.
fn catalog() -> Value {
    let mut all = json!(CATALOG);
    if let Some(list) = all.as_array_mut() {
        list.extend(FLOW_CATALOG.iter().map(|e| json!(e)));
    }
    all
}

/// The PromQL a query produces, for the editor's preview (for a flow entry: what Goldmane
/// is asked). Uses the last hour.
fn translate(body: &[u8], settings: &Settings) -> Result<Value, PluginError> {
    let req = execute::Request::ending_now(body, 3_600_000, 1_000);
    let q = QueryModel::from_json(body).map_err(QueryError::from)?;
    if let Some(entry) = crate::goldmane::catalog::find(&q.catalog) {
        let asked = crate::goldmane::query::describe(entry, &q);
        return Ok(json!({ "expr": asked, "step": 15 }));
    }
    let plan = execute::plan(&req, settings)?;
    Ok(json!({ "expr": plan.promql(), "step": plan.window.step.as_secs_f64() }))
}
