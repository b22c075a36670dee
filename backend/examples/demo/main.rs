//! The terminal demo: a simulated 200-node Calico cluster, a real Prometheus scraping it on
//! loopback, and the backend's plain-language IPAM report, refreshed until Ctrl-C.
//!
//! ```text
//! cargo run --release -p calicoscope-backend --example demo -- [--nodes 200] [--once]
//!     [--frames DIR] [--port 3300] [--no-preview] [--plugin PATH]
//!     [--calico-version 3.33] [--dataplane iptables|nftables|bpf] [--clusters N]
//! ```
//! `--clusters N` simulates a fleet made from those options (`calicoscope_sim::fleet`: same
//! pool and node names, sizes, releases and dataplanes varying) scraped into the one
//! Prometheus with a `cluster` target label; the Goldmane is the first cluster's.
//! Unless `--once` or `--no-preview`, it also starts the plugin binary (`--plugin`, default
//! `gpx_calicoscope` beside this example's target folder) through the real plugin protocol
//! and a preview page on 127.0.0.1 (`preview.rs`) that renders the IPAM dashboard's
//! Calicoscope panels through `module.js` with live data, and the Policy & flows dashboard
//! (`?dashboard=flows`: the flow matrix against the simulator's Goldmane).
//! `--frames DIR` writes the backend's frames for the panel (`topology.json`, the
//! `ipam_topology` query; `heatmap.json`, `ipam_block_fill` over the last minutes) in
//! Grafana's data frame JSON and exits: the browser tests render exactly these.
//! Everything started here stops with the process (Ctrl-C included).

use std::time::Duration;

mod preview;

use std::sync::Arc;

use calicoscope_backend::{cli, client::Client, plugin, settings::Settings};
use calicoscope_host as host;
use calicoscope_model::calico::{Dataplane, Release};
use calicoscope_sim::Config;
use calicoscope_testkit::{calico_jobs, Prometheus, ScrapeJob, SimulatedFleet, Simulator};

/// The simulated clock runs this many times faster than the real one.
const SPEED: f64 = 60.0;

/// The terminal demo: a simulated Calico cluster, a real Prometheus scraping it, the IPAM
/// report, and a preview page of the IPAM dashboard's Calicoscope panels.
#[derive(Debug, clap::Parser)]
#[command(name = "demo")]
struct Args {
    /// Nodes in the simulated cluster
    #[arg(long, value_name = "N", default_value_t = calicoscope_sim::config::DEFAULT_NODES)]
    nodes: usize,
    /// Print one report and exit
    #[arg(long)]
    once: bool,
    /// Write the backend's frames for the panel to DIR and exit
    #[arg(long, value_name = "DIR")]
    frames: Option<String>,
    /// Port of the preview page on 127.0.0.1
    #[arg(long, default_value_t = 3300)]
    port: u16,
    /// Skip the plugin and the preview page
    #[arg(long)]
    no_preview: bool,
    /// The gpx_calicoscope binary (default: beside this example's target folder)
    #[arg(long, value_name = "PATH")]
    plugin: Option<String>,
    /// The Calico release to simulate (default: the simulator's)
    #[arg(long, value_name = "V", value_parser = Release::parse)]
    calico_version: Option<Release>,
    /// iptables, nftables or bpf (default: the simulator's)
    #[arg(long, value_name = "D", value_parser = Dataplane::parse)]
    dataplane: Option<Dataplane>,
    /// Simulate a fleet of N clusters in one store
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=calicoscope_sim::fleet::MAX_CLUSTERS as i64))]
    clusters: u16,
}

#[tokio::main]
async fn main() {
    let args = <Args as clap::Parser>::parse();
    let (once, nodes, port) = (args.once, args.nodes, args.port);
    let frames_dir = args.frames.clone();
    let with_preview = !once && !args.no_preview;

    let mut cfg = Config::demo(nodes);
    cfg.release = args.calico_version.unwrap_or(cfg.release);
    cfg.dataplane = args.dataplane.unwrap_or(cfg.dataplane);
    cfg.validate().unwrap_or_else(|e| fail(&e));
    cfg.speed = SPEED;
    cfg.start_offset_s = 18.0 * 3600.0; // a cluster that has been growing for a while
    let members = calicoscope_sim::fleet::members(&cfg, args.clusters.into());
    let goldmane = start_goldmane(&members[0].config).await;
    let (jobs, goldmane_cluster) = simulate(cfg, members);
    let prom =
        tokio::task::spawn_blocking(move || Prometheus::start(&jobs, Duration::from_secs(2), "2h"))
            .await
            .unwrap()
            .unwrap_or_else(|e| fail(&e));
    println!(
        "prometheus: {} (scrapes every 2 s; try {}/graph)",
        prom.url, prom.url
    );

    let mut json = serde_json::json!({ "scrapeInterval": "2s", "forecastWindow": "2m" });
    let mut secrets = Vec::new();
    if let Some(g) = &goldmane {
        if !goldmane_cluster.is_empty() {
            json["goldmaneCluster"] = serde_json::json!(goldmane_cluster);
        }
        json["goldmaneAddress"] = serde_json::json!(g.server.addr.to_string());
        json["goldmaneServerName"] = serde_json::json!("goldmane.calico-system.svc");
        secrets = g.secrets.clone();
    }
    let secret_refs: Vec<(&str, &str)> = secrets.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Read as Grafana's settings are: jsonData and the secure map (one key → field mapping).
    let secure = secrets
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let settings = Settings::from_parts(&prom.url, None, json.to_string().as_bytes(), &secure)
        .unwrap_or_else(|e| fail(&e.to_string()));
    let client = Client::new(&settings).unwrap_or_else(|e| fail(&e.to_string()));
    // A heatmap wants a few columns of history, the report only two scrapes.
    wait_for_data(&prom, if frames_dir.is_some() { 8 } else { 3 }).await;
    if let Some(dir) = frames_dir {
        write_frames(&dir, &settings, &client).await;
        return;
    }
    let _preview = if with_preview {
        Some(start_preview(&prom.url, &json, &secret_refs, port, args.plugin.clone()).await)
    } else {
        None
    };
    println!("the simulated clock runs {SPEED}x faster than yours: forecasts are in real days at that pace\n");
    loop {
        let health = plugin::check(&settings, &client).await;
        println!("health: {}", health.message);
        match cli_report(&settings, &client).await {
            Ok(text) => println!("{text}"),
            Err(e) => println!("report failed: {e}"),
        }
        println!();
        if once {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(15)) => {}
            _ = stop_signal() => { println!("stopping"); return; }
        }
    }
}

/// Starts the simulated cluster, or the fleet when there are several members; the scrape
/// jobs that read it and the cluster whose Goldmane the demo runs (empty for one cluster).
fn simulate(cfg: Config, members: Vec<calicoscope_sim::fleet::Member>) -> (Vec<ScrapeJob>, String) {
    if members.len() == 1 {
        let sim = Simulator::start(cfg.clone());
        println!(
            "simulator: {} nodes, Calico {} on {}, at http://{}/metrics/{{kube-controllers,felix,typha}}",
            cfg.nodes, cfg.release, cfg.dataplane, sim.addr
        );
        return (calico_jobs(&sim, false), String::new());
    }
    let fleet = SimulatedFleet::start(members);
    println!(
        "simulator: a fleet of {} clusters at http://{}/clusters/<name>/metrics/...",
        fleet.members.len(),
        fleet.addr
    );
    for m in &fleet.members {
        println!("  {}", calicoscope_sim::fleet::describe(m));
    }
    (fleet.jobs(), fleet.members[0].name.clone())
}

/// Ctrl-C or SIGTERM: either way everything started here stops with us.
async fn stop_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

async fn cli_report(settings: &Settings, client: &Client) -> Result<String, String> {
    cli::report(settings, client).await
}

/// Wait until `samples` scrapes are stored.
async fn wait_for_data(prom: &Prometheus, samples: usize) {
    println!("waiting for the first scrapes...");
    let ready = format!("count_over_time(ipam_ippool_size[1m]) >= {samples}");
    tokio::task::block_in_place(|| prom.wait_for(&ready, 1, Duration::from_secs(60)))
        .unwrap_or_else(|e| fail(&e));
}

fn fail(e: &str) -> ! {
    eprintln!("demo: {e}");
    std::process::exit(1);
}

/// The panel's inputs as the backend produces them, one JSON array of frames per file.
async fn write_frames(dir: &str, settings: &Settings, client: &Client) {
    use calicoscope_backend::execute::{execute, Request};
    use calicoscope_backend::frames::json::to_json;
    std::fs::create_dir_all(dir).unwrap_or_else(|e| fail(&format!("{dir}: {e}")));
    let queries = [
        (
            "topology.json",
            r#"{"mode":"catalog","catalog":"ipam_topology","instant":true}"#,
        ),
        (
            "heatmap.json",
            r#"{"mode":"catalog","catalog":"ipam_block_fill"}"#,
        ),
    ];
    for (file, query) in queries {
        let req = Request::ending_now(query.as_bytes(), 60_000, 720);
        let frames = execute(&req, settings, client)
            .await
            .unwrap_or_else(|e| fail(&format!("{file}: {e}")));
        let json: Vec<_> = frames.iter().map(|f| to_json(f, &req.ref_id)).collect();
        let path = format!("{dir}/{file}");
        std::fs::write(&path, serde_json::to_vec(&json).unwrap())
            .unwrap_or_else(|e| fail(&format!("{path}: {e}")));
        println!("wrote {path} ({} frames)", frames.len());
    }
}

/// The plugin process (as Grafana starts it) behind the preview server; both stop with us.
async fn start_preview(
    prometheus: &str,
    json: &serde_json::Value,
    secrets: &[(&str, &str)],
    port: u16,
    plugin_path: Option<String>,
) -> Arc<preview::Preview> {
    let binary = plugin_path.unwrap_or_else(|| {
        let exe = std::env::current_exe().expect("current_exe");
        // target/<profile>/examples/demo → target/<profile>/gpx_calicoscope
        let dir = exe
            .parent()
            .and_then(|d| d.parent())
            .expect("target folder");
        dir.join("gpx_calicoscope").to_string_lossy().into_owned()
    });
    if !std::path::Path::new(&binary).exists() {
        fail(&format!("{binary} missing: cargo build -p calicoscope-backend --bin gpx_calicoscope (or --plugin PATH)"));
    }
    let plugin = tokio::task::block_in_place(|| host::PluginProcess::start(&binary, &[]));
    let channel = plugin.channel().await;
    // Two datasources on the same Prometheus: the demo's, and one whose Typha job matches
    // no scrape job (a misconfiguration the app's setup check finds and explains).
    let mut wrong_typha = json.clone();
    wrong_typha["typhaJob"] = serde_json::json!("calico-typha-metrics");
    let datasources = [
        ("calicoscope", "Calicoscope", json.clone()),
        (
            "calicoscope-typha-job",
            "Calicoscope (wrong Typha job)",
            wrong_typha,
        ),
    ]
    .map(|(uid, name, json)| {
        let mut context = host::context(prometheus, json, secrets);
        if let Some(ds) = context.data_source_instance_settings.as_mut() {
            ds.uid = uid.into();
            ds.name = name.into();
        }
        (uid.to_string(), context)
    });
    let state = Arc::new(preview::Preview {
        _plugin: plugin,
        channel,
        datasources: datasources.into(),
        app_settings: std::sync::Mutex::new(
            serde_json::json!({ "enabled": true, "pinned": true, "jsonData": {} }),
        ),
        root: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
    });
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(_) => tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind 127.0.0.1"),
    };
    let addr = listener.local_addr().expect("local_addr");
    let app = preview::router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!(
        "preview: http://{addr}/  (the IPAM dashboard's Calicoscope panels with live data, through \
         module.js and the plugin protocol; a test host for the plugin, not Grafana)\n\
         preview: http://{addr}/host/preview.html?dashboard=flows  (the Policy & flows dashboard: \
         the flow matrix and its drill-down, with the simulator's Goldmane)"
    );
    state
}

/// The simulator's Goldmane (Calico 3.30 and later), over mutual TLS with fresh
/// certificates, and the datasource secrets that reach it.
struct DemoGoldmane {
    server: calicoscope_sim::goldmane::Goldmane,
    secrets: Vec<(&'static str, String)>,
}

/// The certificates are the demo's own: they go when it stops (Ctrl-C or `--once`).
impl Drop for DemoGoldmane {
    fn drop(&mut self) {
        if let Some(certs) = &self.server.certs {
            let _ = std::fs::remove_dir_all(&certs.dir);
        }
    }
}

async fn start_goldmane(cfg: &Config) -> Option<DemoGoldmane> {
    use calicoscope_sim::goldmane::{self, Options, Shape};
    Shape::of(cfg.release)?;
    let dir =
        std::env::temp_dir().join(format!("calicoscope-demo-goldmane-{}", std::process::id()));
    let server = goldmane::start(cfg, Options::mtls("127.0.0.1:0", &dir))
        .await
        .unwrap_or_else(|e| fail(&format!("goldmane: {e}")));
    let certs = server.certs.clone()?;
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).unwrap_or_else(|e| fail(&format!("{}: {e}", p.display())))
    };
    let secrets = vec![
        ("goldmaneCACert", read(&certs.ca)),
        ("goldmaneClientCert", read(&certs.client_cert)),
        ("goldmaneClientKey", read(&certs.client_key)),
    ];
    println!(
        "goldmane: https://{} ({}, mutual TLS; certificates in {})",
        server.addr,
        server.shape,
        certs.dir.display()
    );
    Some(DemoGoldmane { server, secrets })
}
