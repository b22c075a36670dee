//! A Prometheus stand-in for failure tests: it forwards to a real Prometheus, except for
//! queries that name a fault. `vector(400)` gets Prometheus's bad_data error, `vector(503)`
//! a plain 503, `vector(999)` an answer slower than any test timeout, `vector(777)`
//! truncated JSON.
#![allow(dead_code)]

use std::{collections::HashMap, time::Duration};

use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::post, Form, Router};

pub async fn start(upstream: String) -> String {
    let app = Router::new()
        .route("/api/v1/query", post(handle))
        .route("/api/v1/query_range", post(handle))
        .fallback(forward_get)
        .with_state(upstream);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

async fn handle(
    State(upstream): State<String>,
    uri: axum::http::Uri,
    Form(form): Form<HashMap<String, String>>,
) -> axum::response::Response {
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
    State(upstream): State<String>,
    uri: axum::http::Uri,
) -> axum::response::Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let resp = reqwest::get(format!("{upstream}{path}")).await.unwrap();
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
    (status, resp.bytes().await.unwrap()).into_response()
}
