//! `Diagnostics.CheckHealth`: is Prometheus reachable, and which Calico components have
//! metrics there? Each missing one is reported with its usual cause and the fix.

use grafana_plugin_sdk::pluginv2::{
    self, check_health_response::HealthStatus, diagnostics_server::Diagnostics,
};
use serde::Serialize;
use tonic::{Request, Response, Status};

use super::Calicoscope;
use crate::client::{now_s, Client};
use crate::detect::{count, detect, not_applicable, with_job, Clusters, Detected, PROBES};
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
    /// Catalog entries that do not apply to this cluster (in a fleet: to any cluster), with why.
    pub not_applicable: Vec<NotApplicable>,
    /// Each cluster, when the store's series carry the cluster label (empty otherwise).
    pub clusters: Vec<ClusterHealth>,
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

/// One cluster of a fleet store: what it runs and which catalog entries apply there.
#[derive(Clone, Debug, Serialize)]
pub struct ClusterHealth {
    pub cluster: String,
    /// What it runs, in the health message's words.
    pub summary: String,
    pub detected: Detected,
    /// Components with no metrics from this cluster.
    pub missing: Vec<&'static str>,
    pub not_applicable: Vec<NotApplicable>,
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
            clusters: vec![],
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
    let clusters = match detect(settings, client).await {
        Ok(d) => d,
        Err(e) => return Health::failed(e.to_string()),
    };
    let detected = clusters.whole();
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
    problems.extend(node_label_hint(settings, client).await);
    problems.extend(separation_hints(settings, client, &clusters).await);
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
    let per_cluster = match clusters.named() {
        true => clusters
            .0
            .iter()
            .map(|(c, d)| cluster_health(c, d))
            .collect(),
        false => vec![],
    };
    if ok && per_cluster.is_empty() {
        message.push_str(&format!(". {}", described(&detected)));
    }
    if !per_cluster.is_empty() {
        let each: Vec<&str> = per_cluster.iter().map(|c| c.summary.as_str()).collect();
        message.push_str(&format!(
            ". {} clusters: {}",
            per_cluster.len(),
            each.join("; ")
        ));
    }
    let not_applicable = nowhere(&clusters);
    if !not_applicable.is_empty() {
        let ids: Vec<&str> = not_applicable.iter().map(|n| n.id).collect();
        let here = if clusters.named() {
            "in any cluster"
        } else {
            "here"
        };
        message.push_str(&format!(
            ". Catalog queries that do not apply {here} (they answer with a notice, not data): {}",
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
        clusters: per_cluster,
        goldmane: None,
    }
}

/// `Detected Calico 3.30 or later; Felix dataplane: iptables on 30 of 30 Felix nodes`.
fn described(d: &Detected) -> String {
    let mut s = format!("Detected {}", d.release_range());
    let dataplanes = d.dataplane_sentence();
    if !dataplanes.is_empty() {
        s.push_str(&format!("; Felix dataplane: {dataplanes}"));
    }
    s
}

/// The catalog entries that do not apply to `d` (its components scraped), with why.
fn not_applicable_to(d: &Detected) -> Vec<NotApplicable> {
    CATALOG
        .iter()
        .filter(|e| d.scraped(e.component))
        .filter_map(|e| not_applicable(e, d).map(|why| NotApplicable { id: e.id, why }))
        .collect()
}

/// The entries that apply in no cluster of the store, with the first cluster's reason.
fn nowhere(clusters: &Clusters) -> Vec<NotApplicable> {
    let each: Vec<Vec<NotApplicable>> = clusters.0.values().map(not_applicable_to).collect();
    let Some((first, rest)) = each.split_first() else {
        return vec![];
    };
    first
        .iter()
        .filter(|n| rest.iter().all(|r| r.iter().any(|m| m.id == n.id)))
        .cloned()
        .collect()
}

fn cluster_health(cluster: &str, d: &Detected) -> ClusterHealth {
    let mut c = ClusterHealth {
        cluster: cluster.to_string(),
        summary: String::new(),
        missing: PROBES
            .iter()
            .filter(|p| !d.scraped(p.component))
            .map(|p| p.name)
            .collect(),
        not_applicable: not_applicable_to(d),
        detected: d.clone(),
    };
    c.summary = c.sentence();
    c
}

impl ClusterHealth {
    /// `west runs Calico 3.29 (nftables on 12 of 12 Felix nodes), no Typha metrics, 9
    /// catalog queries do not apply there`.
    fn sentence(&self) -> String {
        let mut s = format!("{} runs {}", self.cluster, self.detected.release_range());
        let dataplanes = self.detected.dataplane_sentence();
        if !dataplanes.is_empty() {
            s.push_str(&format!(" ({dataplanes})"));
        }
        if !self.missing.is_empty() {
            s.push_str(&format!(", no {} metrics", self.missing.join(" or ")));
        }
        if !self.not_applicable.is_empty() {
            let n = self.not_applicable.len() as f64;
            let queries = calicoscope_model::format::plural(n, "catalog query", "catalog queries");
            let verb = if self.not_applicable.len() == 1 {
                "does"
            } else {
                "do"
            };
            s.push_str(&format!(", {queries} {verb} not apply there"));
        }
        s
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

/// Labels that tell apart series of one IP pool besides the scrape target's: replicas of
/// an HA pair not deduplicated (Thanos's `replica`, Prometheus's `prometheus_replica`), or
/// clusters under a label other than the cluster label setting (`k8s_cluster`).
async fn separation_hints(
    settings: &Settings,
    client: &Client,
    clusters: &Clusters,
) -> Vec<String> {
    let series = |metric: &str| {
        let expr = with_job(settings, Component::KubeControllers, metric).ok();
        async move { client.instant(&expr?, now_s()).await.ok() }
    };
    let (Some(sizes), Some(blocks)) = (
        series("ipam_ippool_size").await,
        series("ipam_blocks").await,
    ) else {
        return vec![];
    };
    let json = &settings.json;
    let labels = separating_labels(
        sizes.series.iter().map(|s| &s.labels),
        &json.pool_label,
        &json.cluster_label,
    );
    let (by_cluster, replicas): (Vec<String>, Vec<String>) = labels.into_iter().partition(|l| {
        l.to_lowercase().contains("cluster")
            || !same_nodes_for_each_value(blocks.series.iter().map(|s| &s.labels), l, json)
    });
    let mut hints = vec![];
    if !by_cluster.is_empty() && !clusters.named() {
        let setting = match json.cluster_label.as_str() {
            "" => "empty (off)".to_string(),
            l => format!("{l:?}, which no series carries"),
        };
        hints.push(format!(
            "IP pools of the same name come from different clusters, told apart by {}, but the Cluster label setting is {setting}: \
             every answer merges those clusters. Set Cluster label to {} in the datasource settings",
            by_cluster.join(", "),
            by_cluster[0]
        ));
    }
    if !replicas.is_empty() {
        hints.push(format!(
            "Every IP pool's series exist more than once, told apart by {}: replicas of an HA pair, not deduplicated. \
             Calicoscope's catalog queries take the max per pool and node, so they stay exact; raw PromQL should do the same, \
             or set the store's deduplication (Thanos: queryParams dedup=true)",
            replicas.join(", ")
        ));
    }
    hints
}

type Labels = std::collections::BTreeMap<String, String>;

/// Label names whose values differ between series of the same pool in the same cluster,
/// other than the scrape target's own (`job`, `instance`).
fn separating_labels<'a>(
    series: impl Iterator<Item = &'a Labels>,
    pool: &str,
    cluster: &str,
) -> Vec<String> {
    let mut by_pool: std::collections::BTreeMap<(&str, &str), Vec<&Labels>> = Default::default();
    for labels in series {
        if let Some(p) = labels.get(pool) {
            let c = labels.get(cluster).map_or("", String::as_str);
            by_pool.entry((c, p)).or_default().push(labels);
        }
    }
    let mut names = std::collections::BTreeSet::new();
    for group in by_pool.values().filter(|g| g.len() > 1) {
        for name in group.iter().flat_map(|l| l.keys()) {
            let first = group[0].get(name);
            if !["__name__", "job", "instance", cluster].contains(&name.as_str())
                && group.iter().any(|l| l.get(name) != first)
            {
                names.insert(name.clone());
            }
        }
    }
    names.into_iter().collect()
}

/// Whether every value of `label` holds the same (pool, node) blocks: replicas scrape the
/// same cluster; clusters, even built from one template, differ in some node.
fn same_nodes_for_each_value<'a>(
    series: impl Iterator<Item = &'a Labels>,
    label: &str,
    json: &crate::settings::JsonData,
) -> bool {
    let mut by_value: std::collections::BTreeMap<&str, std::collections::BTreeSet<(&str, &str)>> =
        Default::default();
    for l in series {
        let get = |name: &str| l.get(name).map_or("", String::as_str);
        by_value
            .entry(get(label))
            .or_default()
            .insert((get(&json.pool_label), get(&json.node_label)));
    }
    let mut sets = by_value.values();
    let first = sets.next();
    sets.all(|s| Some(s) == first)
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
    fn separating_labels_are_the_ones_that_differ_within_a_pool_of_a_cluster() {
        let series = |cluster: &str, pool: &str, job: &str, replica: &str| {
            BTreeMap::from([
                ("cluster".to_string(), cluster.to_string()),
                ("ippool".to_string(), pool.to_string()),
                ("job".to_string(), job.to_string()),
                ("replica".to_string(), replica.to_string()),
            ])
        };
        let ha = [
            series("east", "a", "kc", "1"),
            series("east", "a", "kc", "2"),
            series("east", "b", "kc", "1"),
        ];
        let labels = |s: &[BTreeMap<String, String>]| {
            super::separating_labels(s.iter(), "ippool", "cluster")
        };
        assert_eq!(labels(&ha), vec!["replica"]);
        let two_jobs = [
            series("east", "a", "kc", "1"),
            series("east", "a", "kc2", "1"),
        ];
        assert!(labels(&two_jobs).is_empty());
        let fleet = [
            series("east", "a", "kc", "1"),
            series("west", "a", "kc", "1"),
        ];
        assert!(
            labels(&fleet).is_empty(),
            "the cluster label itself separates clusters"
        );
    }

    #[test]
    fn clusters_differ_in_nodes_and_replicas_do_not() {
        let json = crate::settings::JsonData::default();
        let block = |k: &str, v: &str, node: &str| {
            BTreeMap::from([
                (k.to_string(), v.to_string()),
                ("ippool".to_string(), "default-ipv4-ippool".to_string()),
                ("node".to_string(), node.to_string()),
            ])
        };
        let replicas = [block("replica", "1", "w-1"), block("replica", "2", "w-1")];
        assert!(super::same_nodes_for_each_value(
            replicas.iter(),
            "replica",
            &json
        ));
        let fleet = [
            block("k8s", "east", "w-1"),
            block("k8s", "west", "w-1"),
            block("k8s", "west", "w-2"),
        ];
        assert!(!super::same_nodes_for_each_value(
            fleet.iter(),
            "k8s",
            &json
        ));
    }
}
