//! Grafana's side of the plugin protocol: start the plugin binary exactly as Grafana's plugin
//! manager does (go-plugin handshake) and call it over gRPC. For the protocol tests, the
//! benchmarks and the demo's preview server; it panics with the reason on a broken plugin,
//! which is what those callers want. It is a crate of its own so that none of it can end up
//! in the shipped binary (`scripts/check-package.py` checks).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use calicoscope_backend::frames::{arrow, Frame};
use grafana_plugin_sdk::pluginv2::{
    self, data_client::DataClient, diagnostics_client::DiagnosticsClient,
    resource_client::ResourceClient,
};
use tonic::transport::Channel;

pub struct PluginProcess {
    child: Child,
    pub address: String,
    /// Everything the plugin logged, drained continuously so a chatty log level cannot
    /// fill the pipe and block the plugin.
    logs: std::thread::JoinHandle<String>,
}

impl PluginProcess {
    /// Start `binary` with the environment Grafana's plugin manager sets (go-plugin's magic
    /// cookie and protocol versions); nothing inherited but PATH.
    pub fn start(binary: &str, extra_env: &[(&str, &str)]) -> PluginProcess {
        let mut cmd = Command::new(binary);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("grafana_plugin_type", "datasource")
            .env("PLUGIN_PROTOCOL_VERSIONS", "2")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start gpx_calicoscope");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("handshake line");
        let parts: Vec<&str> = line.trim().split('|').collect();
        assert_eq!(parts.len(), 5, "handshake {line:?}");
        assert_eq!(
            (parts[0], parts[1], parts[2], parts[4]),
            ("1", "2", "tcp", "grpc"),
            "handshake {line:?}"
        );
        assert!(
            parts[3].starts_with("127.0.0.1:"),
            "plugin must listen on loopback: {line:?}"
        );
        let mut stderr = child.stderr.take().unwrap();
        let logs = std::thread::spawn(move || {
            let mut all = String::new();
            let _ = stderr.read_to_string(&mut all);
            all
        });
        PluginProcess {
            child,
            address: format!("http://{}", parts[3]),
            logs,
        }
    }

    /// Peak resident memory of the plugin process so far, in bytes (Linux `VmHWM`).
    pub fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .map(|v| v.trim().trim_end_matches(" kB"));
        kb.and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(0) * 1024
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(self.address.clone())
            .unwrap()
            .connect()
            .await
            .expect("gRPC connect")
    }

    /// Stops the process and returns everything it wrote to stderr (its logs).
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let logs = std::mem::replace(&mut self.logs, std::thread::spawn(String::new));
        logs.join().unwrap_or_default()
    }
}

impl Drop for PluginProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plugin context for a datasource at `url` with the given jsonData and secrets.
pub fn context(
    url: &str,
    json: serde_json::Value,
    secrets: &[(&str, &str)],
) -> pluginv2::PluginContext {
    pluginv2::PluginContext {
        org_id: 1,
        plugin_id: "calicoscope-datasource".into(),
        data_source_instance_settings: Some(pluginv2::DataSourceInstanceSettings {
            id: 1,
            uid: format!("ds-{url}"),
            name: "Calicoscope".into(),
            url: url.into(),
            json_data: json.to_string().into_bytes(),
            decrypted_secure_json_data: secrets
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            last_updated_ms: 1,
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub fn query(ref_id: &str, json: &str) -> pluginv2::DataQuery {
    let to = (calicoscope_backend::client::now_s() * 1000.0) as i64;
    pluginv2::DataQuery {
        ref_id: ref_id.into(),
        max_data_points: 300,
        interval_ms: 1000,
        time_range: Some(pluginv2::TimeRange {
            from_epoch_ms: to - 300_000,
            to_epoch_ms: to,
        }),
        json: json.as_bytes().to_vec(),
        query_type: String::new(),
    }
}

pub async fn query_data(
    channel: Channel,
    ctx: pluginv2::PluginContext,
    queries: Vec<pluginv2::DataQuery>,
) -> HashMap<String, pluginv2::DataResponse> {
    let req = pluginv2::QueryDataRequest {
        plugin_context: Some(ctx),
        headers: Default::default(),
        queries,
    };
    // Grafana accepts large answers; tonic's client default of 4 MB would not.
    DataClient::new(channel)
        .max_decoding_message_size(usize::MAX)
        .query_data(req)
        .await
        .expect("QueryData")
        .into_inner()
        .responses
}

pub fn frames(resp: &pluginv2::DataResponse) -> Vec<Frame> {
    resp.frames
        .iter()
        .map(|b| arrow::decode(b).expect("Arrow frame").0)
        .collect()
}

pub async fn check_health(
    channel: Channel,
    ctx: pluginv2::PluginContext,
) -> pluginv2::CheckHealthResponse {
    let req = pluginv2::CheckHealthRequest {
        plugin_context: Some(ctx),
        headers: Default::default(),
    };
    DiagnosticsClient::new(channel)
        .check_health(req)
        .await
        .expect("CheckHealth")
        .into_inner()
}

pub async fn call_resource(
    channel: Channel,
    ctx: pluginv2::PluginContext,
    path: &str,
    body: &str,
) -> (i32, serde_json::Value) {
    let method = if body.is_empty() { "GET" } else { "POST" };
    let (code, body) = call_resource_raw(channel, ctx, method, path, body.as_bytes()).await;
    (code, serde_json::from_slice(&body).expect("JSON body"))
}

/// One resource call as Grafana's `/api/datasources/uid/<uid>/resources/<path>` makes it:
/// the status code and body of the (single) response. `path` may carry a query string
/// (`report?window=7d`): Grafana sends the path without it and the URL with it.
pub async fn call_resource_raw(
    channel: Channel,
    ctx: pluginv2::PluginContext,
    method: &str,
    path: &str,
    body: &[u8],
) -> (i32, Vec<u8>) {
    let resp = call_resource_response(channel, ctx, method, path, body).await;
    (resp.code, resp.body.to_vec())
}

/// [`call_resource_raw`]'s whole response, headers included.
pub async fn call_resource_response(
    channel: Channel,
    ctx: pluginv2::PluginContext,
    method: &str,
    path: &str,
    body: &[u8],
) -> pluginv2::CallResourceResponse {
    let req = pluginv2::CallResourceRequest {
        plugin_context: Some(ctx),
        path: path.split('?').next().unwrap_or_default().into(),
        method: method.into(),
        url: path.into(),
        headers: Default::default(),
        body: body.to_vec().into(),
    };
    let mut stream = ResourceClient::new(channel)
        .call_resource(req)
        .await
        .expect("CallResource")
        .into_inner();
    stream
        .message()
        .await
        .expect("resource message")
        .expect("one response")
}
