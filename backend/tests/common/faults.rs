//! A Prometheus stand-in for failure tests: it forwards to a real Prometheus, except for
//! queries that name a fault. `vector(400)` gets Prometheus's bad_data error, `vector(503)`
//! a plain 503, `vector(999)` an answer slower than any test timeout, `vector(777)`
//! truncated JSON, `vector(555)` a success with a warning and an info, `vector(888)` a
//! 100 MB answer.
#![allow(dead_code)]

use std::{collections::HashMap, time::Duration};

use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::post, Form, Router};

/// Starts the stand-in. Every query must carry the `required` headers (auth, tenant), or it
/// is answered 401 as a real gateway would.
pub async fn start(upstream: String, required: Vec<(String, String)>) -> String {
    let state = Proxy { upstream, required };
    let app = Router::new()
        .route("/api/v1/query", post(handle))
        .route("/api/v1/query_range", post(handle))
        .fallback(forward_get)
        .with_state(std::sync::Arc::new(state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

struct Proxy {
    upstream: String,
    required: Vec<(String, String)>,
}

async fn handle(
    State(proxy): State<std::sync::Arc<Proxy>>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> axum::response::Response {
    for (name, value) in &proxy.required {
        if headers.get(name).and_then(|v| v.to_str().ok()) != Some(value.as_str()) {
            return (StatusCode::UNAUTHORIZED, format!("missing or wrong {name}")).into_response();
        }
    }
    let upstream = &proxy.upstream;
    let query = form.get("query").cloned().unwrap_or_default();
    if query.contains("vector(400)") {
        let body = r#"{"status":"error","errorType":"bad_data","error":"1:8: parse error: simulated bad data"}"#;
        return (StatusCode::BAD_REQUEST, body).into_response();
    }
    if query.contains("vector(503)") {
        return (StatusCode::SERVICE_UNAVAILABLE, "upstream overloaded").into_response();
    }
    if query.contains("vector(999)") {
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    if query.contains("vector(555)") {
        let body = r#"{"status":"success","warnings":["simulated warning"],"infos":["simulated info"],"data":{"resultType":"matrix","result":[]}}"#;
        return (StatusCode::OK, body).into_response();
    }
    if query.contains("vector(888)") {
        return (StatusCode::OK, hundred_megabytes()).into_response();
    }
    if query.contains("vector(777)") {
        return (
            StatusCode::OK,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metr"#,
        )
            .into_response();
    }
    let resp = reqwest::Client::new()
        .post(format!("{upstream}{}", uri.path()))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
    (status, resp.bytes().await.unwrap()).into_response()
}

/// Everything else (label values for resources) goes straight to the real Prometheus.
async fn forward_get(
    State(proxy): State<std::sync::Arc<Proxy>>,
    uri: axum::http::Uri,
) -> axum::response::Response {
    let upstream = &proxy.upstream;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let resp = reqwest::get(format!("{upstream}{path}")).await.unwrap();
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
    (status, resp.bytes().await.unwrap()).into_response()
}

/// A valid 100 MB matrix answer.
fn hundred_megabytes() -> Vec<u8> {
    let series =
        r#"{"metric":{"node":"n"},"values":[[1700000000,"1"],[1700000015,"2"],[1700000030,"3"]]}"#;
    let mut body = br#"{"status":"success","data":{"resultType":"matrix","result":["#.to_vec();
    while body.len() < 100_000_000 {
        body.extend_from_slice(series.as_bytes());
        body.push(b',');
    }
    body.pop();
    body.extend_from_slice(b"]}}");
    body
}
