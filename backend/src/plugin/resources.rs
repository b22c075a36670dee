//! `Resource.CallResource`: answers for the query editor and template variables.
//!
//! - `GET catalog`: the catalog entries (id, title, description, unit, legend, group-by).
//! - `GET pools`, `GET nodes`, `GET instances`, `GET syncers`: values for template variables.
//! - `POST translate` with a query JSON body: the PromQL it produces.

use grafana_plugin_sdk::pluginv2::{
    self, resource_server::Resource, CallResourceResponse, StringList,
};
use promql_parser::parser::{Expr, VectorSelector};
use serde_json::{json, Value};
use tonic::{Request, Response, Status};

use super::{Calicoscope, PluginError};
use crate::client::Client;
use crate::execute::{self, QueryError};
use crate::promql::rewrite::job_matcher;
use crate::query::catalog::{Component, CATALOG};
use crate::settings::Settings;

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
            Ok((settings, client)) => answer(&req.path, &req.body, &settings, &client).await,
            Err(e) => Err(e.into()),
        };
        let (code, body) = match answer {
            Ok(v) => (200, v),
            Err(e) => (e.status().into(), json!({ "error": e.to_string() })),
        };
        let headers = [(
            "Content-Type".to_string(),
            StringList {
                values: vec!["application/json".into()],
            },
        )];
        let resp = CallResourceResponse {
            code,
            headers: headers.into_iter().collect(),
            body: serde_json::to_vec(&body).unwrap_or_default().into(),
        };
        Ok(Response::new(tokio_stream::once(Ok(resp))))
    }
}

pub async fn answer(
    path: &str,
    body: &[u8],
    settings: &Settings,
    client: &Client,
) -> Result<Value, PluginError> {
    let path = path.trim_matches('/');
    let values = |label: String, metrics: &'static [(&'static str, Component)]| {
        label_values(settings, client, label, metrics)
    };
    let node = settings.json.node_label.clone();
    let pool = settings.json.pool_label.clone();
    match path {
        "catalog" => Ok(json!(CATALOG)),
        "pools" => values(pool, &[("ipam_ippool_size", Component::KubeControllers)]).await,
        "nodes" => values(node, &[("ipam_allocations_in_use", Component::KubeControllers)]).await,
        "hosts" => values("host".into(), &[("felix_host", Component::Felix)]).await,
        "instances" => {
            values("instance".into(), &[("felix_host", Component::Felix), ("typha_connections_active", Component::Typha)])
                .await
        }
        "syncers" => values("syncer".into(), &[("typha_cache_size", Component::Typha)]).await,
        "translate" => translate(body, settings),
        "settings" => Ok(json!(crate::settings::editor::schema())),
        other => Err(PluginError::NotFound(format!(
            "unknown resource {other:?}: use catalog, pools, nodes, hosts, instances, syncers, translate or settings"
        ))),
    }
}

/// Label values across metrics, sorted, without Calico's placeholder values.
async fn label_values(
    settings: &Settings,
    client: &Client,
    label: String,
    metrics: &[(&str, Component)],
) -> Result<Value, PluginError> {
    let mut all = Vec::new();
    for (metric, component) in metrics {
        let mut vs = VectorSelector::new(
            Some(metric.to_string()),
            promql_parser::label::Matchers::empty(),
        );
        if let Some(m) = job_matcher(settings.job(*component)).map_err(QueryError::from)? {
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

/// The PromQL a query produces, for the editor's preview. Uses the last hour.
fn translate(body: &[u8], settings: &Settings) -> Result<Value, PluginError> {
    let req = execute::Request::ending_now(body, 3_600_000, 1_000);
    let plan = execute::plan(&req, settings)?;
    Ok(json!({ "expr": plan.promql(), "step": plan.window.step.as_secs_f64() }))
}
