//! A Thanos HA tier on loopback: two Prometheus 3 replicas scraping the same targets with
//! `external_labels: {replica: a|b}`, a Thanos sidecar beside each, and a Thanos Query in
//! front (`--query.replica-label=replica`); or a fleet of such pairs, one per cluster, with a
//! `cluster` external label. Everything is killed and cleaned up on drop.

use std::path::Path;
use std::time::Duration;

use crate::engines;
use crate::server::{Launch, Server};
use crate::stores::Prometheus;
use crate::{free_port, ScrapeJob};

const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// The label that tells the replicas apart, which Thanos Query deduplicates on.
pub const REPLICA_LABEL: &str = "replica";

/// One Thanos component (`sidecar` or `query`): its HTTP URL and its gRPC address.
pub struct ThanosComponent {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// `127.0.0.1:PORT` (StoreAPI)
    pub grpc: String,
    server: Server,
}

impl ThanosComponent {
    fn start(name: &'static str, args: Vec<String>) -> Result<ThanosComponent, String> {
        Self::start_in(name, vec![], move |_| args.clone())
    }

    /// Starts a component with `files` written into its temp dir first; `args` gets that dir.
    fn start_in(
        name: &'static str,
        files: Vec<(&str, String)>,
        args: impl Fn(&Path) -> Vec<String>,
    ) -> Result<ThanosComponent, String> {
        let bin = engines::binary("CALICOSCOPE_THANOS_BIN", engines::THANOS)?;
        let grpc = format!("127.0.0.1:{}", free_port());
        let grpc_flag = format!("--grpc-address={grpc}");
        let launch_args = move |dir: &Path, port: u16| {
            let mut all = args(dir);
            all.push(format!("--http-address=127.0.0.1:{port}"));
            all.push(grpc_flag.clone());
            all
        };
        let server = Server::start(&Launch {
            name,
            bin,
            files,
            args: &launch_args,
            ready_path: "/-/ready",
            ready_timeout: READY_TIMEOUT,
        })?;
        Ok(ThanosComponent {
            url: server.url.clone(),
            grpc,
            server,
        })
    }

    /// A sidecar serving `prom`'s data over the StoreAPI.
    pub fn sidecar(prom: &Prometheus) -> Result<ThanosComponent, String> {
        Self::start(
            "thanos-sidecar",
            vec![
                "sidecar".into(),
                format!("--prometheus.url={}", prom.url),
                format!("--tsdb.path={}", prom.data_dir().display()),
                "--log.level=info".into(),
            ],
        )
    }

    /// A querier over `endpoints` (gRPC addresses), deduplicating on [`REPLICA_LABEL`].
    pub fn querier(endpoints: &[&str]) -> Result<ThanosComponent, String> {
        let mut args = vec![
            "query".to_string(),
            format!("--query.replica-label={REPLICA_LABEL}"),
            "--log.level=info".into(),
        ];
        // Strict: always asked, even when failing its health check, so a failing store is
        // reported on every query rather than silently dropped from the set.
        args.extend(endpoints.iter().map(|e| format!("--endpoint-strict={e}")));
        Self::start("thanos-query", args)
    }

    /// A Thanos Ruler evaluating the rule file `rules` (its text) every `every` through the
    /// Thanos Query at `query_url`, which it asks with deduplication on; its alerts are at
    /// `/api/v1/alerts`.
    pub fn ruler(query_url: &str, rules: &str, every: Duration) -> Result<ThanosComponent, String> {
        let query = query_url.trim_start_matches("http://").to_string();
        let every = crate::prom_duration(every);
        Self::start_in(
            "thanos-rule",
            vec![(crate::RULES_FILE, rules.to_string())],
            move |dir| {
                vec![
                    "rule".into(),
                    format!("--query={query}"),
                    format!("--rule-file={}", dir.join(crate::RULES_FILE).display()),
                    format!("--data-dir={}", dir.join("data").display()),
                    format!("--eval-interval={every}"),
                    "--label=ruler=\"calicoscope-test\"".into(),
                    "--log.level=info".into(),
                ]
            },
        )
    }
}

store_api!(ThanosComponent);

/// The external labels of a pair of replicas and the jobs they scrape.
type Group<'a> = (&'a [(&'a str, &'a str)], &'a [ScrapeJob]);

/// Two Prometheus 3 replicas with sidecars behind one Thanos Query.
pub struct ThanosHa {
    /// Thanos Query's URL: the datasource URL.
    pub url: String,
    pub query: ThanosComponent,
    pub sidecars: Vec<ThanosComponent>,
    pub replicas: Vec<Prometheus>,
}

impl ThanosHa {
    /// Starts the tier scraping `jobs` and waits until Thanos Query sees both stores.
    pub fn start(jobs: &[ScrapeJob], scrape_interval: Duration) -> Result<ThanosHa, String> {
        Self::tier(&[(&[], jobs)], scrape_interval)
    }

    /// A fleet behind one Thanos Query: per cluster two replicas scraping its `jobs`, with
    /// `external_labels: {cluster: <name>, replica: a|b}`, as each cluster's Prometheus pair
    /// and sidecars would be.
    pub fn fleet(
        clusters: &[(&str, Vec<ScrapeJob>)],
        scrape_interval: Duration,
    ) -> Result<ThanosHa, String> {
        let labels: Vec<[(&str, &str); 1]> = clusters
            .iter()
            .map(|(name, _)| [("cluster", *name)])
            .collect();
        let groups: Vec<Group> = labels
            .iter()
            .zip(clusters)
            .map(|(l, (_, jobs))| (&l[..], jobs.as_slice()))
            .collect();
        Self::tier(&groups, scrape_interval)
    }

    /// Two replicas per group of jobs (with the group's external labels), their sidecars and
    /// one Thanos Query over all of them.
    fn tier(groups: &[Group], scrape_interval: Duration) -> Result<ThanosHa, String> {
        let mut replicas = Vec::new();
        for (labels, jobs) in groups {
            for r in ["a", "b"] {
                let mut external = labels.to_vec();
                external.push((REPLICA_LABEL, r));
                replicas.push(Prometheus::start_v3(
                    jobs,
                    scrape_interval,
                    "2h",
                    &external,
                )?);
            }
        }
        let sidecars = replicas
            .iter()
            .map(ThanosComponent::sidecar)
            .collect::<Result<Vec<_>, _>>()?;
        let endpoints: Vec<&str> = sidecars.iter().map(|s| s.grpc.as_str()).collect();
        let query = ThanosComponent::querier(&endpoints)?;
        let ha = ThanosHa {
            url: query.url.clone(),
            query,
            sidecars,
            replicas,
        };
        ha.wait_for_stores(ha.replicas.len(), READY_TIMEOUT)?;
        Ok(ha)
    }

    /// Waits until Thanos Query lists `n` healthy stores (`/api/v1/stores`).
    pub fn wait_for_stores(&self, n: usize, timeout: Duration) -> Result<(), String> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let (_, body) = self.query.get("/api/v1/stores", &[])?;
            let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            let healthy = json["data"]
                .as_object()
                .map(|groups| {
                    groups
                        .values()
                        .flat_map(|g| g.as_array().cloned().unwrap_or_default())
                        .filter(|s| s["lastError"].is_null())
                        .count()
                })
                .unwrap_or(0);
            if healthy >= n {
                return Ok(());
            }
            if std::time::Instant::now() >= deadline {
                return Err(format!(
                    "thanos-query sees {healthy} of {n} stores after {timeout:?}: {body}\n--- query log ---\n{}",
                    self.query.log_tail(20)
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Polls through Thanos Query (deduplicated) until `promql` has `min_series` series.
    pub fn wait_for(
        &self,
        promql: &str,
        min_series: usize,
        timeout: Duration,
    ) -> Result<(), String> {
        self.query.wait_for(promql, min_series, timeout)
    }
}
