//! The 3.32+ services: the core's answers as they are.

use super::core::{self, Core};
use calicoscope_goldmane::v3_32::{
    flow_collector_server::FlowCollector, flows_server::Flows, statistics_server::Statistics,
    FilterHintsRequest, FilterHintsResult, FlowListRequest, FlowListResult, FlowReceipt,
    FlowResult, FlowStreamRequest, FlowUpdate, StatisticsRequest, StatisticsResult,
};
use std::pin::Pin;
use std::sync::Arc;
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

/// A boxed server stream.
pub type Boxed<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

/// Goldmane as Calico 3.32 and later serve it.
#[derive(Clone)]
pub struct Latest(pub Arc<Core>);

#[tonic::async_trait]
impl Flows for Latest {
    async fn list(&self, r: Request<FlowListRequest>) -> Result<Response<FlowListResult>, Status> {
        core::list(&self.0, r.into_inner()).await.map(Response::new)
    }

    type StreamStream = Boxed<FlowResult>;

    async fn stream(
        &self,
        r: Request<FlowStreamRequest>,
    ) -> Result<Response<Self::StreamStream>, Status> {
        Ok(Response::new(Box::pin(core::stream(
            &self.0,
            r.into_inner(),
        ))))
    }

    async fn filter_hints(
        &self,
        r: Request<FilterHintsRequest>,
    ) -> Result<Response<FilterHintsResult>, Status> {
        core::hints(&self.0, r.into_inner())
            .await
            .map(Response::new)
    }
}

#[tonic::async_trait]
impl Statistics for Latest {
    type ListStream = Boxed<StatisticsResult>;

    async fn list(
        &self,
        r: Request<StatisticsRequest>,
    ) -> Result<Response<Self::ListStream>, Status> {
        let items = core::statistics(&self.0, r.into_inner()).await?;
        Ok(Response::new(Box::pin(tokio_stream::iter(items))))
    }
}

#[tonic::async_trait]
impl FlowCollector for Latest {
    type ConnectStream = Boxed<FlowReceipt>;

    /// The simulator makes its own flows: it takes none from Felix.
    async fn connect(
        &self,
        _: Request<Streaming<FlowUpdate>>,
    ) -> Result<Response<Self::ConnectStream>, Status> {
        Err(Status::unimplemented(
            "the simulated Goldmane takes no flow updates",
        ))
    }
}
