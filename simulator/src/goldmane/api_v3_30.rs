//! The 3.30/3.31 services: requests converted to 3.32 ones, answers re-read as 3.30 ones
//! (see [`super::shape`]).

use super::api_v3_32::Boxed;
use super::core::{self, Core};
use super::shape;
use calicoscope_goldmane::v3_30::{
    flow_collector_server::FlowCollector, flows_server::Flows, statistics_server::Statistics,
    FilterHintsRequest, FilterHintsResult, FlowListRequest, FlowListResult, FlowReceipt,
    FlowResult, FlowStreamRequest, FlowUpdate, StatisticsRequest, StatisticsResult,
};
use std::sync::Arc;
use tokio_stream::StreamExt;
use tonic::{Request, Response, Status, Streaming};

/// Goldmane as Calico 3.30 and 3.31 serve it.
#[derive(Clone)]
pub struct Legacy(pub Arc<Core>);

#[tonic::async_trait]
impl Flows for Legacy {
    async fn list(&self, r: Request<FlowListRequest>) -> Result<Response<FlowListResult>, Status> {
        let answer = core::list(&self.0, shape::list(r.into_inner())).await?;
        shape::answer(&answer).map(Response::new)
    }

    type StreamStream = Boxed<FlowResult>;

    async fn stream(
        &self,
        r: Request<FlowStreamRequest>,
    ) -> Result<Response<Self::StreamStream>, Status> {
        let flows = core::stream(&self.0, shape::stream(r.into_inner()));
        let old = flows.map(|item| item.and_then(|f| shape::answer(&f)));
        Ok(Response::new(Box::pin(old)))
    }

    async fn filter_hints(
        &self,
        r: Request<FilterHintsRequest>,
    ) -> Result<Response<FilterHintsResult>, Status> {
        let answer = core::hints(&self.0, shape::hints(r.into_inner())?).await?;
        shape::answer(&answer).map(Response::new)
    }
}

#[tonic::async_trait]
impl Statistics for Legacy {
    type ListStream = Boxed<StatisticsResult>;

    async fn list(
        &self,
        r: Request<StatisticsRequest>,
    ) -> Result<Response<Self::ListStream>, Status> {
        let items = core::statistics(&self.0, shape::statistics(r.into_inner())).await?;
        let old = items
            .into_iter()
            .map(|item| item.and_then(|s| shape::answer(&s)));
        Ok(Response::new(Box::pin(tokio_stream::iter(old))))
    }
}

#[tonic::async_trait]
impl FlowCollector for Legacy {
    type ConnectStream = Boxed<FlowReceipt>;

    async fn connect(
        &self,
        _: Request<Streaming<FlowUpdate>>,
    ) -> Result<Response<Self::ConnectStream>, Status> {
        Err(Status::unimplemented(
            "the simulated Goldmane takes no flow updates",
        ))
    }
}
