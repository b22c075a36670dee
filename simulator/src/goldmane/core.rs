//! The one implementation behind both wire shapes: each call resolves the request against
//! the wall clock, computes off the async workers, and answers in 3.32 types.

use super::store::{clip, newest_bucket, now, Store};
use super::{filter, hints, list, stats};
use crate::flows::BUCKET_S;
use calicoscope_goldmane::v3_32::{
    FilterHintsRequest, FilterHintsResult, FlowListRequest, FlowListResult, FlowResult,
    FlowStreamRequest, StatisticsRequest, StatisticsResult,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

/// The shared state of a running server.
pub struct Core {
    pub store: Store,
    /// How often a Stream looks for a newly completed bucket.
    pub poll: Duration,
    /// List calls so far: each call's ties are ordered by its own number.
    pub calls: AtomicU64,
}

/// Runs `f` on the blocking pool: a large model takes a while to sum over an hour.
async fn blocking<T: Send + 'static>(
    core: &Arc<Core>,
    f: impl FnOnce(&Core) -> Result<T, Status> + Send + 'static,
) -> Result<T, Status> {
    let core = core.clone();
    tokio::task::spawn_blocking(move || f(&core))
        .await
        .map_err(|e| Status::internal(format!("query failed: {e}")))?
}

pub async fn list(core: &Arc<Core>, req: FlowListRequest) -> Result<FlowListResult, Status> {
    let call = core.calls.fetch_add(1, Ordering::Relaxed);
    blocking(core, move |c| list::list(&c.store, &req, now(), call)).await
}

pub async fn hints(core: &Arc<Core>, req: FilterHintsRequest) -> Result<FilterHintsResult, Status> {
    blocking(core, move |c| hints::hints(&c.store, &req, now())).await
}

pub async fn statistics(
    core: &Arc<Core>,
    req: StatisticsRequest,
) -> Result<Vec<Result<StatisticsResult, Status>>, Status> {
    blocking(core, move |c| stats::statistics(&c.store, &req, now())).await
}

/// Flows.Stream: the backfill (when `start_time_gte` is not 0), then each bucket as it
/// completes, one FlowResult per flow key and bucket, until the client goes away.
pub fn stream(
    core: &Arc<Core>,
    req: FlowStreamRequest,
) -> ReceiverStream<Result<FlowResult, Status>> {
    let (tx, rx) = mpsc::channel(256);
    let core = core.clone();
    tokio::spawn(async move {
        let t = now();
        let mut next = match req.start_time_gte {
            0 => newest_bucket(t) + BUCKET_S,
            gte if gte < 0 => clip(t + gte, t, t).first,
            gte => clip(gte, t, t).first,
        };
        loop {
            while next <= newest_bucket(now()) {
                if send_bucket(&core, &req, next, &tx).await.is_err() {
                    return;
                }
                next += BUCKET_S;
            }
            tokio::select! {
                _ = tokio::time::sleep(core.poll) => {}
                _ = tx.closed() => return,
            }
        }
    });
    ReceiverStream::new(rx)
}

type Sender = mpsc::Sender<Result<FlowResult, Status>>;

/// One bucket's matching flows; an error when the client has gone.
async fn send_bucket(
    core: &Core,
    req: &FlowStreamRequest,
    start: i64,
    tx: &Sender,
) -> Result<(), ()> {
    let model = &core.store.model;
    for (i, s) in model.series.iter().enumerate() {
        if !filter::matches(req.filter.as_ref(), &s.key) {
            continue;
        }
        if let Some(flow) = model.flow(i, start) {
            let item = FlowResult {
                id: i as i64,
                flow: Some(flow),
            };
            tx.send(Ok(item)).await.map_err(|_| ())?;
        }
    }
    Ok(())
}
