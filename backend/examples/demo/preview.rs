//! The demo's preview server: a stand-in for the parts of Grafana's HTTP API the plugin's
//! frontend uses, in front of the real plugin process (started as Grafana starts it and
//! called over gRPC), plus the static files of a preview page. It is a test host for the
//! plugin, not Grafana:
//!
//! - `POST /api/ds/query` → QueryData; frames back as Grafana's data frame JSON;
//! - `GET|POST /api/datasources/uid/<uid>/resources/<path>` → CallResource;
//! - `GET /api/datasources/uid/<uid>/health` → CheckHealth (`details`: the backend's JSON);
//! - `GET /api/datasources` → the datasources the preview serves (`calicoscope`, and
//!   `calicoscope-typha-job`: the same Prometheus with a Typha job that matches nothing, the
//!   misconfiguration the app's setup check shows);
//! - `GET|POST /api/plugins/calicoscope-app/settings` → the app's settings (kept in memory);
//! - `/public/plugins/calicoscope-app/…` → the app's files (panel build, modules, dashboards);
//! - `/host/…` → the preview and test host pages.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use calicoscope_backend::frames::json::to_json;
use calicoscope_backend::query::time::parse_duration;
use calicoscope_host::{self as host, PluginProcess};
use grafana_plugin_sdk::pluginv2;
use serde_json::{json, Value};
use tonic::transport::Channel;

pub struct Preview {
    /// Kept so the plugin process lives (and is killed) with the server.
    pub _plugin: PluginProcess,
    pub channel: Channel,
    /// The datasources by uid, as Grafana would send their settings to the plugin; the first
    /// is the one `/api/ds/query` uses.
    pub datasources: Vec<(String, pluginv2::PluginContext)>,
    /// The app's settings: `{enabled, pinned, jsonData}`, as Grafana stores them.
    pub app_settings: Mutex<Value>,
    /// The repository root: static files are served from fixed folders under it.
    pub root: PathBuf,
}

pub fn router(state: Arc<Preview>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { Redirect::temporary("/host/preview.html") }),
        )
        .route("/api/ds/query", post(ds_query))
        .route("/api/datasources", get(datasources))
        .route(
            "/api/plugins/calicoscope-app/settings",
            get(app_settings).post(save_app_settings),
        )
        .route("/api/datasources/uid/:uid/health", get(health))
        .route(
            "/api/datasources/uid/:uid/resources/*path",
            get(resource).post(resource),
        )
        .fallback(get(static_file))
        .with_state(state)
}

impl Preview {
    /// The plugin context of datasource `uid`, if the preview serves it.
    fn context(&self, uid: &str) -> Option<pluginv2::PluginContext> {
        self.datasources
            .iter()
            .find(|(u, _)| u == uid)
            .map(|(_, c)| c.clone())
    }
}

/// Grafana's answer for a datasource uid it does not know.
fn not_found() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({ "message": "Data source not found" }),
    )
}

/// The datasources as Grafana's `/api/datasources` lists them (the fields the host uses).
async fn datasources(State(p): State<Arc<Preview>>) -> Response {
    let list: Vec<Value> = p
        .datasources
        .iter()
        .enumerate()
        .map(|(i, (uid, c))| {
            let name = c
                .data_source_instance_settings
                .as_ref()
                .map_or(String::new(), |d| d.name.clone());
            json!({ "id": i + 1, "uid": uid, "name": name, "type": "calicoscope-datasource", "access": "proxy", "isDefault": i == 0 })
        })
        .collect();
    json_response(StatusCode::OK, Value::Array(list))
}

async fn app_settings(State(p): State<Arc<Preview>>) -> Response {
    let settings = p.app_settings.lock().unwrap().clone();
    json_response(StatusCode::OK, settings)
}

/// As Grafana's `POST /api/plugins/<id>/settings`: `enabled`, `pinned` and `jsonData` replace
/// the stored ones (secure fields are not kept here).
async fn save_app_settings(State(p): State<Arc<Preview>>, body: Bytes) -> Response {
    let sent: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return json_response(
                StatusCode::BAD_REQUEST,
                json!({ "message": "bad request data" }),
            )
        }
    };
    let mut settings = p.app_settings.lock().unwrap();
    for key in ["enabled", "pinned", "jsonData"] {
        if let Some(v) = sent.get(key) {
            settings[key] = v.clone();
        }
    }
    json_response(
        StatusCode::OK,
        json!({ "message": "Plugin settings updated" }),
    )
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `now`, `now-6h` or epoch milliseconds, as Grafana's frontend sends them.
fn time_ms(s: &str, now_ms: i64) -> Result<i64, String> {
    if s == "now" {
        return Ok(now_ms);
    }
    if let Some(d) = s.strip_prefix("now-") {
        return parse_duration(d)
            .map(|d| now_ms - d.as_millis() as i64)
            .ok_or_else(|| format!("{s:?}: not a duration such as 6h"));
    }
    s.parse::<i64>()
        .map_err(|_| format!("time {s:?} is not now, now-<duration> or epoch ms"))
}

async fn ds_query(State(p): State<Arc<Preview>>, body: Bytes) -> Response {
    let req: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return json_response(StatusCode::BAD_REQUEST, json!({ "message": e.to_string() }))
        }
    };
    let now_ms = (calicoscope_backend::client::now_s() * 1000.0) as i64;
    let text = |k: &str, d: &str| req[k].as_str().unwrap_or(d).to_string();
    let (from, to) = match (
        time_ms(&text("from", "now-1h"), now_ms),
        time_ms(&text("to", "now"), now_ms),
    ) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => {
            return json_response(StatusCode::BAD_REQUEST, json!({ "message": e }))
        }
    };
    let queries: Vec<pluginv2::DataQuery> = req["queries"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|q| pluginv2::DataQuery {
            ref_id: q["refId"].as_str().unwrap_or("A").to_string(),
            max_data_points: q["maxDataPoints"].as_i64().unwrap_or(720),
            interval_ms: q["intervalMs"].as_i64().unwrap_or(15_000),
            time_range: Some(pluginv2::TimeRange {
                from_epoch_ms: from,
                to_epoch_ms: to,
            }),
            json: q.to_string().into_bytes(),
            query_type: String::new(),
        })
        .collect();
    let context = p.datasources[0].1.clone();
    let answers = host::query_data(p.channel.clone(), context, queries).await;
    let results: serde_json::Map<String, Value> = answers
        .into_iter()
        .map(|(ref_id, resp)| {
            let frames: Vec<Value> = host::frames(&resp).iter().map(|f| to_json(f, &ref_id)).collect();
            let mut r = json!({ "status": if resp.error.is_empty() { 200 } else { 400 }, "frames": frames });
            if !resp.error.is_empty() {
                r["error"] = json!(resp.error);
            }
            (ref_id, r)
        })
        .collect();
    json_response(StatusCode::OK, json!({ "results": results }))
}

/// As Grafana answers it: `{status, message, details}` (details: the plugin's JSON details),
/// HTTP 400 when the check failed.
async fn health(State(p): State<Arc<Preview>>, UrlPath(uid): UrlPath<String>) -> Response {
    let Some(context) = p.context(&uid) else {
        return not_found();
    };
    let r = host::check_health(p.channel.clone(), context).await;
    let ok = r.status == pluginv2::check_health_response::HealthStatus::Ok as i32;
    let mut body = json!({ "status": if ok { "OK" } else { "ERROR" }, "message": r.message });
    if let Ok(details) = serde_json::from_slice::<Value>(&r.json_details) {
        body["details"] = details;
    }
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    json_response(status, body)
}

async fn resource(
    State(p): State<Arc<Preview>>,
    UrlPath((uid, path)): UrlPath<(String, String)>,
    uri: Uri,
    method: Method,
    body: Bytes,
) -> Response {
    let path = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let Some(context) = p.context(&uid) else {
        return not_found();
    };
    let resp =
        host::call_resource_response(p.channel.clone(), context, method.as_str(), &path, &body)
            .await;
    let status = StatusCode::from_u16(resp.code as u16).unwrap_or(StatusCode::BAD_GATEWAY);
    let content_type = resp
        .headers
        .get("Content-Type")
        .and_then(|v| v.values.first().cloned())
        .unwrap_or_else(|| "application/json".into());
    (status, [(header::CONTENT_TYPE, content_type)], resp.body).into_response()
}

/// URL prefix → folder (relative to the repository root). The panel's wasm comes from its
/// build, the modules from the frontend's build (scripts/build-frontend.sh), the dashboards
/// from the sources, so the demo needs no packaging step.
const STATIC: &[(&str, &str)] = &[
    (
        "/public/plugins/calicoscope-app/panel/wasm/",
        "target/plugin/panel/wasm/",
    ),
    (
        "/public/plugins/calicoscope-app/dashboards/",
        "provisioning/dashboards/",
    ),
    ("/public/plugins/calicoscope-app/", "target/frontend/"),
    ("/host/host.js", "target/browser/host/host.js"),
    ("/host/editors.js", "target/browser/host/editors.js"),
    ("/host/app.js", "target/browser/host/app.js"),
    (
        "/host/react18/host.js",
        "target/browser/host/react18/host.js",
    ),
    (
        "/host/react18/editors.js",
        "target/browser/host/react18/editors.js",
    ),
    ("/host/react18/app.js", "target/browser/host/react18/app.js"),
    ("/host/", "tests/browser/host/"),
    ("/node_modules/systemjs/", "node_modules/systemjs/"),
];

async fn static_file(State(p): State<Arc<Preview>>, uri: Uri) -> Response {
    let path = uri.path();
    let Some(file) = resolve(&p.root, path) else {
        return (StatusCode::NOT_FOUND, format!("not found: {path}")).into_response();
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("js" | "mjs") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("html") => "text/html; charset=utf-8",
                Some("json") => "application/json",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            (
                [
                    (header::CONTENT_TYPE, kind),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                bytes,
            )
                .into_response()
        }
        Err(_) => (StatusCode::NOT_FOUND, format!("not found: {path}")).into_response(),
    }
}

/// The file for a URL path; `..` never leaves the mapped folder.
fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    if path.split('/').any(|seg| seg == "..") {
        return None;
    }
    STATIC.iter().find_map(|(prefix, dir)| {
        if path == *prefix || (prefix.ends_with('/') && path.starts_with(prefix)) {
            let rest = &path[prefix.len()..];
            Some(if dir.ends_with('/') {
                root.join(dir).join(rest)
            } else {
                root.join(dir)
            })
        } else {
            None
        }
    })
}
