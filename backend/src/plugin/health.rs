//! `Diagnostics.CheckHealth`: is Prometheus reachable, and which Calico components have
//! metrics there? Each missing one is reported with its usual cause and the fix.

use grafana_plugin_sdk::pluginv2::{
    self, check_health_response::HealthStatus, diagnostics_server::Diagnostics,
};
use serde::Serialize;
use tonic::{Request, Response, Status};

use super::Calicoscope;
use crate::client::{now_s, Client};
use crate::promql::{rewrite::Rewrite, validate};
use crate::query::{catalog::Component, model::Filters};
use crate::settings::Settings;

#[derive(Clone, Debug, Serialize)]
pub struct ComponentHealth {
    pub component: &'static str,
    pub series: u64,
    /// What to do when the component has no metrics (empty when it has).
    pub fix: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Health {
    pub ok: bool,
    pub message: String,
    pub components: Vec<ComponentHealth>,
}

struct Probe {
    component: Component,
    name: &'static str,
    expr: &'static str,
    fix: &'static str,
}

const PROBES: &[Probe] = &[
    Probe {
        component: Component::KubeControllers,
        name: "calico-kube-controllers (IPAM)",
        expr: "count(ipam_ippool_size)",
        fix: "scrape calico-kube-controllers on port 9094 (KubeControllersConfiguration spec.prometheusMetricsPort, default 9094); per-pool metrics need Calico v3.23 or later",
    },
    Probe {
        component: Component::Felix,
        name: "Felix",
        expr: "count(felix_resync_state)",
        fix: "Felix metrics are off by default: kubectl patch felixconfiguration default --type merge -p '{\"spec\":{\"prometheusMetricsEnabled\":true}}' and scrape calico-node on port 9091",
    },
    Probe {
        component: Component::Typha,
        name: "Typha",
        expr: "count(typha_connections_active)",
        fix: "Typha metrics are off by default: set TYPHA_PROMETHEUSMETRICSENABLED=true on the calico-typha deployment and scrape port 9093 (clusters without Typha have none)",
    },
];

#[tonic::async_trait]
impl Diagnostics for Calicoscope {
    async fn check_health(
        &self,
        request: Request<pluginv2::CheckHealthRequest>,
    ) -> Result<Response<pluginv2::CheckHealthResponse>, Status> {
        let health = match self
            .instances
            .get(request.get_ref().plugin_context.as_ref())
        {
            Ok((settings, client)) => check(&settings, &client).await,
            Err(e) => Health {
                ok: false,
                message: e,
                components: vec![],
            },
        };
        let status = if health.ok {
            HealthStatus::Ok
        } else {
            HealthStatus::Error
        };
        Ok(Response::new(pluginv2::CheckHealthResponse {
            status: status as i32,
            message: health.message.clone(),
            json_details: serde_json::to_vec(&health.components).unwrap_or_default(),
        }))
    }

    async fn collect_metrics(
        &self,
        _request: Request<pluginv2::CollectMetricsRequest>,
    ) -> Result<Response<pluginv2::CollectMetricsResponse>, Status> {
        Ok(Response::new(pluginv2::CollectMetricsResponse {
            metrics: None,
        }))
    }
}

/// Runs every probe; healthy when Prometheus answers and at least one component is there.
pub async fn check(settings: &Settings, client: &Client) -> Health {
    if let Err(e) = client.reachable().await {
        return Health {
            ok: false,
            message: e.to_string(),
            components: vec![],
        };
    }
    let mut components = Vec::new();
    let mut problems = Vec::new();
    for p in PROBES {
        let series = match count(settings, client, p.component, p.expr).await {
            Ok(n) => n,
            Err(e) => {
                return Health {
                    ok: false,
                    message: e,
                    components,
                }
            }
        };
        let fix = if series == 0 {
            format!("{} metrics not found: {}", p.name, p.fix)
        } else {
            String::new()
        };
        if series == 0 {
            problems.push(fix.clone());
        }
        components.push(ComponentHealth {
            component: p.name,
            series,
            fix,
        });
    }
    if let Some(hint) = node_label_hint(settings, client).await {
        problems.push(hint);
    }
    let found: Vec<&str> = components
        .iter()
        .filter(|c| c.series > 0)
        .map(|c| c.component)
        .collect();
    let ok = !found.is_empty();
    let mut message = if ok {
        format!(
            "Prometheus is reachable; Calico metrics found for {}",
            found.join(", ")
        )
    } else {
        "Prometheus is reachable but has no Calico metrics".to_string()
    };
    if !problems.is_empty() {
        message = format!("{message}. {}", problems.join(". "));
    }
    Health {
        ok,
        message,
        components,
    }
}

/// Detects the `exported_node` renaming that a scrape config without `honor_labels` causes:
/// the target's own `node` label then hides Calico's, which survives as `exported_node`.
async fn node_label_hint(settings: &Settings, client: &Client) -> Option<String> {
    let label = &settings.json.node_label;
    if label == "exported_node" {
        return None;
    }
    let renamed = "count(ipam_allocations_in_use{exported_node!=\"\"})";
    let has_renamed = count(settings, client, Component::KubeControllers, renamed)
        .await
        .ok()?;
    (has_renamed > 0).then(|| {
        format!(
            "IPAM metrics carry the node in exported_node, not {label}: the scrape config adds its own node label \
             without honor_labels. Set \"Node label\" to exported_node in the datasource settings, or set honor_labels: true"
        )
    })
}

/// Evaluates a `count(...)` probe with the component's job selector; no series counts as 0.
async fn count(
    settings: &Settings,
    client: &Client,
    component: Component,
    expr: &str,
) -> Result<u64, String> {
    let mut ast = validate::parse(expr).map_err(|e| e.to_string())?;
    let job = settings.job(component);
    let filters = Filters::default();
    // Probes use the configured label names already; no renaming here.
    Rewrite {
        filters: &filters,
        job: Some(job),
        node_label: "node",
        pool_label: "ippool",
        group_by: &[],
    }
    .apply(&mut ast)?;
    let resp = client
        .instant(&ast.to_string(), now_s())
        .await
        .map_err(|e| e.to_string())?;
    Ok(resp
        .series
        .first()
        .and_then(|s| s.values.first())
        .map_or(0, |v| *v as u64))
}
