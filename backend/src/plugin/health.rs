//! `Diagnostics.CheckHealth`: is Prometheus reachable, and which Calico components have
//! metrics there? Each missing one is reported with its usual cause and the fix.

use grafana_plugin_sdk::pluginv2::{
    self, check_health_response::HealthStatus, diagnostics_server::Diagnostics,
};
use serde::Serialize;
use tonic::{Request, Response, Status};

use super::Calicoscope;
use crate::client::{now_s, Client};
use crate::detect::{count, detect, not_applicable, with_job, Detected, PROBES};
use crate::query::catalog::{Component, CATALOG};
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
    /// Release range, dataplanes and family counts; absent when Prometheus did not answer.
    pub detected: Option<Detected>,
    /// Catalog entries that do not apply to this cluster, with why.
    pub not_applicable: Vec<NotApplicable>,
    /// Goldmane's answer, when an address is set.
    pub goldmane: Option<GoldmaneHealth>,
}

/// Whether Goldmane answered over mutual TLS, and in which API shape.
#[derive(Clone, Debug, Serialize)]
pub struct GoldmaneHealth {
    pub ok: bool,
    /// `Goldmane at … answers with the Goldmane API of Calico 3.32 or later`, or the error
    /// with its fix.
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct NotApplicable {
    pub id: &'static str,
    pub why: String,
}

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
            Err(e) => Health::failed(e.to_string()),
        };
        let status = if health.ok {
            HealthStatus::Ok
        } else {
            HealthStatus::Error
        };
        Ok(Response::new(pluginv2::CheckHealthResponse {
            status: status as i32,
            message: health.message.clone(),
            json_details: serde_json::to_vec(&health).unwrap_or_default(),
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

impl Health {
    fn failed(message: String) -> Health {
        Health {
            ok: false,
            message,
            components: vec![],
            detected: None,
            not_applicable: vec![],
            goldmane: None,
        }
    }
}

/// Runs every probe; healthy when Prometheus answers with at least one component there and
/// Goldmane, when one is set, answers too.
pub async fn check(settings: &Settings, client: &Client) -> Health {
    let mut health = check_prometheus(settings, client).await;
    health.goldmane = goldmane(settings, client).await;
    if let Some(g) = &health.goldmane {
        health.ok &= g.ok;
        health.message = format!("{}. {}", health.message, g.message);
    }
    health
}

async fn check_prometheus(settings: &Settings, client: &Client) -> Health {
    if let Err(e) = client.reachable().await {
        return Health::failed(e.to_string());
    }
    let detected = match detect(settings, client).await {
        Ok(d) => d,
        Err(e) => return Health::failed(e.to_string()),
    };
    let mut problems = Vec::new();
    let mut components = Vec::new();
    for p in PROBES {
        let series = detected.families.get(p.family).copied().unwrap_or(0);
        let fix = if series == 0 {
            let cause = match other_jobs(settings, client, p).await {
                Some(jobs) => jobs,
                None => p.fix.to_string(),
            };
            format!("{} metrics not found: {cause}", p.name)
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
    if let Some(hint) = replica_hint(settings, client).await {
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
    if ok {
        message.push_str(&format!(". Detected {}", detected.release_range()));
        let dataplanes = detected.dataplane_sentence();
        if !dataplanes.is_empty() {
            message.push_str(&format!("; Felix dataplane: {dataplanes}"));
        }
    }
    let not_applicable: Vec<NotApplicable> = CATALOG
        .iter()
        .filter(|e| detected.scraped(e.component))
        .filter_map(|e| not_applicable(e, &detected).map(|why| NotApplicable { id: e.id, why }))
        .collect();
    if !not_applicable.is_empty() {
        let ids: Vec<&str> = not_applicable.iter().map(|n| n.id).collect();
        message.push_str(&format!(
            ". Catalog queries that do not apply here (they answer with a notice, not data): {}",
            ids.join(", ")
        ));
    }
    if !problems.is_empty() {
        message = format!("{message}. {}", problems.join(". "));
    }
    Health {
        ok,
        message,
        components,
        detected: Some(detected),
        not_applicable,
        goldmane: None,
    }
}

/// Asks Goldmane once, when the datasource names one: connection, certificates, API shape.
async fn goldmane(settings: &Settings, client: &Client) -> Option<GoldmaneHealth> {
    let address = settings.json.goldmane_address.trim();
    if address.is_empty() {
        return None;
    }
    let answer = match client.goldmane().await {
        Ok(g) => g.ping().await.map(|()| g.api()),
        Err(e) => Err(e),
    };
    Some(match answer {
        Ok(api) => GoldmaneHealth {
            ok: true,
            message: format!("Goldmane at {address} answers with the {api}"),
        },
        Err(e) => GoldmaneHealth {
            ok: false,
            message: e.to_string(),
        },
    })
}

/// When a job setting hides a component that is scraped under other jobs: which they are.
async fn other_jobs(
    settings: &Settings,
    client: &Client,
    probe: &crate::detect::Probe,
) -> Option<String> {
    let setting = settings.job(probe.component);
    if setting.is_empty() {
        return None;
    }
    let jobs = client.label_values("job", probe.family).await.ok()?;
    (!jobs.is_empty()).then(|| {
        format!(
            "they are scraped under job {}, but the {} job setting is {setting:?}: set it to that job (or clear it for any job)",
            jobs.join(", "),
            probe.name
        )
    })
}

/// Detects an HA pair that is not deduplicated: each pool's size series exists more than
/// once, told apart by a label that is not the scrape job or target (Thanos's `replica`,
/// Prometheus's `prometheus_replica`, ...).
async fn replica_hint(settings: &Settings, client: &Client) -> Option<String> {
    let expr = with_job(settings, Component::KubeControllers, "ipam_ippool_size").ok()?;
    let resp = client.instant(&expr, now_s()).await.ok()?;
    let pool = settings.json.pool_label.as_str();
    let labels = replica_labels(resp.series.iter().map(|s| &s.labels), pool);
    (!labels.is_empty()).then(|| {
        format!(
            "Every IP pool's series exist more than once, told apart by {}: replicas of an HA pair, not deduplicated. \
             Calicoscope's catalog queries take the max per pool and node, so they stay exact; raw PromQL should do the same, \
             or set the store's deduplication (Thanos: queryParams dedup=true)",
            labels.join(", ")
        )
    })
}

/// Label names whose values differ between series of the same pool, other than the scrape
/// target's own (`job`, `instance`).
fn replica_labels<'a>(
    series: impl Iterator<Item = &'a std::collections::BTreeMap<String, String>>,
    pool: &str,
) -> Vec<String> {
    let mut by_pool: std::collections::BTreeMap<
        &str,
        Vec<&std::collections::BTreeMap<String, String>>,
    > = Default::default();
    for labels in series {
        if let Some(p) = labels.get(pool) {
            by_pool.entry(p).or_default().push(labels);
        }
    }
    let mut names = std::collections::BTreeSet::new();
    for group in by_pool.values().filter(|g| g.len() > 1) {
        for name in group.iter().flat_map(|l| l.keys()) {
            let first = group[0].get(name);
            if !["__name__", "job", "instance"].contains(&name.as_str())
                && group.iter().any(|l| l.get(name) != first)
            {
                names.insert(name.clone());
            }
        }
    }
    names.into_iter().collect()
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    #[test]
    fn replica_labels_are_the_ones_that_differ_within_a_pool() {
        let series = |pool: &str, job: &str, replica: &str| {
            BTreeMap::from([
                ("ippool".to_string(), pool.to_string()),
                ("job".to_string(), job.to_string()),
                ("replica".to_string(), replica.to_string()),
            ])
        };
        let ha = [
            series("a", "kc", "1"),
            series("a", "kc", "2"),
            series("b", "kc", "1"),
        ];
        assert_eq!(super::replica_labels(ha.iter(), "ippool"), vec!["replica"]);
        let two_jobs = [series("a", "kc", "1"), series("a", "kc2", "1")];
        assert!(super::replica_labels(two_jobs.iter(), "ippool").is_empty());
    }
}
