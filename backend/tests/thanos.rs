//! Partial response through Thanos Query: one replica's store fails mid-test. With
//! `partial_response=true` the query answers from the other replica with a warning notice on
//! its frame (not an error, not silence); with `partial_response=false` it is an error on that
//! query naming the store that failed, and the other queries of the request still answer.

mod common;

use calicoscope_backend::client::{Client, ClientError};
use calicoscope_backend::execute::{execute, QueryError};
use common::{expect::notices, request, settings_with};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_store_down_is_a_warning_or_an_error_as_configured() {
    let mut ha = tokio::task::spawn_blocking(common::thanos).await.unwrap();
    let settings = |partial: &str| {
        settings_with(
            &ha.url,
            json!({ "scrapeInterval": "1s", "queryParams": { "partial_response": partial } }),
        )
    };
    let pool_size = request(json!({ "catalog": "ipam_pool_size", "instant": true }));
    let (on, off) = (settings("true"), settings("false"));
    let rows = |frames: &[calicoscope_backend::frames::Frame]| {
        frames.iter().filter(|f| f.rows() > 0).count()
    };
    // Both stores up: two pools, no notice.
    let frames = execute(&pool_size, &on, &Client::new(&on).unwrap())
        .await
        .unwrap();
    assert_eq!(rows(&frames), 2);
    assert!(notices(&frames[0]).is_empty(), "{:?}", notices(&frames[0]));

    // Replica a's Prometheus dies: its sidecar stays up and answers the StoreAPI with an
    // error, which is what Thanos Query must report.
    let sidecar = ha.sidecars[0].grpc.clone();
    ha.replicas[0].kill();

    let frames = execute(&pool_size, &on, &Client::new(&on).unwrap())
        .await
        .expect("partial response answers");
    assert_eq!(rows(&frames), 2, "the other replica still answers");
    let warned = notices(&frames[0]);
    assert!(
        warned.iter().any(|n| n.contains(&sidecar)),
        "no warning naming {sidecar}: {warned:?}"
    );

    let err = execute(&pool_size, &off, &Client::new(&off).unwrap())
        .await
        .expect_err("partial response off: an error");
    // Thanos answers 422 (an execution error) naming the store that failed.
    assert!(
        matches!(
            &err,
            QueryError::Store(ClientError::Status { status: 422, message }) if message.contains(&sidecar)
        ),
        "{err:?}"
    );
}
