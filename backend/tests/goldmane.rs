//! Flow queries through the real plugin protocol against the simulator's Goldmane over
//! mutual TLS: the flows table, denied flows, policy verdicts, filters (a hostile value is
//! only a value), the API shape asked of a 3.31 server, and the errors a person can act on.

mod common;

use calicoscope_model::calico::{Dataplane, Release};
use calicoscope_model::flows::{field, FLOWS};
use calicoscope_sim::flows::{Model, Tally, BUCKET_S};
use calicoscope_sim::goldmane::store::{self, Store};
use calicoscope_sim::goldmane::{self, CertPaths, Options};
use calicoscope_sim::Config;
use common::plugin::{
    self, call_resource, check_health, context, frames, query, query_data, PluginProcess,
};
use grafana_plugin_sdk::pluginv2::{DataResponse, PluginContext, TimeRange};
use prost::Message;
use serde_json::json;

use calicoscope_backend::frames::{Frame, Values};

struct Setup {
    _goldmane: goldmane::Goldmane,
    certs: CertPaths,
    addr: String,
    plugin: PluginProcess,
}

async fn setup(release: u8, dir: &str) -> Setup {
    let cfg = Config::profile(common::NODES, Release(release), Dataplane::Iptables);
    serve(&cfg, dir, None).await
}

/// The simulator's Goldmane for `cfg` (sending answers up to `max_answer` bytes) and a plugin.
async fn serve(cfg: &Config, dir: &str, max_answer: Option<usize>) -> Setup {
    let certs =
        std::env::temp_dir().join(format!("calicoscope-goldmane-{dir}-{}", std::process::id()));
    let opts = Options {
        max_answer,
        ..Options::mtls("127.0.0.1:0", &certs)
    };
    let server = goldmane::start(cfg, opts).await.unwrap();
    Setup {
        addr: server.addr.to_string(),
        certs: server.certs.clone().unwrap(),
        _goldmane: server,
        plugin: PluginProcess::start(plugin::BINARY, &[]),
    }
}

fn pem(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

impl Setup {
    /// The datasource: Goldmane's CA and a client identity (`other`: one from an unrelated
    /// CA); no Prometheus.
    fn context(&self, other: bool) -> PluginContext {
        let c = &self.certs;
        let (cert, key) = match other {
            true => (&c.other_client_cert, &c.other_client_key),
            false => (&c.client_cert, &c.client_key),
        };
        let (ca, cert, key) = (pem(&c.ca), pem(cert), pem(key));
        let secrets = [
            ("goldmaneCACert", ca.as_str()),
            ("goldmaneClientCert", cert.as_str()),
            ("goldmaneClientKey", key.as_str()),
        ];
        let settings = json!({ "goldmaneAddress": self.addr,
            "goldmaneServerName": "goldmane.calico-system.svc", "timeoutSeconds": 5 });
        let mut ctx = context("http://127.0.0.1:9", settings, &secrets);
        // Other settings: as Grafana does when a datasource is saved again.
        if let Some(ds) = ctx.data_source_instance_settings.as_mut() {
            ds.last_updated_ms += other as i64;
        }
        ctx
    }

    async fn ask(
        &self,
        queries: &[(&str, serde_json::Value)],
        other: bool,
    ) -> std::collections::HashMap<String, DataResponse> {
        let queries = queries
            .iter()
            .map(|(id, q)| query(id, &q.to_string()))
            .collect();
        query_data(self.plugin.channel().await, self.context(other), queries).await
    }

    /// The flows table of Unix seconds [gte, lt).
    async fn flows(&self, (gte, lt): (i64, i64)) -> Frame {
        let mut q = query("A", r#"{"catalog":"flows"}"#);
        q.time_range = Some(TimeRange {
            from_epoch_ms: gte * 1000,
            to_epoch_ms: lt * 1000,
        });
        let answers = query_data(self.plugin.channel().await, self.context(false), vec![q]).await;
        table(&answers["A"])
    }
}

fn table(resp: &DataResponse) -> Frame {
    assert_eq!(resp.status, 200, "{}", resp.error);
    let mut all = frames(resp);
    assert_eq!(all.len(), 1);
    all.remove(0)
}

fn texts<'a>(frame: &'a Frame, name: &str) -> &'a [String] {
    match &frame
        .fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .values
    {
        Values::Text(v) => v,
        other => panic!("{name}: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_queries_over_mutual_tls() {
    let s = setup(33, "v332").await;
    let hostile = "a\"}) or vector(1) #";
    let answers = s
        .ask(
            &[
                ("flows", json!({ "catalog": "flows" })),
                ("denied", json!({ "catalog": "denied_flows" })),
                (
                    "payments",
                    json!({ "catalog": "flows", "filters": { "destNamespaces": ["payments"] } }),
                ),
                (
                    "hostile",
                    json!({ "catalog": "flows", "filters": { "destNamespaces": [hostile] } }),
                ),
                ("verdicts", json!({ "catalog": "policy_verdicts" })),
                (
                    "badport",
                    json!({ "catalog": "flows", "filters": { "ports": ["http"] } }),
                ),
            ],
            false,
        )
        .await;
    let flows = table(&answers["flows"]);
    assert_eq!(flows.name, FLOWS);
    assert!(flows.rows() > 10, "{} flows", flows.rows());
    let actions = texts(&flows, field::ACTION);
    assert!(
        actions.iter().any(|a| a == "deny") && actions.iter().any(|a| a == "allow"),
        "{actions:?}"
    );
    assert!(
        texts(&flows, field::PENDING_ACTION)
            .iter()
            .zip(actions)
            .any(|(p, a)| p != a),
        "a staged policy would change a verdict"
    );

    let denied = table(&answers["denied"]);
    assert!(denied.rows() > 0);
    assert!(texts(&denied, field::ACTION).iter().all(|a| a == "deny"));
    assert!(
        texts(&denied, field::ENFORCED)
            .iter()
            .all(|p| !p.is_empty()),
        "each deny names its policy"
    );

    let payments = table(&answers["payments"]);
    assert!(payments.rows() > 0);
    assert!(texts(&payments, field::DEST_NAMESPACE)
        .iter()
        .all(|n| n == "payments"));
    assert_eq!(
        table(&answers["hostile"]).rows(),
        0,
        "a hostile value is a value that matches nothing"
    );

    let verdicts = &answers["verdicts"];
    assert_eq!(verdicts.status, 200, "{}", verdicts.error);
    let series = frames(verdicts);
    assert!(series.len() > 1);
    let labels = &series[0].fields[1].labels;
    assert!(
        labels.contains_key("policy") && labels.contains_key("verdict"),
        "{labels:?}"
    );
    assert!(series
        .iter()
        .any(|f| f.fields[1].labels["verdict"] == "denied"));

    assert_eq!(answers["badport"].status, 400);
    assert!(
        answers["badport"]
            .error
            .contains("port \"http\" in the ports filter"),
        "{}",
        answers["badport"].error
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_certificate_from_another_ca_is_refused_with_the_fix() {
    let s = setup(33, "other").await;
    let answers = s
        .ask(&[("flows", json!({ "catalog": "flows" }))], true)
        .await;
    let r = &answers["flows"];
    assert_eq!(r.status, 502, "{}", r.error);
    assert!(
        r.error
            .contains(&format!("Goldmane at {} did not answer", s.addr)),
        "{}",
        r.error
    );
    assert!(
        r.error.contains("client certificate"),
        "the error names the fix: {}",
        r.error
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calico_3_31_goldmane_is_asked_in_its_own_shape() {
    let s = setup(31, "v330").await;
    let answers = s
        .ask(
            &[(
                "payments",
                json!({ "catalog": "denied_flows", "filters": { "destNamespaces": ["payments"] } }),
            )],
            false,
        )
        .await;
    let payments = table(&answers["payments"]);
    assert!(payments.rows() > 0, "the 3.30 shape answers");
    assert!(texts(&payments, field::DEST_NAMESPACE)
        .iter()
        .all(|n| n == "payments"));
    assert!(texts(&payments, field::ACTION).iter().all(|a| a == "deny"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_goldmane_address_is_a_400_naming_the_setting() {
    let plugin = PluginProcess::start(plugin::BINARY, &[]);
    let ctx = context("http://127.0.0.1:9", json!({}), &[]);
    let answers = query_data(
        plugin.channel().await,
        ctx,
        vec![query("f", r#"{"catalog":"flows"}"#)],
    )
    .await;
    assert_eq!(answers["f"].status, 400);
    assert!(
        answers["f"].error.starts_with("no Goldmane address is set"),
        "{}",
        answers["f"].error
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_check_names_goldmanes_api_or_the_fix() {
    let s = setup(31, "health").await;
    let good = check_health(s.plugin.channel().await, s.context(false)).await;
    let line = format!(
        "Goldmane at {} answers with the Goldmane API of Calico 3.30-3.31",
        s.addr
    );
    assert!(good.message.contains(&line), "{}", good.message);
    let bad = check_health(s.plugin.channel().await, s.context(true)).await;
    assert!(
        bad.message.contains("client certificate"),
        "{}",
        bad.message
    );
    let details: serde_json::Value = serde_json::from_slice(&bad.json_details).unwrap();
    assert_eq!(details["goldmane"]["ok"], false);
    assert!(!bad.message.contains("BEGIN"), "no PEM in the message");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn variables_list_what_goldmane_has_seen() {
    let s = setup(33, "hints").await;
    let channel = s.plugin.channel().await;
    let (code, namespaces) =
        call_resource(channel.clone(), s.context(false), "flow_namespaces", "").await;
    assert_eq!(code, 200, "{namespaces}");
    let namespaces: Vec<&str> = namespaces
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(namespaces.contains(&"payments"), "{namespaces:?}");
    assert!(
        namespaces.windows(2).all(|w| w[0] < w[1]),
        "sorted and distinct"
    );
    assert!(
        !namespaces.contains(&""),
        "no empty namespace (the pub and pvt networks)"
    );
    let (code, policies) = call_resource(channel, s.context(false), "flow_policies", "").await;
    assert_eq!(code, 200, "{policies}");
    assert!(!policies.as_array().unwrap().is_empty());
}

/// The capacity report's denied-traffic section reads Goldmane's statistics of the hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_says_what_policy_denied_in_the_last_hour() {
    use calicoscope_backend::{client::Client, report::denied, settings::Settings};
    let s = setup(33, "report").await;
    let json = serde_json::from_value(json!({ "goldmaneAddress": s.addr,
        "goldmaneServerName": "goldmane.calico-system.svc" }))
    .unwrap();
    let mut settings = Settings::new("http://127.0.0.1:9", None, json, Default::default()).unwrap();
    settings.secrets.goldmane_ca_cert = pem(&s.certs.ca);
    settings.secrets.goldmane_client_cert = pem(&s.certs.client_cert);
    settings.secrets.goldmane_client_key = pem(&s.certs.client_key);
    let d = denied::last_hour(&settings, &Client::new(&settings).unwrap())
        .await
        .unwrap();
    assert!(d.packets.unwrap() > 0.0, "{d:?}");
    assert!(
        d.text.starts_with("In the last hour, policy denied "),
        "{}",
        d.text
    );
    let listed: f64 = d.policies.iter().map(|p| p.packets).sum();
    assert_eq!(Some(listed), d.packets, "the total is the policies' sum");
    settings.json.goldmane_address.clear();
    assert_eq!(
        denied::last_hour(&settings, &Client::new(&settings).unwrap()).await,
        None
    );
}

/// A datasource whose Goldmane names its cluster: every flow row has it in a leading
/// `cluster` column, every verdict series a `cluster` label, and the report's denied traffic
/// is said to be that cluster's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goldmanes_cluster_is_on_every_row_series_and_the_report() {
    use calicoscope_backend::{
        client::Client, execute::execute, report::denied, settings::Settings,
    };
    let s = setup(33, "cluster").await;
    let json = serde_json::from_value(json!({ "goldmaneAddress": s.addr,
        "goldmaneServerName": "goldmane.calico-system.svc", "goldmaneCluster": "prod-eu" }))
    .unwrap();
    let mut settings = Settings::new("http://127.0.0.1:9", None, json, Default::default()).unwrap();
    settings.secrets.goldmane_ca_cert = pem(&s.certs.ca);
    settings.secrets.goldmane_client_cert = pem(&s.certs.client_cert);
    settings.secrets.goldmane_client_key = pem(&s.certs.client_key);
    let client = Client::new(&settings).unwrap();
    let req = |q: serde_json::Value| {
        calicoscope_backend::execute::Request::ending_now(
            q.to_string().as_bytes(),
            3_600_000,
            1_000,
        )
    };
    let flows = execute(&req(json!({ "catalog": "flows" })), &settings, &client)
        .await
        .unwrap();
    assert_eq!(flows[0].fields[0].name, field::CLUSTER);
    let clusters = texts(&flows[0], field::CLUSTER);
    assert!(
        !clusters.is_empty() && clusters.iter().all(|c| c == "prod-eu"),
        "{clusters:?}"
    );
    let verdicts = execute(
        &req(json!({ "catalog": "policy_verdicts" })),
        &settings,
        &client,
    )
    .await
    .unwrap();
    assert!(
        !verdicts.is_empty()
            && verdicts
                .iter()
                .all(|f| f.fields[1].labels["cluster"] == "prod-eu")
    );
    let d = denied::last_hour(&settings, &client).await.unwrap();
    assert_eq!(d.cluster, "prod-eu");
    assert!(
        d.text
            .starts_with("prod-eu: In the last hour, policy denied "),
        "{}",
        d.text
    );
}

/// The panel's drill-down: the flows between two namespaces as rows, the same flows the
/// `flows` query answers for that pair; a bad time is a 400 naming what to give.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drill_down_resource_lists_the_flows_between_two_namespaces() {
    let s = setup(33, "drill").await;
    let channel = s.plugin.channel().await;
    let rows = |body: &serde_json::Value| body["flows"].as_array().unwrap().clone();
    let (code, into) = call_resource(
        channel.clone(),
        s.context(false),
        "flows?dest_namespace=payments",
        "",
    )
    .await;
    assert_eq!(code, 200, "{into}");
    let into = rows(&into);
    assert!(
        !into.is_empty(),
        "the simulated cluster sends flows to payments"
    );
    assert!(into.iter().all(|r| r[field::DEST_NAMESPACE] == "payments"));
    let from = into[0][field::SOURCE_NAMESPACE]
        .as_str()
        .unwrap()
        .to_string();

    let url = format!("flows?source_namespace={from}&dest_namespace=payments");
    let (code, pair) = call_resource(channel.clone(), s.context(false), &url, "").await;
    assert_eq!(code, 200, "{pair}");
    let pair = rows(&pair);
    assert!(pair
        .iter()
        .all(|r| r[field::SOURCE_NAMESPACE] == from.as_str()
            && r[field::DEST_NAMESPACE] == "payments"));
    let q = json!({ "mode": "catalog", "catalog": "flows",
        "filters": { "sourceNamespaces": [from], "destNamespaces": ["payments"] } });
    let table = table(&s.ask(&[("A", q)], false).await["A"]);
    assert_eq!(
        pair.len(),
        table.rows(),
        "the resource answers what the query answers"
    );
    let Values::Text(actions) = &table
        .fields
        .iter()
        .find(|f| f.name == field::ACTION)
        .unwrap()
        .values
    else {
        panic!("action is text")
    };
    let listed: Vec<&str> = pair
        .iter()
        .map(|r| r[field::ACTION].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        *actions.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(
        pair[0][field::START].as_i64().unwrap() > 1_700_000_000_000,
        "times in epoch ms"
    );

    // A hostile value is only a value: nothing matches it.
    let (code, none) = call_resource(
        channel.clone(),
        s.context(false),
        "flows?dest_namespace=payments%22%7D%20or%20%7B",
        "",
    )
    .await;
    assert_eq!((code, rows(&none).len()), (200, 0), "{none}");
    let (code, bad) = call_resource(channel, s.context(false), "flows?from=yesterday", "").await;
    assert_eq!(code, 400);
    assert!(
        bad["error"]
            .as_str()
            .unwrap()
            .contains("epoch milliseconds"),
        "{bad}"
    );
}

fn numbers<'a>(frame: &'a Frame, name: &str) -> &'a [f64] {
    match &frame.fields.iter().find(|f| f.name == name).unwrap().values {
        Values::Number(v) => v,
        other => panic!("{name}: {other:?}"),
    }
}

/// Each row's flow key as the table shows it: every text field and the port.
fn row_keys(frame: &Frame) -> Vec<String> {
    (0..frame.rows())
        .map(|i| {
            let texts = frame.fields.iter().filter_map(|f| match &f.values {
                Values::Text(v) => Some(v[i].clone()),
                _ => None,
            });
            let port = numbers(frame, field::DEST_PORT)[i].to_string();
            texts.chain([port]).collect::<Vec<_>>().join("|")
        })
        .collect()
}

/// Several thousand flows whose ties come shuffled on every call, asked through the plugin:
/// every flow once, the simulator's own totals, the same table twice; and from a server whose
/// send limit is under the whole answer (so the client must ask in parts), the same table.
async fn many_flows_once_with_exact_totals(release: u8) {
    let cfg = Config {
        flows: calicoscope_sim::flows::FlowSettings { tenants: 700 },
        ..Config::profile(common::NODES, Release(release), Dataplane::Iptables)
    };
    let newest = store::newest_bucket(store::now());
    let range = (newest - 40 * BUCKET_S, newest - 10 * BUCKET_S);
    let model = Model::new(&cfg);
    let tallies: Vec<Tally> = (0..model.series.len())
        .map(|i| {
            let mut sum = Tally::default();
            for b in (range.0..range.1).step_by(BUCKET_S as usize) {
                sum += model.tally(i, b).unwrap_or_default();
            }
            sum
        })
        .collect();
    let carrying = tallies.iter().filter(|t| **t != Tally::default()).count();
    assert!(carrying > 3_000, "{carrying} flows");
    let sum = |f: fn(&Tally) -> i64| tallies.iter().map(f).sum::<i64>() as f64;

    // The whole answer's size, and the largest of one bucket's, as the simulator encodes them.
    let sim = Store { model };
    let size = |gte: i64, lt: i64| {
        let req = calicoscope_goldmane::v3_32::FlowListRequest {
            start_time_gte: gte,
            start_time_lt: lt,
            ..Default::default()
        };
        goldmane::list::list(&sim, &req, store::now(), 0)
            .unwrap()
            .encoded_len()
    };
    let whole = size(range.0, range.1);
    let bucket = (range.0..range.1)
        .step_by(BUCKET_S as usize)
        .map(|b| size(b, b + BUCKET_S))
        .max()
        .unwrap();
    println!(
        "{carrying} flows: {whole} bytes ({} a flow), one bucket at most {bucket}",
        whole / carrying
    );

    let one = serve(&cfg, &format!("many{release}"), None).await;
    let a = one.flows(range).await;
    assert_eq!(a.rows(), carrying, "every flow the simulator holds");
    let mut keys = row_keys(&a);
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), carrying, "no flow twice");
    let totals = [
        (field::PACKETS_IN, sum(|t| t.packets_in)),
        (field::PACKETS_OUT, sum(|t| t.packets_out)),
        (field::BYTES_IN, sum(|t| t.bytes_in)),
        (field::BYTES_OUT, sum(|t| t.bytes_out)),
    ];
    for (name, want) in totals {
        assert_eq!(numbers(&a, name).iter().sum::<f64>(), want, "{name}");
    }
    assert_eq!(
        one.flows(range).await,
        a,
        "two identical queries, one table"
    );

    // Without churn a bucket holds most of the hour's flows: a limit between the two makes
    // the client cut the range until each part fits, and add each flow's parts up.
    let limit = bucket + (whole - bucket) / 2;
    let parts = serve(&cfg, &format!("parts{release}"), Some(limit)).await;
    assert_eq!(
        parts.flows(range).await,
        a,
        "asked in parts, the same table"
    );
    // A bucket alone over the limit cannot be cut: an error that says so, not a short table.
    let small = serve(&cfg, &format!("small{release}"), Some(bucket / 2)).await;
    let mut q = query("A", r#"{"catalog":"flows"}"#);
    q.time_range = Some(TimeRange {
        from_epoch_ms: range.0 * 1000,
        to_epoch_ms: range.1 * 1000,
    });
    let r = &query_data(small.plugin.channel().await, small.context(false), vec![q]).await["A"];
    assert_eq!(r.status, 502, "{}", r.error);
    assert!(
        r.error.contains("too large for one message") && r.error.contains("15 s buckets alone"),
        "{}",
        r.error
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_flows_come_once_with_exact_totals_in_the_3_32_shape() {
    many_flows_once_with_exact_totals(33).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_flows_come_once_with_exact_totals_in_the_3_30_shape() {
    many_flows_once_with_exact_totals(31).await;
}
