//! The provisioned dashboards (provisioning/dashboards/*.json): every panel and target reads
//! the `datasource` variable (default: the provisioned datasource) and, for Prometheus's
//! entries, the `cluster` variable; Grafana's own dashboard types (grafana-foundation-sdk)
//! accept every file; every target runs through the backend against a real Prometheus
//! scraping a moving simulated cluster and returns data, with the dashboard variables at
//! "All" as Grafana sends them, and on a fleet with each cluster picked, that cluster's.

mod common;

use std::time::Duration;

use calicoscope_backend::query::catalog::find;
use calicoscope_backend::{client::Client, execute::execute};
use calicoscope_model::calico::{Dataplane, Release};
use calicoscope_sim::Config;
use serde_json::Value;

const DASHBOARDS: [&str; 4] = ["ipam", "felix", "typha", "fleet"];
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

/// What every dashboard's datasource reference is: the `datasource` variable.
const DATASOURCE: &str = "${datasource}";

#[test]
fn dashboards_read_the_datasource_and_cluster_variables_and_have_unique_ids() {
    let shared = |name: &str, var: &str| {
        let d = dashboard(name);
        let list = d["templating"]["list"].as_array().unwrap().clone();
        list.into_iter().find(|v| v["name"] == var)
    };
    // One definition of each shared variable: the IPAM dashboard's, equal everywhere.
    let (datasource, cluster) = (
        shared("ipam", "datasource").unwrap(),
        shared("ipam", "cluster").unwrap(),
    );
    assert_eq!(datasource["type"], "datasource");
    assert_eq!(datasource["query"], "calicoscope-datasource");
    assert_eq!(
        datasource["current"]["value"], "calicoscope",
        "defaults to the provisioned datasource"
    );
    assert_eq!(cluster["query"]["resource"], "clusters");
    assert_eq!(
        (cluster["multi"].as_bool(), cluster["includeAll"].as_bool()),
        (Some(true), Some(true))
    );
    for name in DASHBOARDS.into_iter().chain(FLOW_DASHBOARDS) {
        let d = dashboard(name);
        assert!(
            d["uid"].as_str().unwrap().starts_with("calicoscope-"),
            "{name}: uid"
        );
        assert_eq!(
            shared(name, "datasource").as_ref(),
            Some(&datasource),
            "{name}"
        );
        // Goldmane is per cluster: the flow dashboards pick a cluster by datasource.
        let flows = FLOW_DASHBOARDS.contains(&name);
        assert_eq!(
            shared(name, "cluster").as_ref(),
            (!flows).then_some(&cluster),
            "{name}"
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
            assert_eq!(p["datasource"]["uid"], DATASOURCE, "{name}: {title}");
            assert!(
                !p["targets"].as_array().unwrap().is_empty(),
                "{name}: {title} has no query"
            );
            for t in p["targets"].as_array().unwrap() {
                assert_eq!(t["datasource"]["uid"], DATASOURCE, "{name}: {title}");
                assert_eq!(
                    t["datasource"]["type"], "calicoscope-datasource",
                    "{name}: {title}"
                );
                if !flows {
                    assert_eq!(
                        t["filters"]["clusters"],
                        serde_json::json!(["$cluster"]),
                        "{name}: {title}"
                    );
                }
            }
        }
        for v in d["templating"]["list"].as_array().unwrap() {
            if v["type"] == "datasource" {
                continue;
            }
            assert_eq!(
                v["datasource"]["uid"], DATASOURCE,
                "{name}: variable {}",
                v["name"]
            );
            let scoped = ["pools", "nodes", "hosts", "instances", "syncers"];
            if !flows && scoped.iter().any(|r| v["query"]["resource"] == *r) {
                assert_eq!(
                    v["query"]["clusters"], "$cluster",
                    "{name}: variable {}",
                    v["name"]
                );
            }
        }
    }
}

/// Grafana's dashboard types (grafana-foundation-sdk v0.0.22, `UnmarshalJSONStrict` after
/// `plugins.RegisterDefaultPlugins()`, then `Validate()`) accept every provisioned dashboard,
/// and refuse one that lacks a field their schema requires.
#[test]
fn grafanas_dashboard_types_accept_every_dashboard() {
    let program = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/grafana-sdk");
    let files: Vec<String> = DASHBOARDS
        .into_iter()
        .chain(FLOW_DASHBOARDS)
        .map(|n| {
            format!(
                "{}/../provisioning/dashboards/{n}.json",
                env!("CARGO_MANIFEST_DIR")
            )
        })
        .collect();
    let mut broken = dashboard("typha");
    let legend = broken["panels"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["type"] == "timeseries")
        .unwrap();
    legend["options"].as_object_mut().unwrap().remove("legend");
    let broken_file =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-without-legend.json");
    std::fs::write(&broken_file, broken.to_string()).unwrap();
    let run = |files: &[String]| {
        let out = std::process::Command::new("go")
            .args(["run", "./dashboards"])
            .args(files)
            .current_dir(&program)
            .output()
            .expect("go is installed (scripts/setup.sh)");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, said) = run(&files);
    assert!(ok, "{said}");
    assert!(
        said.contains(&format!("{} passed, 0 failed", files.len())),
        "{said}"
    );
    let (ok, said) = run(&[broken_file.display().to_string()]);
    assert!(
        !ok && said.contains("options.legend: required field is missing"),
        "{said}"
    );
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

/// `$cluster` as one cluster picked, every other variable at "All".
fn with_cluster(v: &Value, cluster: &str) -> Value {
    match v {
        Value::String(s) if s == "$cluster" => Value::String(cluster.into()),
        Value::String(s) if s.starts_with('$') => Value::String("$__all".into()),
        Value::Array(a) => Value::Array(a.iter().map(|v| with_cluster(v, cluster)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), with_cluster(v, cluster)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The fleet of two clusters in one Prometheus, each picked in the `cluster` variable: every
/// dashboard query answers with that cluster's series only, and with data where its release
/// and dataplane have the entry's families.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_per_cluster_of_a_fleet() {
    let fleet = common::fleet();
    let jobs =
        calicoscope_testkit::fleet_jobs(&fleet.iter().map(|(n, s)| (*n, s)).collect::<Vec<_>>());
    let prom = tokio::task::spawn_blocking(move || {
        calicoscope_testkit::Prometheus::start(&jobs, Duration::from_secs(1), "1h")
            .unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .unwrap();
    common::wait_fleet(&fleet, |e, n, t| prom.wait_for(e, n, t));
    let settings = common::settings(&prom.url);
    let client = Client::new(&settings).unwrap();
    for (cluster, _, minor, dataplane) in common::FLEET {
        let release = Release(minor);
        let mut with_data = 0;
        for name in DASHBOARDS {
            for p in dashboard(name)["panels"].as_array().unwrap() {
                let title = p["title"].as_str().unwrap();
                for t in p["targets"].as_array().into_iter().flatten() {
                    let id = t["catalog"].as_str().unwrap();
                    let entry = find(id).unwrap();
                    let req = common::request(with_cluster(t, cluster));
                    let frames = execute(&req, &settings, &client)
                        .await
                        .unwrap_or_else(|e| panic!("{name}: {title}: {e}"));
                    for f in frames.iter().filter(|f| f.rows() > 0) {
                        for field in f.fields.iter().filter(|f| !f.labels.is_empty()) {
                            assert_eq!(
                                field.labels.get("cluster").map(String::as_str),
                                Some(cluster),
                                "{name}: {title} ({id})"
                            );
                        }
                    }
                    let frozen = common::expect::EMPTY_WHEN_FROZEN.contains(&id);
                    if entry.applies_to(release, dataplane) && !frozen {
                        assert!(
                            frames.iter().any(|f| f.rows() > 0),
                            "{name}: {title} ({id}) has no data in {cluster}"
                        );
                        with_data += 1;
                    }
                }
            }
        }
        assert!(
            with_data >= 25,
            "{cluster}: {with_data} dashboard queries had data"
        );
    }
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
