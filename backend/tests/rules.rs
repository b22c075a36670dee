//! The generated alert rules judged by real rule engines: both promtools check the rule file
//! and the `PrometheusRule` manifest's rules and run the unit tests in `tests/rules/`;
//! Prometheus 3 and Thanos Ruler (through Thanos Query over an HA pair, deduplicating)
//! evaluate the rules live against a simulated pool growing toward exhaustion, and against a
//! healthy cluster.
//!
//! The live runs compress time: the simulator runs 3,000 × real time, the rules are rendered
//! for one-second evaluation with a 20 s forecast window, the forecast's day is 28.8 s (a
//! simulated day) and every `for` is 0 s (the unit tests hold the real `for` durations and
//! thresholds in real days; a live `for: 1h` would take an hour).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use calicoscope_backend::rules::{self, Format, Options, ALERTS};
use calicoscope_testkit::{
    calico_jobs, promtools, Prometheus, Simulator, ThanosComponent, ThanosHa,
};

const POOL: &str = "default-ipv4-ippool";

/// Simulated seconds per real second in the growth run.
const SPEED: f64 = 3000.0;

/// A fresh scratch directory for this test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("calicoscope-rules-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn promtool(bin: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(bin)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The manifest's `spec` as a rule file: promtool reads rule files, not manifests.
fn manifest_rules(manifest: &str) -> String {
    let (_, spec) = manifest
        .split_once("\nspec:\n")
        .expect("the manifest has a spec");
    spec.lines()
        .map(|l| l.strip_prefix("  ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn promtool_checks_the_rule_file_and_the_manifest() {
    let tools = promtools().unwrap_or_else(|e| panic!("{e}"));
    let dir = scratch("check");
    let plain = root().join("provisioning/alerting/prometheus/calico.rules.yaml");
    let manifest = std::fs::read_to_string(
        root().join("provisioning/alerting/prometheus-operator/calico-prometheusrule.yaml"),
    )
    .unwrap();
    let from_manifest = dir.join("from-manifest.yaml");
    std::fs::write(&from_manifest, manifest_rules(&manifest)).unwrap();
    let want = format!("SUCCESS: {} rules found", ALERTS.len());
    for (name, bin) in &tools {
        for file in [&plain, &from_manifest] {
            let (ok, out) = promtool(bin, &["check", "rules", file.to_str().unwrap()]);
            assert!(
                ok && out.contains(&want),
                "{name} on {}: {out}",
                file.display()
            );
        }
    }
}

#[test]
fn promtool_unit_tests_pass_and_a_wrong_expectation_fails() {
    let tools = promtools().unwrap_or_else(|e| panic!("{e}"));
    let tests = root().join("backend/tests/rules/ipam.test.yaml");
    // The same tests with one expected figure changed, next to an absolute rule file path.
    let dir = scratch("unit");
    let text = std::fs::read_to_string(&tests).unwrap();
    let rule_file = root().join("provisioning/alerting/prometheus/calico.rules.yaml");
    let wrong = text
        .replace(
            "../../../provisioning/alerting/prometheus/calico.rules.yaml",
            rule_file.to_str().unwrap(),
        )
        .replace("full in about 4.907 days", "full in about 9.907 days");
    assert_ne!(wrong, text);
    let wrong_file = dir.join("wrong.test.yaml");
    std::fs::write(&wrong_file, wrong).unwrap();
    for (name, bin) in &tools {
        let (ok, out) = promtool(bin, &["test", "rules", tests.to_str().unwrap()]);
        assert!(ok && out.contains("SUCCESS"), "{name}: {out}");
        let (ok, out) = promtool(bin, &["test", "rules", wrong_file.to_str().unwrap()]);
        assert!(
            !ok && out.contains("9.907"),
            "{name} passed a wrong expectation: {out}"
        );
    }
}

/// The rules as the live engines run them, in a simulator's time running `speed` × real
/// time: one-second evaluation, `for` 0 s, and a day of 86,400 / `speed` seconds in the
/// forecast (so "within 7 days" means seven simulated days).
fn live_rules(speed: f64) -> String {
    let json = serde_json::json!({ "scrapeInterval": "1s", "forecastWindow": "20s" });
    let settings = common::settings_with("http://127.0.0.1:9090", json);
    let options = Options {
        every: Duration::from_secs(1),
        ..Options::new(Format::Prometheus)
    };
    let file = rules::render(&settings, &options).unwrap();
    let day = "* 86400 > 0";
    assert_eq!(file.matches(day).count(), 2, "the two forecast rules");
    let file = file.replace(day, &format!("* {} > 0", 86_400.0 / speed.max(1.0)));
    let mut out = String::new();
    for line in file.lines() {
        match line.trim_start().strip_prefix("for: ") {
            Some(_) => out.push_str(&line.replace(line.trim_start(), "for: \"0s\"")),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    assert_eq!(out.matches("for: \"0s\"").count(), ALERTS.len());
    out
}

/// A GET of a rule engine's HTTP API: (status, body).
type Get<'a> = dyn Fn(&str) -> Result<(u16, String), String> + 'a;

/// A firing alert as `/api/v1/alerts` lists it.
#[derive(Debug, Clone)]
struct Firing {
    name: String,
    labels: BTreeMap<String, String>,
    summary: String,
    value: f64,
}

/// The firing alerts of an engine's `/api/v1/alerts`; every rule's health must be ok.
fn firing(get: &Get) -> Vec<Firing> {
    let (status, body) = get("/api/v1/rules").unwrap();
    assert_eq!(status, 200, "{body}");
    let rules: serde_json::Value = serde_json::from_str(&body).unwrap();
    for group in rules["data"]["groups"].as_array().unwrap() {
        for rule in group["rules"].as_array().unwrap() {
            let health = rule["health"].as_str().unwrap_or_default();
            assert!(
                health != "err",
                "{} fails: {}",
                rule["name"],
                rule["lastError"]
            );
        }
    }
    let (status, body) = get("/api/v1/alerts").unwrap();
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    // Thanos Ruler 0.42 names the list `Alerts` (Prometheus: `alerts`) and answers `null`
    // for none.
    let list = match &v["data"]["alerts"] {
        serde_json::Value::Null => &v["data"]["Alerts"],
        l => l,
    };
    let alerts = match list {
        serde_json::Value::Null => vec![],
        a => a.as_array().unwrap_or_else(|| panic!("{body}")).clone(),
    };
    alerts
        .iter()
        .filter(|a| a["state"] == "firing")
        .map(|a| {
            let labels: BTreeMap<String, String> =
                serde_json::from_value(a["labels"].clone()).unwrap();
            Firing {
                name: labels["alertname"].clone(),
                summary: a["annotations"]["summary"].as_str().unwrap().to_string(),
                value: a["value"].as_str().unwrap().parse().unwrap(),
                labels,
            }
        })
        .collect()
}

fn pool_alerts(all: &[Firing], name: &str) -> Vec<Firing> {
    all.iter().filter(|a| a.name == name).cloned().collect()
}

/// Days the simulator's own state says the pool has left at its current growth.
fn simulated_days_left(sim: &Simulator) -> (f64, f64) {
    let in_use = |c: &calicoscope_sim::Cluster| -> f64 {
        c.allocations
            .iter()
            .filter(|a| a.pool == POOL)
            .map(|a| a.in_use as f64)
            .sum()
    };
    let (t0, a) = (Instant::now(), sim.state());
    std::thread::sleep(Duration::from_secs(2));
    let b = sim.state();
    // Per simulated day.
    let per_day = (in_use(&b) - in_use(&a)) / t0.elapsed().as_secs_f64() * 86_400.0 / SPEED;
    let spec = b.pools.iter().find(|p| p.name == POOL).unwrap();
    let free = spec.size - spec.reserved as f64 - in_use(&b);
    (free / per_day, free)
}

/// Waits until `name` fires for the pool; returns it.
fn wait_until_fires(
    engine: &str,
    get: &Get,
    name: &str,
    timeout: Duration,
) -> (Firing, Vec<Firing>) {
    let t0 = Instant::now();
    loop {
        let all = firing(get);
        if let Some(a) = pool_alerts(&all, name).first() {
            return (a.clone(), all);
        }
        if t0.elapsed() > timeout {
            let rules = get("/api/v1/rules").map(|(_, b)| b).unwrap_or_else(|e| e);
            panic!("{engine}: {name} did not fire: {all:?}; its rules: {rules}");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// A rule engine's name and a GET of its HTTP API.
type Engine<'a> = (&'a str, &'a Get<'a>);

/// On every engine the pool's week warning fires once, with the simulator's figure, while
/// the day alert is quiet; later the day alert fires, before the pool is full.
fn fires_days_before_full(sim: &Simulator, engines: &[Engine]) {
    for (engine, get) in engines {
        let (week, all) = wait_until_fires(
            engine,
            *get,
            "CalicoIPPoolFullWithin7Days",
            Duration::from_secs(90),
        );
        let (days, free) = simulated_days_left(sim);
        assert_eq!(
            pool_alerts(&all, "CalicoIPPoolFullWithin7Days").len(),
            1,
            "{engine}: not doubled by two jobs: {all:?}"
        );
        assert_eq!(week.labels["ippool"], POOL);
        assert!(
            pool_alerts(&all, "CalicoIPPoolFullWithin24Hours").is_empty(),
            "{engine}: {days:.2} days left is not within a day: {all:?}"
        );
        assert!(
            week.summary.starts_with(&format!("{POOL}: full in about ")),
            "{engine}: {}",
            week.summary
        );
        assert!(
            days > 1.0 && free > 0.0,
            "{engine}: fired {days:.2} days before full"
        );
        assert!(
            (week.value / days - 1.0).abs() < 0.5,
            "{engine}: alert says {} days, simulator {days:.2}",
            week.value
        );
    }
    for (engine, get) in engines {
        let (day, _) = wait_until_fires(
            engine,
            *get,
            "CalicoIPPoolFullWithin24Hours",
            Duration::from_secs(120),
        );
        let (days, free) = simulated_days_left(sim);
        assert!(day.value < 1.0, "{engine}: {day:?}");
        assert!(
            free > 0.0 && days > 0.2,
            "{engine}: the day alert fired {days:.2} days before full ({free} free)"
        );
    }
}

#[test]
fn prometheus_3_and_thanos_ruler_fire_before_the_pool_is_full() {
    let mut cfg = calicoscope_sim::Config::demo(common::NODES);
    cfg.scenarios = calicoscope_sim::Scenarios::none();
    cfg.scenarios.growth = true;
    cfg.speed = SPEED;
    let sim = Simulator::start(cfg);
    let jobs = calico_jobs(&sim, true);
    let second = Duration::from_secs(1);
    let rules = live_rules(SPEED);
    let prom = Prometheus::evaluating(&jobs, second, &rules).unwrap_or_else(|e| panic!("{e}"));
    let ha = ThanosHa::start(&jobs, second).unwrap_or_else(|e| panic!("{e}"));
    let ruler = ThanosComponent::ruler(&ha.url, &rules, second).unwrap_or_else(|e| panic!("{e}"));
    let (prom_get, ruler_get) = (|p: &str| prom.get(p, &[]), |p: &str| ruler.get(p, &[]));
    fires_days_before_full(
        &sim,
        &[("Prometheus 3", &prom_get), ("Thanos Ruler", &ruler_get)],
    );
}

#[test]
fn a_healthy_cluster_fires_nothing() {
    let mut cfg = calicoscope_sim::Config::demo(common::NODES);
    // Frozen: a steady cluster. (Moving, the pods' churn inside a 20-second forecast window
    // reads as growth; the real window is six hours.)
    cfg.scenarios = calicoscope_sim::Scenarios::none();
    cfg.speed = 0.0;
    let sim = Simulator::start(cfg);
    let jobs = calico_jobs(&sim, true);
    let prom = Prometheus::evaluating(&jobs, Duration::from_secs(1), &live_rules(1.0))
        .unwrap_or_else(|e| panic!("{e}"));
    prom.wait_for(
        "count_over_time(ipam_ippool_size[1m]) >= 25",
        2,
        Duration::from_secs(90),
    )
    .unwrap();
    let get = |p: &str| prom.get(p, &[]);
    let all = firing(&get);
    assert!(all.is_empty(), "a healthy cluster fires {all:?}");
    // Every rule was evaluated (and found nothing), not skipped.
    let (_, body) = prom.get("/api/v1/rules", &[]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ok = v["data"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap().clone())
        .filter(|r| r["health"] == "ok")
        .count();
    assert_eq!(ok, ALERTS.len(), "{body}");
}

/// Grafana's alert rule types (grafana-foundation-sdk v0.0.22, strictly, with the enums
/// checked) accept the Grafana-managed rules, and refuse a rule with a state Grafana lacks.
#[test]
fn grafanas_alert_rule_types_accept_the_grafana_managed_rules() {
    let program = root().join("tests/grafana-sdk");
    let file = root().join("provisioning/alerting/calicoscope.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let broken = scratch("grafana").join("broken.yaml");
    let once = text.replacen("noDataState: \"OK\"", "noDataState: \"Fine\"", 1);
    assert_ne!(once, text);
    std::fs::write(&broken, once).unwrap();
    let run = |f: &Path| {
        let out = Command::new("go")
            .args(["run", "./alerts"])
            .arg(f)
            .current_dir(&program)
            .env("GOTOOLCHAIN", "local")
            .output()
            .expect("go is installed (scripts/setup.sh)");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, said) = run(&file);
    let want = format!("{} passed, 0 failed", ALERTS.len());
    assert!(ok && said.contains(&want), "{said}");
    let (ok, said) = run(&broken);
    assert!(!ok && said.contains("noDataState \"Fine\""), "{said}");
}

/// Each Grafana-managed rule's query is one the datasource plans: its catalog entry, asked
/// as alerting asks (instant), for the default settings.
#[test]
fn the_grafana_managed_queries_are_the_datasources() {
    let text =
        std::fs::read_to_string(root().join("provisioning/alerting/calicoscope.yaml")).unwrap();
    let settings = common::settings("http://127.0.0.1:9090");
    let mut planned = 0;
    for line in text.lines() {
        let Some(data) = line.trim_start().strip_prefix("- {") else {
            continue;
        };
        let data: serde_json::Value = serde_json::from_str(&format!("{{{data}")).unwrap();
        if data["datasourceUid"] == "__expr__" {
            continue;
        }
        assert_eq!(data["datasourceUid"], rules::grafana::DATASOURCE_UID);
        let req = common::request(data["model"].clone());
        calicoscope_backend::execute::plan(&req, &settings)
            .unwrap_or_else(|e| panic!("{}: {e}", data["model"]));
        planned += 1;
    }
    assert_eq!(planned, ALERTS.len());
}
