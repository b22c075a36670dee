//! `Data.QueryData`: every query runs concurrently and fails alone.

use std::collections::HashMap;

use futures::future::join_all;
use grafana_plugin_sdk::pluginv2::{self, data_server::Data};
use tonic::{Request, Response, Status};

use super::Calicoscope;
use crate::execute::{self, QueryError};
use crate::frames::arrow;

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
                let result = match instance {
                    Ok((settings, client)) => match to_request(q) {
                        Ok(r) => execute::execute(&r, settings, client).await,
                        Err(e) => Err(e),
                    },
                    Err(e) => Err(QueryError {
                        status: 400,
                        message: e.clone(),
                    }),
                };
                (ref_id.clone(), respond(&ref_id, result))
            }
        });
        let responses: HashMap<String, pluginv2::DataResponse> =
            join_all(runs).await.into_iter().collect();
        Ok(Response::new(pluginv2::QueryDataResponse { responses }))
    }
}

fn to_request(q: pluginv2::DataQuery) -> Result<execute::Request, QueryError> {
    let range = q.time_range.ok_or_else(|| {
        QueryError::bad_request("the query has no time range: Grafana always sends one")
    })?;
    Ok(execute::Request {
        ref_id: q.ref_id,
        json: q.json,
        from_ms: range.from_epoch_ms,
        to_ms: range.to_epoch_ms,
        interval_ms: q.interval_ms,
        max_data_points: q.max_data_points,
    })
}

fn respond(
    ref_id: &str,
    result: Result<Vec<crate::frames::Frame>, QueryError>,
) -> pluginv2::DataResponse {
    let encoded = result.and_then(|frames| {
        frames
            .iter()
            .map(|f| arrow::encode(f, ref_id))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| QueryError {
                status: 500,
                message: format!("could not encode frames: {e}"),
            })
    });
    match encoded {
        Ok(frames) => pluginv2::DataResponse {
            frames,
            status: 200,
            error: String::new(),
            json_meta: vec![],
        },
        Err(e) => {
            tracing::debug!(ref_id, status = e.status, error = %e.message, "query failed");
            pluginv2::DataResponse {
                frames: vec![],
                status: e.status as i32,
                error: e.message,
                json_meta: vec![],
            }
        }
    }
}
