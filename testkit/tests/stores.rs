//! Runs the real stores (Debian prometheus / victoria-metrics, see scripts/setup.sh)
//! against a static exposition served on loopback.

use std::time::Duration;

use calicoscope_testkit::{free_port, Prometheus, ScrapeJob, StaticMetricsServer, VictoriaMetrics};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(60);

fn pid_alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks existence/permission.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

/// Asserts the single series of `result` has value `want` and job/instance labels.
fn assert_scraped(result: &Value, want: &str, job: &str, instance: &str) -> Value {
    let series = result.as_array().expect("result array");
    assert_eq!(series.len(), 1, "one series expected: {result}");
    let metric = &series[0]["metric"];
    assert_eq!(series[0]["value"][1], want, "{result}");
    assert_eq!(metric["job"], job, "{result}");
    assert_eq!(metric["instance"], instance, "{result}");
    metric.clone()
}

#[test]
fn prometheus_scrapes_and_dies_on_drop() {
    let target =
        StaticMetricsServer::start("# TYPE up_test_metric gauge\nup_test_metric{a=\"b\"} 7\n");
    let prom = Prometheus::start(
        &[ScrapeJob::new("fixture", &target.addr)],
        Duration::from_secs(1),
        "1h",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(prom.url.starts_with("http://127.0.0.1:"), "{}", prom.url);
    let pid = prom.pid();
    assert!(pid_alive(pid));

    prom.wait_for("up_test_metric", 1, WAIT)
        .unwrap_or_else(|e| panic!("{e}"));
    let result = prom.query("up_test_metric").unwrap();
    let metric = assert_scraped(&result, "7", "fixture", &target.addr);
    assert_eq!(metric["a"], "b");

    // Errors come back as Err, not panics.
    let err = prom.query("sum(").unwrap_err();
    assert!(err.contains("bad_data"), "{err}");

    let dir = prom.dir().to_path_buf();
    assert!(dir.join("server.log").exists());
    drop(prom);
    assert!(
        !pid_alive(pid),
        "prometheus pid {pid} still alive after drop"
    );
    assert!(!dir.exists(), "temp dir {} left behind", dir.display());
}

#[test]
fn victoria_metrics_scrapes_and_dies_on_stop() {
    let target = StaticMetricsServer::start("up_test_metric{a=\"b\"} 7\n");
    let vm = VictoriaMetrics::start(
        &[ScrapeJob::new("fixture", &target.addr)],
        Duration::from_secs(1),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let pid = vm.pid();
    assert!(pid_alive(pid));

    vm.wait_for("up_test_metric", 1, WAIT)
        .unwrap_or_else(|e| panic!("{e}"));
    let result = vm.query("up_test_metric").unwrap();
    let metric = assert_scraped(&result, "7", "fixture", &target.addr);
    assert_eq!(metric["a"], "b");

    let err = vm.query("sum(").unwrap_err();
    assert!(err.contains("error"), "{err}");

    let dir = vm.dir().to_path_buf();
    vm.stop();
    assert!(
        !pid_alive(pid),
        "victoria-metrics pid {pid} still alive after stop"
    );
    assert!(!dir.exists(), "temp dir {} left behind", dir.display());
}

#[test]
fn prometheus_renames_conflicting_target_label_to_exported() {
    let target = StaticMetricsServer::start("m{node=\"real\"} 1\n");
    let mut job = ScrapeJob::new("felix", &target.addr);
    job.honor_labels = false;
    job.labels = vec![("node".to_string(), "x".to_string())];
    let prom =
        Prometheus::start(&[job], Duration::from_secs(1), "1h").unwrap_or_else(|e| panic!("{e}"));

    prom.wait_for("m", 1, WAIT)
        .unwrap_or_else(|e| panic!("{e}"));
    let result = prom.query("m").unwrap();
    let metric = assert_scraped(&result, "1", "felix", &target.addr);
    assert_eq!(metric["exported_node"], "real", "{result}");
    assert_eq!(metric["node"], "x", "{result}");
}

#[test]
fn wait_for_times_out_with_log_tail() {
    let prom =
        Prometheus::start(&[], Duration::from_secs(1), "1h").unwrap_or_else(|e| panic!("{e}"));
    let err = prom
        .wait_for("no_such_metric", 1, Duration::from_secs(1))
        .unwrap_err();
    assert!(err.contains("did not reach 1 series"), "{err}");
    assert!(err.contains("last 30 lines"), "{err}");
}

#[test]
fn early_exit_reports_log_tail() {
    // Prometheus rejects the flag value and exits at once (the error precedes a usage text).
    let err = Prometheus::start(&[], Duration::from_secs(1), "not-a-duration").unwrap_err();
    assert!(err.contains("exited early"), "{err}");
    assert!(err.contains("last 30 lines of the prometheus log"), "{err}");
    assert!(
        err.contains("first error in the log: Error parsing commandline arguments"),
        "{err}"
    );

    // A config error is at the end of the log.
    let jobs = [
        ScrapeJob::new("dup", "127.0.0.1:1"),
        ScrapeJob::new("dup", "127.0.0.1:2"),
    ];
    let err = Prometheus::start(&jobs, Duration::from_secs(1), "1h").unwrap_err();
    assert!(err.contains("exited early"), "{err}");
    assert!(err.contains("dup"), "{err}");
    let err = VictoriaMetrics::start(&jobs, Duration::from_secs(1)).unwrap_err();
    assert!(err.contains("exited early"), "{err}");
    assert!(
        err.contains("last 30 lines of the victoria-metrics log"),
        "{err}"
    );
    assert!(err.contains("dup"), "{err}");
}

#[test]
fn missing_binary_is_an_error_not_a_panic() {
    // Env vars are process-wide: run the check in a child copy of this test binary.
    if std::env::var_os("TESTKIT_MISSING_BINARY_CHILD").is_some() {
        let err = Prometheus::start(&[], Duration::from_secs(1), "1h").unwrap_err();
        assert_eq!(
            err,
            "prometheus not found: run scripts/setup.sh (apt-get install prometheus)"
        );
        let err = VictoriaMetrics::start(&[], Duration::from_secs(1)).unwrap_err();
        assert_eq!(
            err,
            "victoria-metrics not found: run scripts/setup.sh (apt-get install victoria-metrics)"
        );
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "missing_binary_is_an_error_not_a_panic",
            "--test-threads=1",
        ])
        .env("TESTKIT_MISSING_BINARY_CHILD", "1")
        .env("CALICOSCOPE_PROMETHEUS_BIN", "/nonexistent/prometheus")
        .env(
            "CALICOSCOPE_VICTORIA_METRICS_BIN",
            "/nonexistent/victoria-metrics",
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn free_ports_are_loopback_bindable() {
    let p = free_port();
    std::net::TcpListener::bind(("127.0.0.1", p)).unwrap();
}

#[test]
fn store_outlives_the_thread_that_started_it() {
    // PR_SET_PDEATHSIG follows the forking *thread*: the testkit forks from a long-lived
    // thread, so a store shared across tests survives its creator thread.
    let prom = std::thread::spawn(|| Prometheus::start(&[], Duration::from_secs(1), "1h"))
        .join()
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(pid_alive(prom.pid()));
    let result = prom.query("vector(1)").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(result[0]["value"][1], "1", "{result}");
}
