//! A bare QueryData server in the bench's own process that answers with frames already
//! encoded: timing a request to it measures the gRPC leg alone (HTTP/2 on loopback,
//! protobuf both ways, the host's decoding) for exactly the bytes the plugin sends.
//!
//! ```ignore
//! let canned = Canned::start().await;
//! let ms = canned.round_trip(encoded_frames).await;
//! ```

use std::sync::{Arc, Mutex};
use std::time::Instant;

use grafana_plugin_sdk::pluginv2::{
    self,
    data_server::{Data, DataServer},
};
use tonic::transport::{server::TcpIncoming, Channel, Server};
use tonic::{Request, Response, Status};

/// The frames the next request is answered with (taken, not cloned, as the plugin moves
/// its frames into the response).
#[derive(Clone, Default)]
struct Answer(Arc<Mutex<Vec<Vec<u8>>>>);

#[tonic::async_trait]
impl Data for Answer {
    async fn query_data(
        &self,
        _: Request<pluginv2::QueryDataRequest>,
    ) -> Result<Response<pluginv2::QueryDataResponse>, Status> {
        let frames = std::mem::take(&mut *self.0.lock().unwrap());
        let response = pluginv2::DataResponse {
            frames,
            status: 200,
            ..Default::default()
        };
        let responses = [("A".to_string(), response)].into();
        Ok(Response::new(pluginv2::QueryDataResponse { responses }))
    }
}

pub struct Canned {
    answer: Answer,
    channel: Channel,
}

impl Canned {
    /// Serves on 127.0.0.1 with `TCP_NODELAY`, as the plugin does (`plugin::serve`).
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let incoming = TcpIncoming::from_listener(listener, true, None).unwrap();
        let answer = Answer::default();
        let server = Server::builder()
            .add_service(DataServer::new(answer.clone()))
            .serve_with_incoming(incoming);
        tokio::spawn(server);
        let channel = Channel::from_shared(address)
            .unwrap()
            .connect()
            .await
            .unwrap();
        Self { answer, channel }
    }

    /// One QueryData round trip answered with `frames`, in ms (the host's `query_data`,
    /// as for the plugin); checks the frames arrived whole.
    pub async fn round_trip(&self, frames: Vec<Vec<u8>>) -> f64 {
        let bytes: usize = frames.iter().map(Vec::len).sum();
        *self.answer.0.lock().unwrap() = frames;
        let query = calicoscope_host::query("A", "{}");
        let ctx = pluginv2::PluginContext::default();
        let t = Instant::now();
        let responses = calicoscope_host::query_data(self.channel.clone(), ctx, vec![query]).await;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let got: usize = responses["A"].frames.iter().map(Vec::len).sum();
        assert_eq!(got, bytes, "the canned answer arrived cut");
        ms
    }
}
