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

impl Simulator {
    pub fn start(cfg: Config) -> Simulator {
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
                calicoscope_sim::serve(listener, cfg)
                    .await
                    .expect("simulator serves");
            });
        });
        Simulator {
            addr: rx.recv().expect("simulator started"),
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
                .map(move |job| ScrapeJob {
                    job_name: format!("{}-{name}", job.job_name),
                    labels: vec![("cluster".into(), name.to_string())],
                    ..job
                })
        })
        .collect()
}
