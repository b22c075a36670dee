//! Test support for Calicoscope: runs REAL metrics stores (Prometheus, VictoriaMetrics)
//! on loopback for integration tests, and never leaves processes behind.
//!
//! * Every child is started with `prctl(PR_SET_PDEATHSIG, SIGKILL)` from a dedicated
//!   long-lived spawner thread (the death signal follows the thread that forked, so a
//!   short-lived test thread must not be the parent), so it dies with the test process
//!   even on SIGKILL; it is also killed and waited on `Drop` / `stop()`.
//! * Each store gets a temporary directory (data, generated config, `server.log` with the
//!   child's stdout and stderr) removed on `Drop`.
//! * Everything listens on `127.0.0.1` only.
//!
//! Binaries: `/usr/bin/prometheus` and `/usr/bin/victoria-metrics` from Debian's packages
//! (`scripts/setup.sh` installs them). The environment variables `CALICOSCOPE_PROMETHEUS_BIN`
//! and `CALICOSCOPE_VICTORIA_METRICS_BIN` override the paths.
//!
//! ```no_run
//! use std::time::Duration;
//! use calicoscope_testkit::{Prometheus, ScrapeJob, StaticMetricsServer};
//!
//! let target = StaticMetricsServer::start("up_test_metric{a=\"b\"} 7\n");
//! let prom = Prometheus::start(&[ScrapeJob::new("test", &target.addr)],
//!                              Duration::from_secs(1), "1h").unwrap();
//! prom.wait_for("up_test_metric", 1, Duration::from_secs(30)).unwrap();
//! let result = prom.query("up_test_metric").unwrap();
//! assert_eq!(result[0]["value"][1], "7");
//! ```

mod engines;
mod exposition;
mod server;
#[macro_use]
mod stores;
pub mod thanos;

pub mod cluster;

pub use cluster::{calico_jobs, fleet_jobs, SimulatedFleet, Simulator};
pub use engines::promtools;
pub use exposition::StaticMetricsServer;
pub use stores::{Prometheus, VictoriaMetrics};
pub use thanos::{ThanosComponent, ThanosHa};

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::sync::Mutex;
use std::time::Duration;

/// One scrape job of the generated configuration (one static target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeJob {
    pub job_name: String,
    /// `"127.0.0.1:PORT"`
    pub target: String,
    /// e.g. `"/metrics"`
    pub metrics_path: String,
    pub honor_labels: bool,
    /// Extra target labels, e.g. `("node", "master-0")`: with `honor_labels: false` a scraped
    /// `node` label then becomes `exported_node` in Prometheus.
    pub labels: Vec<(String, String)>,
}

impl ScrapeJob {
    /// A job scraping `http://<target>/metrics` with `honor_labels: false` and no extra labels.
    pub fn new(job_name: &str, target: &str) -> ScrapeJob {
        ScrapeJob {
            job_name: job_name.to_string(),
            target: target.to_string(),
            metrics_path: "/metrics".to_string(),
            honor_labels: false,
            labels: Vec::new(),
        }
    }
}

/// A TCP port that was free on 127.0.0.1 a moment ago (bind port 0, read it, drop).
/// Never returns the same port twice in one process, so stores started by parallel tests
/// cannot be handed the same port.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    for _ in 0..1000 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("bind 127.0.0.1:0");
        if handed_out.insert(port) {
            return port;
        }
    }
    panic!("free_port: no new free port on 127.0.0.1 after 1000 tries");
}

/// Formats a duration the way Prometheus and VictoriaMetrics configs accept (`1s`, `500ms`).
pub(crate) fn prom_duration(d: Duration) -> String {
    let ms = d.as_millis().max(1);
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// A YAML double-quoted scalar (JSON strings are valid YAML).
fn yaml_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// Renders a scrape config with only scrape keys (VictoriaMetrics rejects Prometheus-only
/// keys such as `evaluation_interval`), valid for both stores.
/// A rule engine's rule file, in its temp dir (Prometheus reads it relative to its config).
pub(crate) const RULES_FILE: &str = "rules.yaml";

pub(crate) fn scrape_config_yaml(jobs: &[ScrapeJob], scrape_interval: Duration) -> String {
    let interval = prom_duration(scrape_interval);
    // Prometheus refuses scrape_timeout > scrape_interval; its default is 10s.
    let timeout = prom_duration(scrape_interval.min(Duration::from_secs(10)));
    let mut y = format!("global:\n  scrape_interval: {interval}\n  scrape_timeout: {timeout}\n");
    if jobs.is_empty() {
        y.push_str("scrape_configs: []\n");
        return y;
    }
    y.push_str("scrape_configs:\n");
    for job in jobs {
        y.push_str(&format!("  - job_name: {}\n", yaml_str(&job.job_name)));
        y.push_str(&format!(
            "    metrics_path: {}\n",
            yaml_str(&job.metrics_path)
        ));
        y.push_str(&format!("    honor_labels: {}\n", job.honor_labels));
        y.push_str("    static_configs:\n");
        y.push_str(&format!("      - targets: [{}]\n", yaml_str(&job.target)));
        if !job.labels.is_empty() {
            y.push_str("        labels:\n");
            for (k, v) in &job.labels {
                y.push_str(&format!("          {}: {}\n", yaml_str(k), yaml_str(v)));
            }
        }
    }
    y
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(prom_duration(Duration::from_secs(1)), "1s");
        assert_eq!(prom_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(prom_duration(Duration::from_secs(15)), "15s");
    }

    #[test]
    fn config_yaml() {
        let mut job = ScrapeJob::new("calico \"felix\"", "127.0.0.1:9091");
        job.labels.push(("node".into(), "master-0".into()));
        let y = scrape_config_yaml(&[job], Duration::from_secs(15));
        assert!(
            y.contains("scrape_interval: 15s\n  scrape_timeout: 10s\n"),
            "{y}"
        );
        assert!(y.contains(r#"- job_name: "calico \"felix\"""#), "{y}");
        assert!(y.contains(r#"- targets: ["127.0.0.1:9091"]"#), "{y}");
        assert!(y.contains(r#""node": "master-0""#), "{y}");
        assert!(!y.contains("evaluation_interval"));
    }

    #[test]
    fn free_port_is_bindable() {
        let p = free_port();
        assert!(p > 0);
        TcpListener::bind(("127.0.0.1", p)).expect("port should be free");
    }
}
