//! The built binary, started exactly as Grafana starts it, over the real plugin protocol:
//! go-plugin handshake, then gRPC QueryData, CheckHealth and CallResource, frames decoded
//! from Arrow. Bad input and a misbehaving Prometheus fail one query, never the request.

mod common;

use common::plugin::{
    self, call_resource, check_health, context, frames, query, query_data, PluginProcess,
};
use serde_json::json;

const SECRET: &str = "pw-Zq8x-never-shown";
const TOKEN: &str = "tok-Lm3v-never-shown";

fn settings_json() -> serde_json::Value {
    json!({ "scrapeInterval": "1s", "forecastWindow": "1m", "timeoutSeconds": 2,
            "httpHeaderName1": "X-Scope-OrgID" })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grafana_protocol_end_to_end() {
    let prom = tokio::task::spawn_blocking(common::prometheus)
        .await
        .unwrap();
    // The stand-in refuses queries without the bearer token and the tenant header.
    let required = vec![
        ("authorization".to_string(), format!("Bearer {TOKEN}")),
        ("x-scope-orgid".to_string(), SECRET.to_string()),
    ];
    let faulty = common::faults::start(prom.url.clone(), required).await;
    let plugin = PluginProcess::start(plugin::BINARY, &[("GF_PLUGIN_LOG_LEVEL", "trace")]);
    let secrets = [
        ("basicAuthPassword", SECRET),
        ("bearerToken", TOKEN),
        ("httpHeaderValue1", SECRET),
    ];
    let ctx = context(&faulty, settings_json(), &secrets);

    // QueryData: good and bad queries side by side in one request.
    let queries = vec![
        query("good", r#"{"catalog":"ipam_pool_utilization"}"#),
        query(
            "raw",
            r#"{"mode":"raw","expr":"sum(rate(felix_int_dataplane_apply_time_seconds_count[$__rate_interval]))","legend":"applies"}"#,
        ),
        query("malformed", r#"{"mode":5}"#),
        query("unknown", r#"{"catalog":"ipam_everything"}"#),
        query("invalid", r#"{"mode":"raw","expr":"sum(rate(x[5m])) by"}"#),
        query("http400", r#"{"mode":"raw","expr":"vector(400)"}"#),
        query("http503", r#"{"mode":"raw","expr":"vector(503)"}"#),
        query("slow", r#"{"mode":"raw","expr":"vector(999)"}"#),
        query("truncated", r#"{"mode":"raw","expr":"vector(777)"}"#),
        query(
            "empty",
            r#"{"mode":"raw","expr":"ipam_blocks{ippool=\"a\\\"}) or vector(1) #\"}"}"#,
        ),
        query(
            "hostile",
            r#"{"catalog":"ipam_pool_free","filters":{"pools":["a\"}) or vector(1) #"]}}"#,
        ),
    ];
    let responses = query_data(plugin.channel().await, ctx.clone(), queries).await;

    let good = frames(&responses["good"]);
    assert_eq!(responses["good"].status, 200, "{}", responses["good"].error);
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
        .starts_with("Expr: 100 * sum by (ippool)"));
    assert_eq!(first_meta["type"], "timeseries-multi");
    assert_eq!(
        good[0].fields[1].config.as_ref().unwrap()["unit"],
        "percent"
    );
    assert_eq!(
        good[0].fields[1].config.as_ref().unwrap()["displayNameFromDS"],
        "default-ipv4-ippool"
    );
    assert!(good[0].rows() > 1, "a range query returns several points");

    let raw = frames(&responses["raw"]);
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0].name, "applies");

    let expect_error = |ref_id: &str, status: i32, text: &str| {
        let r = &responses[ref_id];
        assert_eq!(r.status, status, "{ref_id}: {}", r.error);
        assert!(r.frames.is_empty(), "{ref_id} has frames");
        assert!(
            r.error.contains(text),
            "{ref_id}: {:?} lacks {text:?}",
            r.error
        );
    };
    expect_error("malformed", 400, "query JSON is not valid");
    expect_error(
        "unknown",
        400,
        "unknown catalog query \"ipam_everything\": pick one of",
    );
    expect_error("invalid", 400, "invalid PromQL at 1:18");
    expect_error(
        "http400",
        400,
        "bad_data: 1:8: parse error: simulated bad data",
    );
    expect_error("http503", 503, "upstream overloaded");
    expect_error("slow", 504, "did not answer within");
    expect_error("truncated", 502, "could not be read");
    // A hostile value inside a label matcher is only a value: no series, no error.
    let empty = frames(&responses["empty"]);
    assert_eq!(
        responses["empty"].status, 200,
        "{}",
        responses["empty"].error
    );
    assert_eq!(
        (empty.len(), empty[0].fields.len()),
        (1, 0),
        "one empty frame"
    );
    // The same through a catalog filter: real Prometheus sees a value, not `or vector(1)`.
    let hostile = frames(&responses["hostile"]);
    assert_eq!(
        responses["hostile"].status, 200,
        "{}",
        responses["hostile"].error
    );
    assert_eq!(
        (hostile.len(), hostile[0].fields.len()),
        (1, 0),
        "injection produced series"
    );

    // CheckHealth against the real Prometheus.
    let health = check_health(
        plugin.channel().await,
        context(&prom.url, settings_json(), &secrets),
    )
    .await;
    assert_eq!(health.status, 1, "{}", health.message); // HealthStatus::Ok
    assert!(
        health.message.contains("Felix") && health.message.contains("Typha"),
        "{}",
        health.message
    );

    // CallResource: the editor's catalog and template-variable values.
    let channel = plugin.channel().await;
    let (code, catalog) = call_resource(channel.clone(), ctx.clone(), "catalog", "").await;
    assert_eq!(code, 200);
    assert!(catalog.as_array().unwrap().len() >= 25);
    assert!(catalog[0]["title"].is_string() && catalog[0]["unit"].is_string());
    let (_, pools) = call_resource(channel.clone(), ctx.clone(), "pools", "").await;
    assert_eq!(pools, json!(["default-ipv4-ippool", "default-ipv6-ippool"]));
    let (_, nodes) = call_resource(channel.clone(), ctx.clone(), "nodes", "").await;
    assert_eq!(nodes.as_array().unwrap().len(), common::NODES);
    let (_, translated) = call_resource(
        channel.clone(),
        ctx.clone(),
        "translate",
        r#"{"catalog":"ipam_pool_free"}"#,
    )
    .await;
    assert!(translated["expr"].as_str().unwrap().starts_with(
        "clamp_min((max by (ippool) (ipam_ippool_size) - (max by (ippool) (ipam_ippool_reserved)"
    ));
    let (code, missing) = call_resource(channel, ctx, "nope", "").await;
    assert_eq!(code, 404);
    assert!(missing["error"]
        .as_str()
        .unwrap()
        .contains("unknown resource"));
    let resource_answers = format!("{catalog}{pools}{nodes}{translated}{missing}");

    // Logs are hclog JSON, and no secret ever appears in them.
    let logs = plugin.stop();
    assert!(
        logs.lines().any(|l| l.contains("\"@message\"")),
        "hclog JSON logs expected:\n{logs}"
    );
    for secret in [SECRET, TOKEN] {
        assert!(!logs.contains(secret), "secret in logs");
        for r in responses.values() {
            assert!(!r.error.contains(secret), "secret in an error");
            let in_frame = |f: &Vec<u8>| f.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!r.frames.iter().any(in_frame), "secret in a frame");
        }
        assert!(
            !resource_answers.contains(secret),
            "secret in a resource answer"
        );
        assert!(!health.message.contains(secret));
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
        |r: &std::collections::HashMap<String, grafana_plugin_sdk::pluginv2::DataResponse>| {
            r["A"].error.is_empty() && frames(&r["A"]).iter().any(|f| f.rows() > 0)
        };
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
