//! The built binary, started exactly as Grafana starts it, over the real plugin protocol:
//! go-plugin handshake, then gRPC QueryData, CheckHealth and CallResource, frames decoded
//! from Arrow. Bad input and a misbehaving Prometheus fail one query, never the request.

mod common;

use std::{collections::HashMap, sync::OnceLock};

use calicoscope_testkit::Prometheus;
use common::plugin::{
    self, call_resource, check_health, context, frames, query, query_data, PluginProcess,
};
use grafana_plugin_sdk::pluginv2::{DataResponse, PluginContext};
use serde_json::json;

type Responses = HashMap<String, DataResponse>;

const SECRET: &str = "pw-Zq8x-never-shown";
const TOKEN: &str = "tok-Lm3v-never-shown";

fn settings_json() -> serde_json::Value {
    json!({ "scrapeInterval": "1s", "forecastWindow": "1m", "timeoutSeconds": 2,
            "httpHeaderName1": "X-Scope-OrgID" })
}

/// One Prometheus scraping the frozen simulated cluster, shared by the scenarios that only
/// read it (testkit's children die with the test process, so a static leaks nothing).
async fn shared_prometheus() -> &'static Prometheus {
    static PROM: OnceLock<Prometheus> = OnceLock::new();
    tokio::task::spawn_blocking(|| PROM.get_or_init(common::prometheus))
        .await
        .unwrap()
}

/// The plugin (trace logs on) behind a stand-in that refuses queries without the bearer token
/// and the tenant header, so every answering query also shows the secrets reached Prometheus.
struct Guarded {
    plugin: PluginProcess,
    ctx: PluginContext,
}

async fn guarded_plugin() -> Guarded {
    let prom = shared_prometheus().await;
    let required = vec![
        ("authorization".to_string(), format!("Bearer {TOKEN}")),
        ("x-scope-orgid".to_string(), SECRET.to_string()),
    ];
    let faulty = common::faults::start(prom.url.clone(), required).await;
    let plugin = PluginProcess::start(plugin::BINARY, &[("GF_PLUGIN_LOG_LEVEL", "trace")]);
    let ctx = context(&faulty, settings_json(), &SECRETS);
    Guarded { plugin, ctx }
}

impl Guarded {
    async fn ask(&self, queries: &[(&str, &str)]) -> Responses {
        let queries = queries.iter().map(|(id, json)| query(id, json)).collect();
        query_data(self.plugin.channel().await, self.ctx.clone(), queries).await
    }

    async fn resource(&self, path: &str, body: &str) -> (i32, serde_json::Value) {
        call_resource(self.plugin.channel().await, self.ctx.clone(), path, body).await
    }
}

const SECRETS: [(&str, &str); 3] = [
    ("basicAuthPassword", SECRET),
    ("bearerToken", TOKEN),
    ("httpHeaderValue1", SECRET),
];

const GOOD: (&str, &str) = ("good", r#"{"catalog":"ipam_pool_utilization"}"#);

/// Each bad query with the status and the words its error must carry.
const BAD: [(&str, &str, i32, &str); 7] = [
    ("malformed", r#"{"mode":5}"#, 400, "query JSON is not valid"),
    (
        "unknown",
        r#"{"catalog":"ipam_everything"}"#,
        400,
        "unknown catalog query \"ipam_everything\": pick one of",
    ),
    (
        "invalid",
        r#"{"mode":"raw","expr":"sum(rate(x[5m])) by"}"#,
        400,
        "invalid PromQL at 1:18",
    ),
    (
        "http400",
        r#"{"mode":"raw","expr":"vector(400)"}"#,
        400,
        "bad_data: 1:8: parse error: simulated bad data",
    ),
    (
        "http503",
        r#"{"mode":"raw","expr":"vector(503)"}"#,
        503,
        "upstream overloaded",
    ),
    (
        "slow",
        r#"{"mode":"raw","expr":"vector(999)"}"#,
        504,
        "did not answer within",
    ),
    (
        "truncated",
        r#"{"mode":"raw","expr":"vector(777)"}"#,
        502,
        "could not be read",
    ),
];

fn good_and_bad() -> Vec<(&'static str, &'static str)> {
    std::iter::once(GOOD)
        .chain(BAD.iter().map(|(id, json, _, _)| (*id, *json)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_and_raw_queries_answer_with_grafanas_frames() {
    let g = guarded_plugin().await;
    let raw = r#"{"mode":"raw","expr":"sum(rate(felix_int_dataplane_apply_time_seconds_count[$__rate_interval]))","legend":"applies"}"#;
    let responses = g.ask(&[GOOD, ("raw", raw)]).await;

    assert_eq!(responses["good"].status, 200, "{}", responses["good"].error);
    let good = frames(&responses["good"]);
    let pools: Vec<&str> = good
        .iter()
        .map(|f| f.fields[1].labels["ippool"].as_str())
        .collect();
    assert_eq!(pools, ["default-ipv4-ippool", "default-ipv6-ippool"]);
    // The meta's JSON, with the keys Grafana reads.
    let first_meta = json!(good[0].meta.as_ref().unwrap());
    assert!(first_meta["executedQueryString"]
        .as_str()
        .unwrap()
        .starts_with("Expr: 100 * sum by (cluster, ippool)"));
    assert_eq!(first_meta["type"], "timeseries-multi");
    let config = good[0].fields[1].config.as_ref().unwrap();
    assert_eq!(config["unit"], "percent");
    assert_eq!(config["displayNameFromDS"], "default-ipv4-ippool");
    assert!(good[0].rows() > 1, "a range query returns several points");

    let raw = frames(&responses["raw"]);
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0].name, "applies");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bad_query_fails_alone_with_its_status() {
    let g = guarded_plugin().await;
    let responses = g.ask(&good_and_bad()).await;
    assert_eq!(responses["good"].status, 200, "{}", responses["good"].error);
    assert!(!frames(&responses["good"]).is_empty());
    for (ref_id, _, status, text) in BAD {
        let r = &responses[ref_id];
        assert_eq!(r.status, status, "{ref_id}: {}", r.error);
        assert!(r.frames.is_empty(), "{ref_id} has frames");
        assert!(
            r.error.contains(text),
            "{ref_id}: {:?} lacks {text:?}",
            r.error
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_values_stay_label_values() {
    let g = guarded_plugin().await;
    let responses = g
        .ask(&[
            // Inside a raw label matcher...
            (
                "raw",
                r#"{"mode":"raw","expr":"ipam_blocks{ippool=\"a\\\"}) or vector(1) #\"}"}"#,
            ),
            // ...and through a catalog filter: real Prometheus sees a value, not `or vector(1)`.
            (
                "filter",
                r#"{"catalog":"ipam_pool_free","filters":{"pools":["a\"}) or vector(1) #"]}}"#,
            ),
        ])
        .await;
    for ref_id in ["raw", "filter"] {
        let r = &responses[ref_id];
        assert_eq!(r.status, 200, "{ref_id}: {}", r.error);
        let f = frames(r);
        assert_eq!(
            (f.len(), f[0].fields.len()),
            (1, 0),
            "{ref_id}: one empty frame"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_check_names_the_components_found() {
    let prom = shared_prometheus().await;
    let plugin = PluginProcess::start(plugin::BINARY, &[]);
    let ctx = context(&prom.url, settings_json(), &SECRETS);
    let health = check_health(plugin.channel().await, ctx).await;
    assert_eq!(health.status, 1, "{}", health.message); // HealthStatus::Ok
    assert!(
        health.message.contains("Felix") && health.message.contains("Typha"),
        "{}",
        health.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_answer_the_editor() {
    let g = guarded_plugin().await;
    let (code, catalog) = g.resource("catalog", "").await;
    assert_eq!(code, 200);
    assert!(catalog.as_array().unwrap().len() >= 25);
    assert!(catalog[0]["title"].is_string() && catalog[0]["unit"].is_string());
    let (_, pools) = g.resource("pools", "").await;
    assert_eq!(pools, json!(["default-ipv4-ippool", "default-ipv6-ippool"]));
    let (_, nodes) = g.resource("nodes", "").await;
    assert_eq!(nodes.as_array().unwrap().len(), common::NODES);
    let (_, translated) = g
        .resource("translate", r#"{"catalog":"ipam_pool_free"}"#)
        .await;
    assert!(translated["expr"].as_str().unwrap().starts_with(
        "clamp_min((max by (cluster, ippool) (ipam_ippool_size) - (max by (cluster, ippool) (ipam_ippool_reserved)"
    ));
    let (code, missing) = g.resource("nope", "").await;
    assert_eq!(code, 404);
    assert!(missing["error"]
        .as_str()
        .unwrap()
        .contains("unknown resource"));
}

/// The app's capacity report, against the simulator's own state: every figure the page
/// shows, the CSV of them, and a bad window named with its fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capacity_report_tells_the_simulated_clusters_truth() {
    let g = guarded_plugin().await;
    let truth = common::state();
    let (code, report) = g.resource("report?window=1m", "").await;
    assert_eq!(code, 200, "{report}");
    assert_eq!(report["window"], "1m");
    assert_eq!(report["windowText"], "1 minute");
    let pools = report["pools"].as_array().unwrap();
    let names: Vec<&str> = pools.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["default-ipv4-ippool", "default-ipv6-ippool"]);
    let nodes = |pool: &str, figure: fn(&calicoscope_sim::Allocation) -> u64| {
        let mut v: Vec<(String, f64)> = truth
            .allocations
            .iter()
            .filter(|a| a.pool == pool && figure(a) > 0)
            .map(|a| (a.node.clone(), figure(a) as f64))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    let listed = |v: &serde_json::Value| -> Vec<(String, f64)> {
        let rows = v.as_array().unwrap().iter();
        rows.map(|n| {
            (
                n["node"].as_str().unwrap().to_string(),
                n["count"].as_f64().unwrap(),
            )
        })
        .collect()
    };
    for (p, spec) in pools.iter().zip(&truth.pools) {
        let in_use: u64 = truth
            .allocations
            .iter()
            .filter(|a| a.pool == spec.name)
            .map(|a| a.in_use)
            .sum();
        let assignable = spec.size - spec.reserved as f64;
        assert_eq!(p["size"].as_f64(), Some(spec.size), "{}", spec.name);
        assert_eq!(p["reserved"].as_f64(), Some(spec.reserved as f64));
        assert_eq!(p["inUse"].as_f64(), Some(in_use as f64));
        assert_eq!(p["free"].as_f64(), Some(assignable - in_use as f64));
        assert_eq!(p["utilization"].as_f64(), Some(in_use as f64 / assignable));
        assert_eq!(listed(&p["borrowing"]), nodes(&spec.name, |a| a.borrowed));
        for n in p["borrowing"].as_array().unwrap() {
            let written = calicoscope_model::format::count(n["count"].as_f64().unwrap());
            assert_eq!(
                n["countText"],
                written.as_str(),
                "figures as the plugin writes them"
            );
        }
        assert_eq!(
            listed(&p["leaking"]),
            nodes(&spec.name, |a| a.gc_candidates)
        );
        let unaffine: u64 = truth
            .blocks
            .iter()
            .filter(|b| b.pool == spec.name && b.node == "no_affinity")
            .map(|b| b.blocks)
            .sum();
        assert_eq!(p["unaffineBlocks"].as_f64(), Some(unaffine as f64));
        // The frozen cluster does not grow: no date, and the sentence says why.
        assert_eq!(p["daysToFull"], serde_json::Value::Null);
        assert!(p["forecast"]
            .as_str()
            .unwrap()
            .ends_with("has not grown over the last 1 minute: there is no date to forecast."));
        let trend = &p["trend"];
        assert!(
            trend["times"].as_array().unwrap().len() > 1,
            "a trend line: {trend}"
        );
        let last = trend["utilization"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_f64()
            .unwrap();
        assert!(
            (last - in_use as f64 / assignable).abs() < 1e-9,
            "trend ends at the figure"
        );
    }
    let v4 = &pools[0];
    assert!(
        !listed(&v4["leaking"]).is_empty(),
        "the demo cluster leaks: {v4}"
    );
    assert_eq!(v4["action"]["kind"], "investigate-leaks");
    assert!(v4["leaksText"]
        .as_str()
        .unwrap()
        .contains("calicoctl ipam release --from-report"));
    let orphan_blocks: u64 = truth
        .blocks
        .iter()
        .filter(|b| b.pool == "no_ippool")
        .map(|b| b.blocks)
        .sum();
    assert!(orphan_blocks > 0);
    assert_eq!(
        report["orphans"]["blocks"].as_f64(),
        Some(orphan_blocks as f64)
    );

    // The CSV has the same numbers, one line per pool.
    let channel = g.plugin.channel().await;
    let csv = common::plugin::call_resource_response(
        channel,
        g.ctx.clone(),
        "GET",
        "report.csv?window=1m",
        b"",
    )
    .await;
    assert_eq!(csv.code, 200);
    assert_eq!(
        csv.headers["Content-Type"].values,
        ["text/csv; charset=utf-8"]
    );
    let text = String::from_utf8(csv.body.to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], calicoscope_backend::report::csv::HEADER);
    assert_eq!(lines.len(), pools.len() + 1);
    for (line, p) in lines[1..].iter().zip(pools) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], p["name"]);
        assert_eq!(cells[5].parse::<f64>().ok(), p["free"].as_f64());
        assert_eq!(cells[6].parse::<f64>().ok(), p["utilization"].as_f64());
        assert_eq!(
            cells[9],
            p["borrowing"].as_array().unwrap().len().to_string()
        );
        assert_eq!(cells[11], p["action"]["kind"]);
    }

    // A bad window fails that call with the fix; nothing else.
    for (window, words) in [
        ("banana", "window \"banana\" is not a duration such as 7d"),
        ("400d", "outside 1m to 90d"),
    ] {
        let (code, answer) = g.resource(&format!("report?window={window}"), "").await;
        assert_eq!(code, 400);
        assert!(
            answer["error"].as_str().unwrap().contains(words),
            "{answer}"
        );
    }
}

/// Good and failing queries, every resource and the health check, then a look for the
/// secrets in everything the plugin said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_leave_the_plugin() {
    let g = guarded_plugin().await;
    let responses = g.ask(&good_and_bad()).await;
    assert_eq!(responses["good"].status, 200, "{}", responses["good"].error);
    let mut said = String::new();
    for path in [
        "catalog",
        "pools",
        "nodes",
        "settings",
        "report",
        "report.csv",
        "nope",
    ] {
        let channel = g.plugin.channel().await;
        let body = common::plugin::call_resource_raw(channel, g.ctx.clone(), "GET", path, b"")
            .await
            .1;
        said += &String::from_utf8_lossy(&body);
    }
    said += &g.resource("translate", GOOD.1).await.1.to_string();
    said += &check_health(g.plugin.channel().await, g.ctx.clone())
        .await
        .message;
    for r in responses.values() {
        said += &r.error;
        for frame in &r.frames {
            said += &String::from_utf8_lossy(frame);
        }
    }

    // Logs are hclog JSON, and no secret ever appears in them.
    let logs = g.plugin.stop();
    assert!(
        logs.lines().any(|l| l.contains("\"@message\"")),
        "hclog JSON logs expected:\n{logs}"
    );
    for secret in [SECRET, TOKEN] {
        assert!(!logs.contains(secret), "secret in logs");
        assert!(
            !said.contains(secret),
            "secret in an answer, error, frame or health message"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_down_is_a_clear_per_query_error() {
    let port = calicoscope_testkit::free_port(); // nothing listens there
    let plugin = PluginProcess::start(plugin::BINARY, &[]);
    let ctx = context(&format!("http://127.0.0.1:{port}"), settings_json(), &[]);
    let queries = vec![
        query("A", r#"{"catalog":"ipam_pool_free"}"#),
        query("B", r#"{"catalog":"nope"}"#),
    ];
    let responses = query_data(plugin.channel().await, ctx.clone(), queries).await;
    assert_eq!(responses["A"].status, 502);
    assert!(
        responses["A"].error.contains("unreachable"),
        "{}",
        responses["A"].error
    );
    assert!(responses["B"].error.contains("unknown catalog query"));
    let health = check_health(plugin.channel().await, ctx).await;
    assert_eq!(health.status, 2, "{}", health.message); // HealthStatus::Error
    assert!(health.message.contains("unreachable"), "{}", health.message);
}

/// Prometheus crashes and is restarted (same port, same data) under a running plugin: while
/// it is down each query fails with the cause, and afterwards the next query succeeds without
/// restarting the plugin (no stale pooled connection breaks it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_restart_needs_no_plugin_restart() {
    let mut prom = tokio::task::spawn_blocking(common::prometheus)
        .await
        .unwrap();
    let plugin = PluginProcess::start(plugin::BINARY, &[]);
    let ctx = context(&prom.url, settings_json(), &[]);
    let ask = || vec![query("A", r#"{"catalog":"ipam_pool_size","instant":true}"#)];
    let has_data =
        |r: &Responses| r["A"].error.is_empty() && frames(&r["A"]).iter().any(|f| f.rows() > 0);
    let before = query_data(plugin.channel().await, ctx.clone(), ask()).await;
    assert!(has_data(&before), "{}", before["A"].error);

    prom.kill();
    let down = query_data(plugin.channel().await, ctx.clone(), ask()).await;
    assert!(
        down["A"].error.contains("unreachable"),
        "{}",
        down["A"].error
    );

    tokio::task::block_in_place(|| prom.restart()).unwrap();
    let after = query_data(plugin.channel().await, ctx.clone(), ask()).await;
    assert!(has_data(&after), "after the restart: {}", after["A"].error);
    let logs = plugin.stop();
    assert!(!logs.contains("panicked"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_datasource_settings_fail_each_query_with_the_fix() {
    let plugin = PluginProcess::start(plugin::BINARY, &[]);
    let ctx = context(
        "http://127.0.0.1:9",
        json!({ "nodeLabel": "node-name" }),
        &[],
    );
    let responses = query_data(
        plugin.channel().await,
        ctx,
        vec![query("A", "{}"), query("B", "{}")],
    )
    .await;
    for r in responses.values() {
        assert_eq!(r.status, 400);
        assert!(r.error.contains("nodeLabel"), "{}", r.error);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_named_memory_stays_bounded_and_the_plugin_keeps_serving() {
    let prom = tokio::task::spawn_blocking(common::prometheus)
        .await
        .unwrap();
    let faulty = common::faults::start(prom.url.clone(), vec![]).await;
    let plugin = PluginProcess::start(plugin::BINARY, &[]);
    let limit = 10_000_000;
    let json = json!({ "scrapeInterval": "1s", "timeoutSeconds": 5, "maxResponseBytes": limit });
    let ctx = context(&faulty, json, &[]);
    let queries = vec![
        query("huge", r#"{"mode":"raw","expr":"vector(888)"}"#),
        query("warned", r#"{"mode":"raw","expr":"vector(555)"}"#),
        query(
            "special",
            r#"{"mode":"raw","expr":"vector(0/0) or label_replace(vector(1/0), \"s\", \"inf\", \"\", \"\") or label_replace(vector(-1/0), \"s\", \"-inf\", \"\", \"\")","instant":true}"#,
        ),
        query("good", r#"{"catalog":"ipam_pool_size","instant":true}"#),
    ];
    let responses = query_data(plugin.channel().await, ctx.clone(), queries).await;

    let huge = &responses["huge"];
    assert_eq!(huge.status, 502);
    assert!(
        huge.error.contains("larger than the 10000000 byte limit"),
        "{}",
        huge.error
    );
    // The 100 MB answer was refused while streaming in, not buffered whole.
    let peak = plugin.peak_rss();
    assert!(
        peak > 0 && peak < 80_000_000,
        "plugin peak RSS {peak} bytes"
    );

    let warned = frames(&responses["warned"]);
    let notices = &json!(warned[0].meta.as_ref().unwrap())["notices"];
    assert_eq!(
        notices[0],
        json!({ "severity": "warning", "text": "simulated warning" })
    );
    assert_eq!(
        notices[1],
        json!({ "severity": "info", "text": "simulated info" })
    );

    let special = frames(&responses["special"]);
    let mut values: Vec<f64> = special
        .iter()
        .map(|f| match &f.fields[1].values {
            calicoscope_backend::frames::Values::Number(v) => v[0],
            other => panic!("{other:?}"),
        })
        .collect();
    values.sort_by(f64::total_cmp);
    assert!(
        values[0] == f64::NEG_INFINITY && values[1] == f64::INFINITY && values[2].is_nan(),
        "{values:?}"
    );
    assert_eq!(frames(&responses["good"]).len(), 2);

    // Still serving after all that.
    let again = query_data(
        plugin.channel().await,
        ctx,
        vec![query("A", r#"{"catalog":"ipam_pool_size"}"#)],
    )
    .await;
    assert_eq!(again["A"].status, 200, "{}", again["A"].error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth_reaches_prometheus_and_wins_over_the_token() {
    let prom = tokio::task::spawn_blocking(common::prometheus)
        .await
        .unwrap();
    // base64("calico:pw-Zq8x-never-shown"), computed independently of the plugin's encoder.
    let basic = "Basic Y2FsaWNvOnB3LVpxOHgtbmV2ZXItc2hvd24=".to_string();
    let faulty =
        common::faults::start(prom.url.clone(), vec![("authorization".into(), basic)]).await;
    let plugin = PluginProcess::start(plugin::BINARY, &[]);
    let mut ctx = context(
        &faulty,
        settings_json(),
        &[("basicAuthPassword", SECRET), ("bearerToken", TOKEN)],
    );
    let ds = ctx.data_source_instance_settings.as_mut().unwrap();
    ds.basic_auth_enabled = true;
    ds.basic_auth_user = "calico".into();
    let q = vec![query("A", r#"{"catalog":"ipam_pool_size","instant":true}"#)];
    let responses = query_data(plugin.channel().await, ctx, q).await;
    assert_eq!(responses["A"].status, 200, "{}", responses["A"].error);
    assert_eq!(frames(&responses["A"]).len(), 2);
}
