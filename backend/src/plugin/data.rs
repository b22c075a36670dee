//! `Data.QueryData`: every query runs concurrently and fails alone, with the status its
//! error maps to (see `plugin::error`).

use std::collections::HashMap;

use futures::future::join_all;
use grafana_plugin_sdk::pluginv2::{self, data_server::Data};
use tonic::{Request, Response, Status};

use super::context::InstanceError;
use super::{Calicoscope, PluginError};
use crate::client::Client;
use crate::execute::{self, QueryError};
use crate::frames::arrow;
use crate::settings::Settings;

#[tonic::async_trait]
impl Data for Calicoscope {
    async fn query_data(
        &self,
        request: Request<pluginv2::QueryDataRequest>,
    ) -> Result<Response<pluginv2::QueryDataResponse>, Status> {
        let req = request.into_inner();
        let instance = self.instances.get(req.plugin_context.as_ref());
        let runs = req.queries.into_iter().map(|q| {
            let instance = &instance;
            async move {
                let ref_id = q.ref_id.clone();
                let result = run(instance, q).await;
                (ref_id.clone(), respond(&ref_id, result))
            }
        });
        let responses: HashMap<String, pluginv2::DataResponse> =
            join_all(runs).await.into_iter().collect();
        Ok(Response::new(pluginv2::QueryDataResponse { responses }))
    }
}

/// One query: its frames as Arrow, or why not.
async fn run(
    instance: &Result<(Settings, Client), InstanceError>,
    q: pluginv2::DataQuery,
) -> Result<Vec<Vec<u8>>, PluginError> {
    let (settings, client) = instance.as_ref().map_err(Clone::clone)?;
    let req = to_request(q)?;
    let frames = execute::execute(&req, settings, client).await?;
    Ok(arrow::encode_all(frames, &req.ref_id)?)
}

fn to_request(q: pluginv2::DataQuery) -> Result<execute::Request, QueryError> {
    let range = q.time_range.ok_or(QueryError::NoTimeRange)?;
    if range.to_epoch_ms < range.from_epoch_ms {
        return Err(QueryError::TimeRange {
            from_ms: range.from_epoch_ms,
            to_ms: range.to_epoch_ms,
        });
    }
    Ok(execute::Request {
        ref_id: q.ref_id,
        json: q.json,
        from_ms: range.from_epoch_ms,
        to_ms: range.to_epoch_ms,
        interval_ms: q.interval_ms,
        max_data_points: q.max_data_points,
    })
}

fn respond(ref_id: &str, result: Result<Vec<Vec<u8>>, PluginError>) -> pluginv2::DataResponse {
    match result {
        Ok(frames) => pluginv2::DataResponse {
            frames,
            status: 200,
            error: String::new(),
            json_meta: vec![],
        },
        Err(e) => {
            let status = e.status();
            tracing::debug!(ref_id, status, error = %e, "query failed");
            pluginv2::DataResponse {
                frames: vec![],
                status: status.into(),
                error: e.to_string(),
                json_meta: vec![],
            }
        }
    }
}

/// Per-query statuses at the protocol edge, through the same `Data` service Grafana calls.
#[cfg(test)]
mod tests {
    use std::time::Duration;

    use calicoscope_host::query;
    use serde_json::json;

    use super::*;

    const PASSWORD: &str = "pw-Hq2-not-for-errors";
    const TOKEN: &str = "tok-Vb7-not-for-errors";

    /// Grafana's context for a datasource with basic auth and a bearer token set.
    fn context(url: &str, json_data: serde_json::Value) -> pluginv2::PluginContext {
        let secrets = [("basicAuthPassword", PASSWORD), ("bearerToken", TOKEN)];
        let mut ctx = calicoscope_host::context(url, json_data, &secrets);
        if let Some(ds) = ctx.data_source_instance_settings.as_mut() {
            ds.basic_auth_enabled = true;
            ds.basic_auth_user = "grafana".into();
        }
        ctx
    }

    async fn query_data(
        ctx: pluginv2::PluginContext,
        queries: Vec<pluginv2::DataQuery>,
    ) -> HashMap<String, pluginv2::DataResponse> {
        let req = pluginv2::QueryDataRequest {
            plugin_context: Some(ctx),
            headers: Default::default(),
            queries,
        };
        Calicoscope::default()
            .query_data(Request::new(req))
            .await
            .unwrap()
            .into_inner()
            .responses
    }

    /// Asserts each query's status and a piece of its error, and that no secret leaked.
    fn expect(responses: &HashMap<String, pluginv2::DataResponse>, cases: &[(&str, i32, &str)]) {
        for (ref_id, status, text) in cases {
            let r = &responses[*ref_id];
            assert_eq!(r.status, *status, "{ref_id}: {}", r.error);
            assert!(r.frames.is_empty(), "{ref_id} has frames");
            assert!(
                r.error.contains(text),
                "{ref_id}: {:?} lacks {text:?}",
                r.error
            );
            for secret in [PASSWORD, TOKEN] {
                assert!(
                    !r.error.contains(secret),
                    "{ref_id}: secret in {:?}",
                    r.error
                );
            }
        }
    }

    /// A loopback port nothing listens on.
    async fn closed_port() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        url
    }

    #[tokio::test]
    async fn bad_queries_are_400_and_say_what_to_fix() {
        let ctx = context(&closed_port().await, json!({}));
        let mut reversed = query("reversed", r#"{"mode":"raw","expr":"up"}"#);
        reversed.time_range = Some(pluginv2::TimeRange {
            from_epoch_ms: 2_000,
            to_epoch_ms: 1_000,
        });
        let mut no_range = query("no_range", r#"{"mode":"raw","expr":"up"}"#);
        no_range.time_range = None;
        let queries = vec![
            query("malformed", r#"{"mode":5}"#),
            query("unknown", r#"{"catalog":"ipam_everything"}"#),
            query("invalid", r#"{"mode":"raw","expr":"sum(rate(x[5m])) by"}"#),
            query(
                "min_step",
                r#"{"mode":"raw","expr":"up","interval":"soon"}"#,
            ),
            query(
                "group_by",
                r#"{"catalog":"ipam_pool_size","groupBy":["node"]}"#,
            ),
            reversed,
            no_range,
        ];
        let responses = query_data(ctx, queries).await;
        expect(
            &responses,
            &[
                ("malformed", 400, "query JSON is not valid"),
                ("unknown", 400, "unknown catalog query \"ipam_everything\""),
                ("invalid", 400, "invalid PromQL at 1:18"),
                ("min_step", 400, "min step \"soon\" is not a duration"),
                ("group_by", 400, "cannot be grouped by \"node\""),
                ("reversed", 400, "the time range ends before it starts"),
                ("no_range", 400, "no time range"),
            ],
        );
    }

    #[tokio::test]
    async fn unreachable_store_is_502() {
        let url = closed_port().await;
        let responses = query_data(
            context(&url, json!({})),
            vec![query("A", r#"{"mode":"raw","expr":"vector(1)"}"#)],
        )
        .await;
        expect(
            &responses,
            &[(
                "A",
                502,
                &format!("the data source at {url} is unreachable"),
            )],
        );
    }

    #[tokio::test]
    async fn store_without_an_answer_in_time_is_504() {
        // Accepts connections and never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let silent = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let started = std::time::Instant::now();
        let responses = query_data(
            context(&url, json!({ "timeoutSeconds": 1 })),
            vec![query("A", r#"{"catalog":"ipam_pool_size"}"#)],
        )
        .await;
        silent.abort();
        expect(&responses, &[("A", 504, "did not answer within 1s")]);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test]
    async fn store_http_errors_pass_their_status_on() {
        use axum::{http::StatusCode, routing::post, Router};
        let body = r#"{"status":"error","errorType":"execution","error":"receive series from store 10.0.0.1:10901: unavailable"}"#;
        let app = Router::new().route(
            "/api/v1/query_range",
            post(move || async move { (StatusCode::UNPROCESSABLE_ENTITY, body) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let responses = query_data(
            context(&url, json!({})),
            vec![query("A", r#"{"mode":"raw","expr":"up"}"#)],
        )
        .await;
        server.abort();
        // Named as what answered, whatever the engine: not "Prometheus".
        expect(
            &responses,
            &[(
                "A",
                422,
                "the data source answered HTTP 422: execution: receive series from store",
            )],
        );
    }

    #[tokio::test]
    async fn unusable_settings_fail_every_query_with_400() {
        let responses = query_data(
            context("ftp://x", json!({})),
            vec![query("A", "{}"), query("B", "{}")],
        )
        .await;
        expect(
            &responses,
            &[("A", 400, "http:// or https://"), ("B", 400, "http://")],
        );
        let no_ds = pluginv2::PluginContext {
            org_id: 1,
            ..Default::default()
        };
        let responses = query_data(no_ds, vec![query("A", "{}")]).await;
        expect(&responses, &[("A", 400, "no datasource settings")]);
    }
}
