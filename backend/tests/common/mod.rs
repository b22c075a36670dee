//! Shared by the integration tests: a frozen simulated cluster, stores scraping it, and
//! helpers that run catalog queries through the backend's real data path.
#![allow(dead_code)]

use std::{collections::BTreeMap, sync::OnceLock, time::Duration};

use calicoscope_backend::client::Client;
use calicoscope_backend::execute::{self, Request};
use calicoscope_backend::frames::{Frame, Values};
use calicoscope_backend::settings::Settings;
use calicoscope_model::calico::{Dataplane, Release};
use calicoscope_sim::{Cluster, Config};
use calicoscope_testkit::{
    calico_jobs, Prometheus, ScrapeJob, Simulator, ThanosHa, VictoriaMetrics,
};

pub const NODES: usize = 30;

/// One frozen simulator per test binary: its state never changes, so answers are exact.
pub fn frozen_sim() -> &'static Simulator {
    static SIM: OnceLock<Simulator> = OnceLock::new();
    SIM.get_or_init(|| {
        let mut cfg = Config::demo(NODES);
        cfg.speed = 0.0;
        cfg.start_offset_s = 3.0 * 3600.0; // some growth, leaks and borrowing have happened
        Simulator::start(cfg)
    })
}

pub fn jobs() -> Vec<ScrapeJob> {
    calico_jobs(frozen_sim(), true)
}

/// A frozen simulator of a given Calico release and dataplane, at the same moment as
/// [`frozen_sim`].
pub fn frozen_profile(release: Release, dataplane: Dataplane) -> Simulator {
    let mut cfg = Config::profile(NODES, release, dataplane);
    cfg.speed = 0.0;
    cfg.start_offset_s = 3.0 * 3600.0;
    Simulator::start(cfg)
}

/// Waits until every component has been scraped at least three times (rates need two).
fn wait_ready(query: impl Fn(&str, usize, Duration) -> Result<(), String>) {
    for (expr, n) in [
        ("count_over_time(ipam_ippool_size[1m]) >= 3", 2),
        ("count_over_time(felix_resync_state[1m]) >= 3", NODES),
        ("count_over_time(typha_connections_active[1m]) >= 3", 1),
    ] {
        query(expr, n, Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("store never got {expr}: {e}"));
    }
}

pub fn prometheus() -> Prometheus {
    prometheus_for(frozen_sim())
}

/// A Prometheus scraping `sim` with two jobs, once every component has three scrapes.
pub fn prometheus_for(sim: &Simulator) -> Prometheus {
    let jobs = calico_jobs(sim, true);
    let p =
        Prometheus::start(&jobs, Duration::from_secs(1), "1h").unwrap_or_else(|e| panic!("{e}"));
    wait_ready(|e, n, t| p.wait_for(e, n, t));
    p
}

/// A moving simulated cluster (`speed` × real time, started `offset_s` simulated seconds in)
/// and a Prometheus scraping it every second, once it holds `samples` scrapes of the pools.
pub async fn moving_cluster(speed: f64, offset_s: f64, samples: usize) -> (Simulator, Prometheus) {
    moving_profile(Config::demo(NODES), speed, offset_s, samples).await
}

/// [`moving_cluster`] for a given simulator configuration (a Calico release and dataplane).
pub async fn moving_profile(
    cfg: Config,
    speed: f64,
    offset_s: f64,
    samples: usize,
) -> (Simulator, Prometheus) {
    let (sim, store) = moving_on(Engine::Prometheus2, cfg, speed, offset_s, samples).await;
    match store {
        Store::Prometheus(p) => (sim, p),
        _ => unreachable!("asked for Prometheus"),
    }
}

/// The stores users run, as the tests start them.
#[derive(Clone, Copy, Debug)]
pub enum Engine {
    /// Debian's Prometheus 2.42.
    Prometheus2,
    /// Prometheus 3, built from source.
    Prometheus3,
    VictoriaMetrics,
    /// Two Prometheus 3 replicas behind Thanos Query.
    Thanos,
}

/// A running store of any [`Engine`].
pub enum Store {
    Prometheus(Prometheus),
    VictoriaMetrics(VictoriaMetrics),
    Thanos(ThanosHa),
}

impl Store {
    fn start(engine: Engine, jobs: &[ScrapeJob]) -> Result<Store, String> {
        let second = Duration::from_secs(1);
        Ok(match engine {
            Engine::Prometheus2 => Store::Prometheus(Prometheus::start(jobs, second, "1h")?),
            Engine::Prometheus3 => {
                Store::Prometheus(Prometheus::start_v3(jobs, second, "1h", &[])?)
            }
            Engine::VictoriaMetrics => {
                Store::VictoriaMetrics(VictoriaMetrics::start(jobs, second)?)
            }
            Engine::Thanos => Store::Thanos(ThanosHa::start(jobs, second)?),
        })
    }

    /// The URL a datasource points at.
    pub fn url(&self) -> &str {
        match self {
            Store::Prometheus(p) => &p.url,
            Store::VictoriaMetrics(v) => &v.url,
            Store::Thanos(t) => &t.url,
        }
    }

    pub fn wait_for(
        &self,
        promql: &str,
        min_series: usize,
        timeout: Duration,
    ) -> Result<(), String> {
        match self {
            Store::Prometheus(p) => p.wait_for(promql, min_series, timeout),
            Store::VictoriaMetrics(v) => v.wait_for(promql, min_series, timeout),
            Store::Thanos(t) => t.wait_for(promql, min_series, timeout),
        }
    }
}

/// A moving simulated cluster and a store of `engine` scraping it every second, once it
/// holds `samples` scrapes of the pools.
pub async fn moving_on(
    engine: Engine,
    mut cfg: Config,
    speed: f64,
    offset_s: f64,
    samples: usize,
) -> (Simulator, Store) {
    cfg.speed = speed;
    cfg.start_offset_s = offset_s;
    let sim = Simulator::start(cfg);
    let jobs = calico_jobs(&sim, false);
    let store = tokio::task::spawn_blocking(move || {
        let s = Store::start(engine, &jobs).unwrap_or_else(|e| panic!("{e}"));
        let ready = format!("count_over_time(ipam_ippool_size[1m]) >= {samples}");
        s.wait_for(&ready, 2, Duration::from_secs(90)).unwrap();
        s
    })
    .await
    .unwrap();
    (sim, store)
}

/// Prometheus 3 (built from source) scraping the frozen cluster with two jobs.
pub fn prometheus3() -> Prometheus {
    let p = Prometheus::start_v3(&jobs(), Duration::from_secs(1), "1h", &[])
        .unwrap_or_else(|e| panic!("{e}"));
    wait_ready(|e, n, t| p.wait_for(e, n, t));
    p
}

/// Two Prometheus 3 replicas behind Thanos Query, scraping the frozen cluster with two jobs.
pub fn thanos() -> ThanosHa {
    let ha = ThanosHa::start(&jobs(), Duration::from_secs(1)).unwrap_or_else(|e| panic!("{e}"));
    wait_ready(|e, n, t| ha.wait_for(e, n, t));
    ha
}

pub fn victoria_metrics() -> VictoriaMetrics {
    let v =
        VictoriaMetrics::start(&jobs(), Duration::from_secs(1)).unwrap_or_else(|e| panic!("{e}"));
    wait_ready(|e, n, t| v.wait_for(e, n, t));
    v
}

pub fn settings(url: &str) -> Settings {
    settings_with(
        url,
        serde_json::json!({ "scrapeInterval": "1s", "forecastWindow": "1m" }),
    )
}

/// Datasource settings for a store URL with the given jsonData.
pub fn settings_with(url: &str, json: serde_json::Value) -> Settings {
    Settings::new(
        url,
        None,
        serde_json::from_value(json).unwrap(),
        Default::default(),
    )
    .unwrap()
}

/// A query over the last five minutes ending now.
pub fn request(json: serde_json::Value) -> Request {
    Request {
        interval_ms: 1_000,
        ..Request::ending_now(json.to_string().as_bytes(), 300_000, 300)
    }
}

/// Runs an instant catalog query and returns (labels, value) per series.
pub async fn instant(
    settings: &Settings,
    catalog: &str,
) -> Result<Vec<(BTreeMap<String, String>, f64)>, String> {
    let client = Client::new(settings).unwrap();
    let req = request(serde_json::json!({ "catalog": catalog, "instant": true }));
    let frames = execute::execute(&req, settings, &client)
        .await
        .map_err(|e| e.to_string())?;
    Ok(frames.iter().filter_map(last_value).collect())
}

pub fn last_value(frame: &Frame) -> Option<(BTreeMap<String, String>, f64)> {
    let field = frame.fields.get(1)?;
    match &field.values {
        Values::Number(v) => Some((field.labels.clone(), *v.last()?)),
        _ => None,
    }
}

/// Values keyed by one label.
pub fn by(label: &str, rows: &[(BTreeMap<String, String>, f64)]) -> BTreeMap<String, f64> {
    rows.iter()
        .map(|(l, v)| (l.get(label).cloned().unwrap_or_default(), *v))
        .collect()
}

pub fn state() -> Cluster {
    frozen_sim().state()
}
/// Two frozen clusters of different sizes, releases and dataplanes with the same pool names
/// and overlapping node names, as one template makes them: `east` (30 nodes, Calico 3.33,
/// iptables) and `west` (12 nodes, 3.29, nftables).
pub fn fleet() -> Vec<(&'static str, Simulator)> {
    fleet_where_west_stops(None)
}

/// The fleet's clusters: name, nodes, Calico minor release, dataplane. Same pool names,
/// and west's nodes are names east has too.
pub const FLEET: [(&str, usize, u8, Dataplane); 2] = [
    ("east", NODES, 33, Dataplane::Iptables),
    ("west", 12, 29, Dataplane::Nftables),
];

/// [`fleet`], west's calico-kube-controllers failing its scrapes after `seconds`.
pub fn fleet_where_west_stops(seconds: Option<f64>) -> Vec<(&'static str, Simulator)> {
    FLEET
        .iter()
        .map(|&(name, nodes, release, dataplane)| {
            let mut cfg = Config::profile(nodes, Release(release), dataplane);
            cfg.speed = 0.0;
            cfg.start_offset_s = 3.0 * 3600.0;
            cfg.kube_controllers_for_s = seconds.filter(|_| name == "west");
            (name, Simulator::start(cfg))
        })
        .collect()
}

/// Waits until every cluster's components have been scraped three times.
pub fn wait_fleet(
    fleet: &[(&str, Simulator)],
    query: impl Fn(&str, usize, Duration) -> Result<(), String>,
) {
    let nodes: usize = fleet.iter().map(|(_, s)| s.state().felix.len()).sum();
    for (expr, n) in [
        (
            "count_over_time(ipam_ippool_size[1m]) >= 3",
            2 * fleet.len(),
        ),
        ("count_over_time(felix_resync_state[1m]) >= 3", nodes),
        (
            "count_over_time(typha_connections_active[1m]) >= 3",
            fleet.len(),
        ),
    ] {
        query(expr, n, Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("store never got {expr}: {e}"));
    }
}

/// An instant catalog query with filters; (labels, value) per series.
pub async fn instant_filtered(
    settings: &Settings,
    catalog: &str,
    filters: serde_json::Value,
) -> Result<Vec<(BTreeMap<String, String>, f64)>, String> {
    let client = Client::new(settings).unwrap();
    let json = serde_json::json!({ "catalog": catalog, "instant": true, "filters": filters });
    let frames = execute::execute(&request(json), settings, &client)
        .await
        .map_err(|e| e.to_string())?;
    Ok(frames.iter().filter_map(last_value).collect())
}

pub mod expect;
pub mod faults;
/// The plugin as Grafana runs it: the built binary and Grafana's side of the protocol.
pub mod plugin {
    #![allow(unused_imports, dead_code)]
    pub use calicoscope_host::*;

    /// The `gpx_calicoscope` binary cargo built for this test.
    pub const BINARY: &str = env!("CARGO_BIN_EXE_gpx_calicoscope");
}
