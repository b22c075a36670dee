//! A simulated Calico cluster on loopback, and the scrape jobs that read it the way a real
//! cluster's Prometheus would.

use std::sync::mpsc;

use calicoscope_sim::Config;

use crate::ScrapeJob;

/// The simulator serving in a background thread; it stops with the test process.
pub struct Simulator {
    /// `127.0.0.1:PORT`
    pub addr: String,
}

/// Serves `router` on a free loopback port in a background thread; returns `127.0.0.1:PORT`.
fn spawn(router: axum::Router) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind simulator");
            tx.send(listener.local_addr().expect("address").to_string())
                .expect("report address");
            axum::serve(listener, router)
                .await
                .expect("simulator serves");
        });
    });
    rx.recv().expect("simulator started")
}

impl Simulator {
    pub fn start(cfg: Config) -> Simulator {
        Simulator {
            addr: spawn(calicoscope_sim::router(cfg)),
        }
    }

    /// The cluster state the simulator serves right now (`/state`).
    pub fn state(&self) -> calicoscope_sim::Cluster {
        let body = ureq::get(&format!("http://{}/state", self.addr))
            .call()
            .expect("GET /state")
            .body_mut()
            .read_to_string()
            .expect("state body");
        serde_json::from_str(&body).expect("state JSON")
    }
}

/// Scrape jobs as a Calico install has them: kube-controllers without `honor_labels`,
/// Felix and Typha with `honor_labels` (the simulator sets `instance` per node itself).
/// `duplicate` adds a second job scraping kube-controllers, as happens when both a
/// ServiceMonitor and a static job exist; correct queries must not double count.
pub fn calico_jobs(sim: &Simulator, duplicate: bool) -> Vec<ScrapeJob> {
    let job = |name: &str, path: &str, honor: bool| ScrapeJob {
        metrics_path: path.to_string(),
        honor_labels: honor,
        ..ScrapeJob::new(name, &sim.addr)
    };
    let mut jobs = vec![
        job(
            "calico-kube-controllers",
            "/metrics/kube-controllers",
            false,
        ),
        job("felix-metrics", "/metrics/felix", true),
        job("typha-metrics", "/metrics/typha", true),
    ];
    if duplicate {
        jobs.push(job(
            "kube-controllers-servicemonitor",
            "/metrics/kube-controllers",
            false,
        ));
    }
    jobs
}

/// The scrape jobs of several clusters into one store, each told apart by a `cluster` target
/// label (as a fleet's Prometheus, or its remote write, labels them); job names get the
/// cluster's name, as one Prometheus needs distinct ones.
pub fn fleet_jobs(clusters: &[(&str, &Simulator)]) -> Vec<ScrapeJob> {
    clusters
        .iter()
        .flat_map(|(name, sim)| {
            calico_jobs(sim, false)
                .into_iter()
                .map(move |job| in_cluster(job, name))
        })
        .collect()
}

/// `job` as one cluster's of a fleet: its name suffixed, a `cluster` target label.
fn in_cluster(job: ScrapeJob, name: &str) -> ScrapeJob {
    ScrapeJob {
        job_name: format!("{}-{name}", job.job_name),
        labels: vec![("cluster".into(), name.to_string())],
        ..job
    }
}

/// A fleet of simulated clusters behind one address (`calicoscope_sim::fleet`), in a
/// background thread; it stops with the test process.
pub struct SimulatedFleet {
    /// `127.0.0.1:PORT`
    pub addr: String,
    pub members: Vec<calicoscope_sim::fleet::Member>,
}

impl SimulatedFleet {
    pub fn start(members: Vec<calicoscope_sim::fleet::Member>) -> SimulatedFleet {
        SimulatedFleet {
            addr: spawn(calicoscope_sim::fleet::fleet_router(members.clone())),
            members,
        }
    }

    /// Every cluster's scrape jobs, as [`fleet_jobs`] gives them for separate simulators.
    pub fn jobs(&self) -> Vec<ScrapeJob> {
        let at = Simulator {
            addr: self.addr.clone(),
        };
        self.members
            .iter()
            .flat_map(|m| {
                calico_jobs(&at, false).into_iter().map(|job| ScrapeJob {
                    metrics_path: calicoscope_sim::fleet::path(&m.name, &job.metrics_path),
                    ..in_cluster(job, &m.name)
                })
            })
            .collect()
    }
}
