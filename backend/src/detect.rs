//! What a cluster runs, read from which metric families its Prometheus holds: the Calico
//! components that are scraped, Felix's dataplane(s), the Calico release range, and so which
//! catalog entries apply. The facts come from `calicoscope_model::calico`.

use std::collections::BTreeMap;

use calicoscope_model::calico::{self, Dataplane, Release, FAMILIES};
use serde::Serialize;

use crate::client::{now_s, Client};
use crate::promql::{rewrite::Rewrite, validate};
use crate::query::catalog::{Component, Entry, CATALOG};
use crate::query::model::Filters;
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
                Some(total) => format!("{} on {} of {total} Felix nodes", d.dataplane.title(), d.nodes),
                None => format!("{} on {} Felix nodes", d.dataplane.title(), d.nodes),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Does a catalog entry apply: its component is scraped and its family exported?
    pub fn applies(&self, entry: &Entry) -> bool {
        self.scraped(entry.component) && (entry.needs.is_empty() || self.has(entry.needs))
    }
}

/// Every family that tells something: the components' probes and the families that vary.
fn probed_families() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = PROBES.iter().map(|p| p.family).collect();
    names.extend(FAMILIES.iter().map(|f| f.name));
    names.extend(CATALOG.iter().map(|e| e.needs).filter(|n| !n.is_empty()));
    names.sort_unstable();
    names.dedup();
    names
}

/// Counts, concurrently, the instances exporting each family, and reads the cluster off them.
pub async fn detect(settings: &Settings, client: &Client) -> Result<Detected, String> {
    let names = probed_families();
    let counts = futures::future::join_all(names.iter().map(|name| {
        let expr = format!("count(group by (instance) ({name}))");
        async move { count(settings, client, Component::of_family(name), &expr).await }
    }))
    .await;
    let mut families = BTreeMap::new();
    for (name, n) in names.into_iter().zip(counts) {
        families.insert(name, n?);
    }
    Ok(read(families))
}

/// The cluster as the family counts describe it.
pub fn read(families: BTreeMap<&'static str, u64>) -> Detected {
    let mut d = Detected {
        families,
        ..Detected::default()
    };
    d.dataplanes = Dataplane::ALL
        .into_iter()
        .map(|dataplane| DataplaneNodes {
            dataplane,
            nodes: d.families.get(dataplane.marker()).copied().unwrap_or(0),
        })
        .filter(|n| n.nodes > 0)
        .collect();
    let in_use: Vec<Dataplane> = d.dataplanes.iter().map(|n| n.dataplane).collect();
    d.releases = calico::releases_consistent(
        |f| {
            d.scraped(Component::of_family(f.name))
                .then(|| d.has(f.name))
        },
        &in_use,
    );
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
    if entry.needs.is_empty() || d.has(entry.needs) {
        return None;
    }
    let needs = calico::family(entry.needs).map_or_else(String::new, |f| f.needs());
    Some(format!(
        "Not used by this cluster: no {} series, which come from {needs}. {} found {}.",
        entry.needs,
        d.release_range(),
        match d.dataplane_sentence() {
            s if s.is_empty() => "no Felix dataplane metrics".to_string(),
            s => s,
        }
    ))
}

/// Evaluates a `count(...)` with the component's job selector; no series counts as 0.
pub async fn count(
    settings: &Settings,
    client: &Client,
    component: Component,
    expr: &str,
) -> Result<u64, String> {
    let mut ast = validate::parse(expr).map_err(|e| e.to_string())?;
    let job = settings.job(component);
    let filters = Filters::default();
    // Probes name Calico's own labels only through the job matcher; no renaming here.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(present: &[(&'static str, u64)]) -> Detected {
        let mut families: BTreeMap<&'static str, u64> =
            probed_families().into_iter().map(|n| (n, 0)).collect();
        families.extend(present.iter().copied());
        read(families)
    }

    #[test]
    fn every_needed_family_is_in_the_release_table() {
        for e in CATALOG.iter().filter(|e| !e.needs.is_empty()) {
            assert!(calico::family(e.needs).is_some(), "{}: {}", e.id, e.needs);
        }
    }

    #[test]
    fn profiles_read_back() {
        // Every release × dataplane: the families it exports make detection name it.
        for release in Release::all() {
            for dataplane in Dataplane::ALL.into_iter().filter(|d| d.since() <= release) {
                let present: Vec<(&'static str, u64)> = probed_families()
                    .into_iter()
                    .filter(|n| calico::exported(n, release, dataplane))
                    .map(|n| (n, 10))
                    .collect();
                let d = detected(&present);
                assert_eq!(
                    d.dataplanes,
                    vec![DataplaneNodes { dataplane, nodes: 10 }],
                    "{release} {dataplane}"
                );
                assert!(d.releases.contains(&release), "{release} {dataplane}: {:?}", d.releases);
            }
        }
    }

    #[test]
    fn no_felix_says_what_to_do() {
        let d = detected(&[("ipam_ippool_size", 1)]);
        let felix = CATALOG.iter().find(|e| e.component == Component::Felix).unwrap();
        let why = not_applicable(felix, &d).unwrap();
        assert!(why.contains("prometheusMetricsEnabled"), "{why}");
    }
}
