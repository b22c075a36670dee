//! What a cluster runs, read from which metric families its Prometheus holds: the Calico
//! components that are scraped, Felix's dataplane(s), the Calico release range, and so which
//! catalog entries apply. The facts come from `calicoscope_model::calico`.

use std::collections::BTreeMap;

use calicoscope_model::calico::{self, Dataplane, Export, Release, FAMILIES};
use serde::Serialize;

use crate::client::{now_s, Client, ClientError};
use crate::promql::dataplane;
use crate::promql::rewrite::{Rewrite, RewriteError};
use crate::promql::{validate, PromqlError};
use crate::query::catalog::{Component, Entry, CATALOG};
use crate::settings::Settings;

/// How to tell that a component is scraped, and what to do when it is not.
pub struct Probe {
    pub component: Component,
    pub name: &'static str,
    pub family: &'static str,
    pub fix: &'static str,
}

pub const PROBES: &[Probe] = &[
    Probe {
        component: Component::KubeControllers,
        name: "calico-kube-controllers (IPAM)",
        family: "ipam_ippool_size",
        fix: "scrape calico-kube-controllers on port 9094 (KubeControllersConfiguration spec.prometheusMetricsPort, default 9094); per-pool metrics need Calico v3.23 or later",
    },
    Probe {
        component: Component::Felix,
        name: "Felix",
        family: "felix_resync_state",
        fix: "Felix metrics are off by default: kubectl patch felixconfiguration default --type merge -p '{\"spec\":{\"prometheusMetricsEnabled\":true}}' and scrape calico-node on port 9091",
    },
    Probe {
        component: Component::Typha,
        name: "Typha",
        family: "typha_connections_active",
        fix: "Typha metrics are off by default: set TYPHA_PROMETHEUSMETRICSENABLED=true on the calico-typha deployment and scrape port 9093 (clusters without Typha have none)",
    },
];

impl Component {
    /// The component that exports a metric family, from Calico's name prefixes.
    pub fn of_family(name: &str) -> Component {
        if name.starts_with("felix_") {
            Component::Felix
        } else if name.starts_with("typha_") {
            Component::Typha
        } else {
            Component::KubeControllers
        }
    }

    pub fn probe(self) -> &'static Probe {
        PROBES
            .iter()
            .find(|p| p.component == self)
            .unwrap_or(&PROBES[0])
    }
}

/// Felix instances on one dataplane.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DataplaneNodes {
    pub dataplane: Dataplane,
    pub nodes: u64,
}

/// What the metric families say about the cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Detected {
    /// Instances exporting each probed family (components' probes and [`FAMILIES`]).
    pub families: BTreeMap<&'static str, u64>,
    pub dataplanes: Vec<DataplaneNodes>,
    /// Calico releases consistent with the families present, oldest first.
    pub releases: Vec<Release>,
}

impl Detected {
    pub fn has(&self, family: &str) -> bool {
        self.families.get(family).is_some_and(|&n| n > 0)
    }

    pub fn scraped(&self, component: Component) -> bool {
        self.has(component.probe().family)
    }

    /// "3.29 to 3.30", "3.30 or later", or why it cannot be told.
    pub fn release_range(&self) -> String {
        match (self.releases.first(), self.releases.last()) {
            (Some(lo), Some(hi)) if hi == &Release::NEWEST => format!("Calico {lo} or later"),
            (Some(lo), Some(hi)) if lo == hi => format!("Calico {lo}"),
            (Some(lo), Some(hi)) => format!("Calico {lo} to {hi}"),
            _ => format!(
                "a Calico release outside {} to {} (its metric families match none we know)",
                Release::OLDEST,
                Release::NEWEST
            ),
        }
    }

    /// "nftables on 30 of 30 Felix nodes", or empty without Felix metrics.
    pub fn dataplane_sentence(&self) -> String {
        let felix = self.families.get(Component::Felix.probe().family).copied();
        self.dataplanes
            .iter()
            .map(|d| match felix {
                Some(total) => format!(
                    "{} on {} of {total} Felix nodes",
                    d.dataplane.title(),
                    d.nodes
                ),
                None => format!("{} on {} Felix nodes", d.dataplane.title(), d.nodes),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Does some Felix node program `tables` (iptables or nftables tables, or BPF)?
    pub fn programs(&self, tables: Dataplane) -> bool {
        self.dataplanes.iter().any(|n| n.dataplane.programs(tables))
    }
}

/// Every family whose presence tells something: the components' probes, the families
/// exported on every dataplane by some releases only, and the families catalog entries need.
fn probed_families() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = PROBES.iter().map(|p| p.family).collect();
    names.extend(
        FAMILIES
            .iter()
            .filter(|f| f.export == Export::Always)
            .map(|f| f.name),
    );
    names.extend(CATALOG.iter().map(|e| e.needs).filter(|n| !n.is_empty()));
    names.sort_unstable();
    names.dedup();
    names
}

/// Why a probe could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(transparent)]
    Promql(#[from] PromqlError),
    /// The component's job setting is not a regex.
    #[error(transparent)]
    Rewrite(#[from] RewriteError),
    #[error(transparent)]
    Store(#[from] ClientError),
}

/// What detection found in each cluster of the store, keyed by the cluster label's value
/// ("" for series without it: the only key in a store of one cluster).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Clusters(pub BTreeMap<String, Detected>);

impl Clusters {
    /// Whether the store names its clusters (some series carry the cluster label).
    pub fn named(&self) -> bool {
        self.0.keys().any(|k| !k.is_empty())
    }

    /// The store as one cluster: each cluster's instances are exporters of their own, so
    /// the counts add up.
    pub fn whole(&self) -> Detected {
        let mut families: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut nodes: BTreeMap<Dataplane, u64> = BTreeMap::new();
        for d in self.0.values() {
            for (name, n) in &d.families {
                *families.entry(name).or_default() += n;
            }
            for dn in &d.dataplanes {
                *nodes.entry(dn.dataplane).or_default() += dn.nodes;
            }
        }
        read(families, &nodes.into_iter().collect::<Vec<_>>())
    }

    /// The clusters a query's cluster filter selects: every one when it names none.
    pub fn selected<'a>(
        &'a self,
        filter: &'a [String],
    ) -> impl Iterator<Item = (&'a str, &'a Detected)> + 'a {
        self.0
            .iter()
            .filter(move |(name, _)| filter.is_empty() || filter.contains(name))
            .map(|(name, d)| (name.as_str(), d))
    }
}

/// Counts, concurrently, the instances exporting each family in each cluster, and reads
/// each cluster off them.
pub async fn detect(settings: &Settings, client: &Client) -> Result<Clusters, ProbeError> {
    let names = probed_families();
    let counts = futures::future::join_all(names.iter().map(|name| {
        let expr = format!("count(group by (instance) ({name}))");
        async move { per_cluster(settings, client, Component::of_family(name), &expr).await }
    }))
    .await;
    let nodes = futures::future::join_all(Dataplane::ALL.map(|d| {
        let expr = format!("count({})", dataplane::nodes_of(d));
        async move { per_cluster(settings, client, Component::Felix, &expr).await }
    }))
    .await;
    let (counts, nodes) = (
        counts.into_iter().collect::<Result<Vec<_>, _>>()?,
        nodes.into_iter().collect::<Result<Vec<_>, _>>()?,
    );
    let mut clusters: Vec<String> = counts
        .iter()
        .chain(&nodes)
        .flat_map(|c| c.keys().cloned())
        .collect();
    clusters.sort_unstable();
    clusters.dedup();
    if clusters.is_empty() {
        clusters.push(String::new());
    }
    let of = |by: &BTreeMap<String, u64>, cluster: &str| by.get(cluster).copied().unwrap_or(0);
    Ok(Clusters(
        clusters
            .into_iter()
            .map(|c| {
                let families = names.iter().zip(&counts).map(|(n, by)| (*n, of(by, &c)));
                let per_dataplane: Vec<(Dataplane, u64)> = Dataplane::ALL
                    .into_iter()
                    .zip(&nodes)
                    .map(|(d, by)| (d, of(by, &c)))
                    .collect();
                let d = read(families.collect(), &per_dataplane);
                (c, d)
            })
            .collect(),
    ))
}

/// The cluster as the family counts and Felix nodes per dataplane describe it.
pub fn read(families: BTreeMap<&'static str, u64>, nodes: &[(Dataplane, u64)]) -> Detected {
    let mut d = Detected {
        families,
        ..Detected::default()
    };
    d.dataplanes = nodes
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|&(dataplane, nodes)| DataplaneNodes { dataplane, nodes })
        .collect();
    d.releases = calico::releases_consistent(|f| {
        d.scraped(Component::of_family(f.name))
            .then(|| d.has(f.name))
    });
    d
}

/// Why an entry has no data when its family is absent, for the query's notice.
pub fn not_applicable(entry: &Entry, d: &Detected) -> Option<String> {
    let probe = entry.component.probe();
    if !d.scraped(entry.component) {
        return Some(format!(
            "No data: this Prometheus has no {} metrics. {}",
            probe.name, probe.fix
        ));
    }
    let found = match d.dataplane_sentence() {
        s if s.is_empty() => String::new(),
        s => format!(" ({s})"),
    };
    if !entry.needs.is_empty() && !d.has(entry.needs) {
        let releases = calico::family(entry.needs).map_or_else(String::new, |f| f.releases());
        return Some(format!(
            "Not used by this cluster: this query reads {}, which {releases} exports; this cluster runs {}{found}.",
            entry.needs,
            d.release_range(),
        ));
    }
    match entry.dataplane {
        Some(tables) if !d.programs(tables) => Some(format!(
            "Not used by this cluster: this query reads the Felix nodes of the {} dataplane ({}); this cluster runs {}{found}.",
            tables.title(),
            tables.how(),
            d.release_range(),
        )),
        _ => None,
    }
}

/// Why an entry has no data in the clusters a query's filter selects, for its notice: the
/// one cluster's reason as [`not_applicable`] says it, or each cluster's, named.
pub fn not_applicable_in(entry: &Entry, clusters: &Clusters, filter: &[String]) -> Option<String> {
    if clusters.selected(filter).next().is_none() {
        let known: Vec<&str> = clusters
            .0
            .keys()
            .map(String::as_str)
            .filter(|c| !c.is_empty())
            .collect();
        return Some(format!(
            "No data: the store has no Calico metrics from cluster {}; it has {}. Pick one of those in the cluster filter.",
            filter.join(", "),
            match known.is_empty() {
                true => "none labelled with a cluster".to_string(),
                false => known.join(", "),
            }
        ));
    }
    let reasons: Vec<String> = clusters
        .selected(filter)
        .filter_map(|(c, d)| {
            let why = not_applicable(entry, d)?;
            Some(match c {
                "" => why,
                c => format!("{c}: {why}"),
            })
        })
        .collect();
    (!reasons.is_empty()).then(|| reasons.join(" "))
}

/// A probe expression with the component's job selector, kept per cluster; Calico's own
/// label names, no renaming (probes name them only through the job matcher).
pub fn with_job(
    settings: &Settings,
    component: Component,
    expr: &str,
) -> Result<String, ProbeError> {
    let mut ast = validate::parse(expr)?;
    Rewrite::new(settings, component)
        .calico_labels()
        .apply(&mut ast)?;
    Ok(ast.to_string())
}

/// Evaluates a `count(...)` with the component's job selector, per cluster (the rewrite
/// keeps the cluster label); a cluster without series is absent.
pub async fn per_cluster(
    settings: &Settings,
    client: &Client,
    component: Component,
    expr: &str,
) -> Result<BTreeMap<String, u64>, ProbeError> {
    let resp = client
        .instant(&with_job(settings, component, expr)?, now_s())
        .await?;
    let label = settings.json.cluster_label.as_str();
    let mut by = BTreeMap::new();
    for s in &resp.series {
        let cluster = s.labels.get(label).cloned().unwrap_or_default();
        let n = s.values.first().map_or(0, |v| *v as u64);
        *by.entry(cluster).or_default() += n;
    }
    Ok(by)
}

/// [`per_cluster`] over the whole store; no series counts as 0.
pub async fn count(
    settings: &Settings,
    client: &Client,
    component: Component,
    expr: &str,
) -> Result<u64, ProbeError> {
    Ok(per_cluster(settings, client, component, expr)
        .await?
        .values()
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(present: &[(&'static str, u64)], nodes: &[(Dataplane, u64)]) -> Detected {
        let mut families: BTreeMap<&'static str, u64> =
            probed_families().into_iter().map(|n| (n, 0)).collect();
        families.extend(present.iter().copied());
        read(families, nodes)
    }

    #[test]
    fn every_needed_family_is_in_the_release_table() {
        for e in CATALOG.iter().filter(|e| !e.needs.is_empty()) {
            assert!(calico::family(e.needs).is_some(), "{}: {}", e.id, e.needs);
        }
    }

    #[test]
    fn profiles_read_back() {
        // Every release × dataplane: the families it exports make detection name it, and the
        // entries that apply are exactly the ones `Entry::applies_to` names.
        for release in Release::all() {
            for dataplane in Dataplane::ALL.into_iter().filter(|d| d.since() <= release) {
                let present: Vec<(&'static str, u64)> = probed_families()
                    .into_iter()
                    .filter(|n| calico::exported(n, release, dataplane))
                    .map(|n| (n, 10))
                    .collect();
                let d = detected(&present, &[(dataplane, 10)]);
                assert!(
                    d.releases.contains(&release),
                    "{release} {dataplane}: {:?}",
                    d.releases
                );
                for e in CATALOG {
                    assert_eq!(
                        not_applicable(e, &d).is_none(),
                        e.applies_to(release, dataplane),
                        "{} on {release} {dataplane}",
                        e.id
                    );
                }
            }
        }
    }

    #[test]
    fn no_felix_says_what_to_do() {
        let d = detected(&[("ipam_ippool_size", 1)], &[]);
        let felix = CATALOG
            .iter()
            .find(|e| e.component == Component::Felix)
            .unwrap();
        let why = not_applicable(felix, &d).unwrap();
        assert!(why.contains("prometheusMetricsEnabled"), "{why}");
    }
}
