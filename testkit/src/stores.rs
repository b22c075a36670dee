//! `Prometheus` and `VictoriaMetrics`: what differs (binary, flags, readiness path);
//! everything else is the shared [`Server`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::engines;
use crate::server::{find_binary, Launch, Server};
use crate::{scrape_config_yaml, ScrapeJob};

const READY_TIMEOUT: Duration = Duration::from_secs(60);
const CONFIG_FILE: &str = "scrape.yml";

/// The API both stores share, forwarded to [`Server`].
macro_rules! store_api {
    ($ty:ident) => {
        impl $ty {
            /// Stops the store (SIGKILL) and starts it again on the same port and data.
            pub fn restart(&mut self) -> Result<(), String> {
                self.server.restart()
            }

            /// Stops the store (SIGKILL), as a crash would.
            pub fn kill(&mut self) {
                self.server.kill()
            }

            /// GET `/api/v1/query?query=...`; returns the parsed `data.result` array.
            /// Err if the request fails or `status != "success"`.
            pub fn query(&self, promql: &str) -> Result<serde_json::Value, String> {
                self.server.query(promql)
            }

            /// Polls `promql` until it returns at least `min_series` series or `timeout` passes.
            /// The error carries the last answer and the last 30 lines of the store's log.
            pub fn wait_for(
                &self,
                promql: &str,
                min_series: usize,
                timeout: Duration,
            ) -> Result<(), String> {
                self.server.wait_for(promql, min_series, timeout)
            }

            /// GET any path of the store's HTTP API with query parameters: (status, body).
            pub fn get(
                &self,
                path: &str,
                params: &[(&str, &str)],
            ) -> Result<(u16, String), String> {
                self.server.get(path, params)
            }

            /// The child's process id (for liveness checks).
            pub fn pid(&self) -> u32 {
                self.server.pid()
            }

            /// The temporary directory holding data, config and log (removed on drop).
            pub fn dir(&self) -> &std::path::Path {
                self.server.dir()
            }

            /// The last `n` lines of the store's stdout/stderr.
            pub fn log_tail(&self, n: usize) -> String {
                self.server.log_tail(n)
            }

            /// Path of the store's stdout/stderr log file.
            pub fn log_path(&self) -> &std::path::Path {
                self.server.log_path()
            }

            /// Kills and reaps the child and removes the temp dir (same as dropping it).
            pub fn stop(self) {
                drop(self);
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("url", &self.url)
                    .field("pid", &self.server.pid())
                    .field("dir", &self.server.dir())
                    .finish()
            }
        }
    };
}

/// A real Prometheus on `127.0.0.1:<free port>`, killed and cleaned up on drop.
pub struct Prometheus {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    server: Server,
}

impl Prometheus {
    /// Starts `/usr/bin/prometheus` with a generated config (global `scrape_interval`, the
    /// jobs), TSDB in a temp dir, `--web.listen-address=127.0.0.1:<free port>` and
    /// `--storage.tsdb.retention.time=<retention>` (e.g. `"1h"`), and waits until `/-/ready`
    /// answers 200 (60 s at most).
    pub fn start(
        jobs: &[ScrapeJob],
        scrape_interval: Duration,
        retention: &str,
    ) -> Result<Prometheus, String> {
        Self::launch(
            prometheus_bin()?,
            jobs,
            scrape_interval,
            retention,
            &[],
            None,
        )
    }

    /// The same with Prometheus 3, built from source by `scripts/build-engines.sh`, and
    /// `external_labels` in the global config (a Thanos sidecar needs them: `replica`).
    pub fn start_v3(
        jobs: &[ScrapeJob],
        scrape_interval: Duration,
        retention: &str,
        external_labels: &[(&str, &str)],
    ) -> Result<Prometheus, String> {
        let bin = engines::binary("CALICOSCOPE_PROMETHEUS3_BIN", engines::PROMETHEUS3)?;
        Self::launch(bin, jobs, scrape_interval, retention, external_labels, None)
    }

    /// Prometheus 3 scraping `jobs` and evaluating the rule file `rules` (its text) every
    /// `scrape_interval`; its alerts are at `/api/v1/alerts`.
    pub fn evaluating(
        jobs: &[ScrapeJob],
        scrape_interval: Duration,
        rules: &str,
    ) -> Result<Prometheus, String> {
        let bin = engines::binary("CALICOSCOPE_PROMETHEUS3_BIN", engines::PROMETHEUS3)?;
        Self::launch(bin, jobs, scrape_interval, "1h", &[], Some(rules))
    }

    fn launch(
        bin: PathBuf,
        jobs: &[ScrapeJob],
        scrape_interval: Duration,
        retention: &str,
        external_labels: &[(&str, &str)],
        rules: Option<&str>,
    ) -> Result<Prometheus, String> {
        let retention = retention.to_string();
        let args = move |dir: &Path, port: u16| {
            vec![
                format!("--config.file={}", dir.join(CONFIG_FILE).display()),
                format!("--storage.tsdb.path={}", dir.join("data").display()),
                format!("--storage.tsdb.retention.time={retention}"),
                format!("--web.listen-address=127.0.0.1:{port}"),
                "--log.level=info".to_string(),
            ]
        };
        let mut config =
            with_external_labels(scrape_config_yaml(jobs, scrape_interval), external_labels);
        let mut files = vec![];
        if let Some(rules) = rules {
            let every = crate::prom_duration(scrape_interval);
            config = config.replacen(
                "global:\n",
                &format!("global:\n  evaluation_interval: {every}\n"),
                1,
            );
            config.push_str(&format!("rule_files: [{:?}]\n", crate::RULES_FILE));
            files.push((crate::RULES_FILE, rules.to_string()));
        }
        files.push((CONFIG_FILE, config));
        let server = Server::start(&Launch {
            name: "prometheus",
            bin,
            files,
            args: &args,
            ready_path: "/-/ready",
            ready_timeout: READY_TIMEOUT,
        })?;
        Ok(Prometheus {
            url: server.url.clone(),
            server,
        })
    }

    /// The TSDB directory (a Thanos sidecar reads it).
    pub fn data_dir(&self) -> PathBuf {
        self.server.dir().join("data")
    }
}

/// Adds `external_labels` under `global:` of a generated config.
fn with_external_labels(config: String, labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return config;
    }
    let mut block = String::from("global:\n  external_labels:\n");
    for (k, v) in labels {
        block.push_str(&format!(
            "    {k}: {}\n",
            serde_json::Value::String(v.to_string())
        ));
    }
    config.replacen("global:\n", &block, 1)
}

fn prometheus_bin() -> Result<PathBuf, String> {
    find_binary(
        "CALICOSCOPE_PROMETHEUS_BIN",
        "/usr/bin/prometheus",
        "run scripts/setup.sh (apt-get install prometheus)",
    )
}

store_api!(Prometheus);

/// A real single-node VictoriaMetrics on `127.0.0.1:<free port>` scraping `jobs`,
/// killed and cleaned up on drop. It serves the Prometheus query API at `/api/v1/query`.
pub struct VictoriaMetrics {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    server: Server,
}

impl VictoriaMetrics {
    /// Starts `/usr/bin/victoria-metrics` with `-promscrape.config` (only scrape keys),
    /// `-httpListenAddr=127.0.0.1:<free port>`, `-storageDataPath=<temp>` and
    /// `-search.latencyOffset=0s` (fresh samples visible at once), and waits until `/health`
    /// answers 200 (60 s at most).
    pub fn start(jobs: &[ScrapeJob], scrape_interval: Duration) -> Result<VictoriaMetrics, String> {
        let bin = find_binary(
            "CALICOSCOPE_VICTORIA_METRICS_BIN",
            "/usr/bin/victoria-metrics",
            "run scripts/setup.sh (apt-get install victoria-metrics)",
        )?;
        let args = |dir: &Path, port: u16| {
            vec![
                format!("-promscrape.config={}", dir.join(CONFIG_FILE).display()),
                format!("-httpListenAddr=127.0.0.1:{port}"),
                format!("-storageDataPath={}", dir.join("data").display()),
                "-search.latencyOffset=0s".to_string(),
                // Without this, VM caches query results and hides samples newer than ~10s
                // at the range end; tests want what was just scraped.
                "-search.disableCache".to_string(),
            ]
        };
        let server = Server::start(&Launch {
            name: "victoria-metrics",
            bin,
            files: vec![(CONFIG_FILE, scrape_config_yaml(jobs, scrape_interval))],
            args: &args,
            ready_path: "/health",
            ready_timeout: READY_TIMEOUT,
        })?;
        Ok(VictoriaMetrics {
            url: server.url.clone(),
            server,
        })
    }

    /// Makes freshly ingested samples searchable at once (`GET /internal/force_flush`).
    pub fn force_flush(&self) -> Result<(), String> {
        match self.server.get("/internal/force_flush", &[])? {
            (200, _) => Ok(()),
            (status, body) => Err(format!(
                "victoria-metrics: force_flush: HTTP {status}: {body}"
            )),
        }
    }
}

store_api!(VictoriaMetrics);
