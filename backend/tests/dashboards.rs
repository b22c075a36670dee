//! The provisioned dashboards (provisioning/dashboards/*.json): every panel and target uses
//! the provisioned datasource uid, and every target runs through the backend against a real
//! Prometheus scraping a moving simulated cluster and returns data, with the dashboard
//! variables at "All" as Grafana sends them.

mod common;

use std::time::Duration;

use calicoscope_backend::query::catalog::find;
use calicoscope_backend::{client::Client, execute::execute};
use calicoscope_model::calico::{Dataplane, Release};
use calicoscope_sim::Config;
use serde_json::Value;

const DASHBOARDS: [&str; 3] = ["ipam", "felix", "typha"];
/// Dashboards of Goldmane's flow entries (run against the simulator's Goldmane).
const FLOW_DASHBOARDS: [&str; 1] = ["flows"];

fn dashboard(name: &str) -> Value {
    let path = format!(
        "{}/../provisioning/dashboards/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `$pool`, `${node}`... at "All": Grafana sends `$__all`, which the backend reads as no filter.
fn at_all(v: &Value) -> Value {
    match v {
        Value::String(s) if s.starts_with('$') => Value::String("$__all".into()),
        Value::Array(a) => Value::Array(a.iter().map(at_all).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), at_all(v))).collect()),
        other => other.clone(),
    }
}

#[test]
fn dashboards_use_the_provisioned_datasource_and_unique_ids() {
    for name in DASHBOARDS.into_iter().chain(FLOW_DASHBOARDS) {
        let d = dashboard(name);
        assert!(
            d["uid"].as_str().unwrap().starts_with("calicoscope-"),
            "{name}: uid"
        );
        let mut ids = std::collections::BTreeSet::new();
        for p in d["panels"].as_array().unwrap() {
            let title = p["title"].as_str().unwrap();
            assert!(
                ids.insert(p["id"].as_u64().unwrap()),
                "{name}: duplicate panel id at {title}"
            );
            if p["type"] == "row" {
                continue;
            }
            assert_eq!(p["datasource"]["uid"], "calicoscope", "{name}: {title}");
            assert!(
                !p["targets"].as_array().unwrap().is_empty(),
                "{name}: {title} has no query"
            );
            for t in p["targets"].as_array().unwrap() {
                assert_eq!(t["datasource"]["uid"], "calicoscope", "{name}: {title}");
                assert_eq!(
                    t["datasource"]["type"], "calicoscope-datasource",
                    "{name}: {title}"
                );
            }
        }
        for v in d["templating"]["list"].as_array().unwrap() {
            assert_eq!(
                v["datasource"]["uid"], "calicoscope",
                "{name}: variable {}",
                v["name"]
            );
        }
    }
}

/// Every query of every dashboard on a moving simulated cluster of one Calico release and
/// dataplane: the queries that apply to it return data, the others (another dataplane's
/// row, a family of another release) an empty answer with a notice saying why.
async fn every_dashboard_query_answers(release: &str, dataplane: Dataplane) {
    let release = Release::parse(release).unwrap();
    let cfg = Config::profile(common::NODES, release, dataplane);
    // Growth, so forecasts exist; three simulated hours in, leaks and borrowing have happened.
    let (sim, prom) = common::moving_profile(cfg, 600.0, 3.0 * 3600.0, 8).await;
    prom.wait_for(
        "count_over_time(typha_connections_active[1m]) >= 8",
        1,
        Duration::from_secs(30),
    )
    .unwrap();
    let settings = common::settings(&prom.url);
    let client = Client::new(&settings).unwrap();
    let (mut with_data, mut explained) = (0, 0);
    for name in DASHBOARDS {
        for p in dashboard(name)["panels"].as_array().unwrap() {
            let title = p["title"].as_str().unwrap();
            for t in p["targets"].as_array().into_iter().flatten() {
                let id = t["catalog"].as_str().unwrap();
                let entry = find(id).unwrap_or_else(|| panic!("{name}: {title}: no entry {id}"));
                let req = common::request(at_all(t));
                let frames = execute(&req, &settings, &client)
                    .await
                    .unwrap_or_else(|e| panic!("{name}: {title}: {e}"));
                let has_data = frames.iter().any(|f| f.rows() > 0);
                if entry.applies_to(release, dataplane) {
                    assert!(
                        has_data,
                        "{name}: {title} ({id}) returned no data on {release} {dataplane}"
                    );
                    with_data += 1;
                } else {
                    let notices = common::expect::notices(&frames[0]);
                    assert!(
                        !has_data && notices.iter().any(|n| n.starts_with("Not used by this cluster")),
                        "{name}: {title} ({id}) on {release} {dataplane}: data {has_data}, notices {notices:?}"
                    );
                    explained += 1;
                }
            }
        }
    }
    assert!(with_data >= 30, "{with_data} dashboard queries had data");
    assert!(
        explained >= 4,
        "{explained} dashboard queries explained their empty answer"
    );
    drop(sim);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_on_calico_3_26_iptables() {
    every_dashboard_query_answers("3.26", Dataplane::Iptables).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_on_calico_3_29_nftables() {
    every_dashboard_query_answers("3.29", Dataplane::Nftables).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_on_calico_3_30_bpf() {
    every_dashboard_query_answers("3.30", Dataplane::Bpf).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_on_calico_3_33_iptables_with_reservations() {
    every_dashboard_query_answers("3.33", Dataplane::Iptables).await;
}

/// The Policy & flows dashboard's queries against the simulator's Goldmane over mutual TLS,
/// variables at "All": each answers with rows or series.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_dashboard_queries_answer() {
    use calicoscope_sim::goldmane::{self, Options};
    let cfg = Config::profile(common::NODES, Release::NEWEST, Dataplane::Iptables);
    let dir = std::env::temp_dir().join(format!("calicoscope-dashboards-{}", std::process::id()));
    let server = goldmane::start(&cfg, Options::mtls("127.0.0.1:0", &dir))
        .await
        .unwrap();
    let certs = server.certs.clone().unwrap();
    let mut settings = common::settings("http://127.0.0.1:9");
    settings.json.goldmane_address = server.addr.to_string();
    settings.json.goldmane_server_name = "goldmane.calico-system.svc".into();
    let pem = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
    settings.secrets.goldmane_ca_cert = pem(&certs.ca);
    settings.secrets.goldmane_client_cert = pem(&certs.client_cert);
    settings.secrets.goldmane_client_key = pem(&certs.client_key);
    let client = Client::new(&settings).unwrap();
    for name in FLOW_DASHBOARDS {
        for p in dashboard(name)["panels"].as_array().unwrap() {
            let title = p["title"].as_str().unwrap();
            for t in p["targets"].as_array().into_iter().flatten() {
                let req = common::request(at_all(t));
                let frames = execute(&req, &settings, &client)
                    .await
                    .unwrap_or_else(|e| panic!("{name}: {title}: {e}"));
                assert!(
                    frames.iter().any(|f| f.rows() > 0),
                    "{name}: {title} has no data"
                );
            }
        }
    }
}
