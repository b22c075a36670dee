//! A simulated Calico Goldmane: the gRPC flow API (Flows List/Stream/FilterHints,
//! Statistics List; FlowCollector answers Unimplemented) in the wire shape of the
//! configured Calico release, over mTLS or plaintext, fed by [`crate::flows`].
//!
//! Buckets are 15 s of wall-clock time, 242 of them kept (the newest is the last one
//! completed), and each is a pure function of the config and its start time, so a fixed
//! absolute range always gets the same answer. Times, paging, sorting, filters and errors
//! follow Calico's server (see `list`, `filter`, `hints`, `stats`).
//!
//! ```no_run
//! # async fn run() -> Result<(), String> {
//! use calicoscope_sim::goldmane::{self, Options};
//! use calicoscope_sim::Config;
//! let certs = std::env::temp_dir().join("goldmane-certs");
//! let server = goldmane::start(&Config::demo(10), Options::mtls("127.0.0.1:0", &certs)).await?;
//! println!("{} speaks {} ({:?})", server.addr, server.shape, server.certs.as_ref().map(|c| &c.ca));
//! # Ok(()) }
//! ```

// tonic's service traits answer with `Status` by value (176 bytes); every layer under them
// speaks the same type rather than boxing and unboxing it.
#![allow(clippy::result_large_err)]

mod api_v3_30;
mod api_v3_32;
mod core;
pub mod filter;
pub mod hints;
pub mod list;
pub mod shape;
pub mod stats;
pub mod store;
pub mod tls;

use crate::config::Config;
use crate::flows::Model;
use calicoscope_goldmane::{v3_30, v3_32};
use calicoscope_model::calico::Release;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::transport::Server;

pub use tls::CertPaths;

/// Calico's Goldmane port.
pub const CALICO_PORT: u16 = 7443;

/// Which wire shape a server speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Calico 3.30 and 3.31.
    V3_30,
    /// Calico 3.32 and later.
    V3_32,
}

impl Shape {
    /// The shape a release serves; `None` before 3.30, which had no Goldmane.
    pub fn of(release: Release) -> Option<Shape> {
        match release.0 {
            0..=29 => None,
            30 | 31 => Some(Shape::V3_30),
            _ => Some(Shape::V3_32),
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Shape::V3_30 => "the Calico 3.30/3.31 API",
            Shape::V3_32 => "the Calico 3.32+ API",
        })
    }
}

/// How to run the server.
#[derive(Clone, Debug)]
pub struct Options {
    pub listen: SocketAddr,
    /// Where to write fresh certificates and serve mTLS; `None` serves plaintext.
    pub certs: Option<PathBuf>,
    /// How often a Stream looks for a newly completed bucket (buckets stay 15 s).
    pub stream_poll: Duration,
    /// The largest Flows answer sent, in bytes; a larger one is refused with gRPC's error, as
    /// a server or proxy with a send limit refuses it. `None`: no limit, as Goldmane (grpc-go
    /// sends up to 2 GiB).
    pub max_answer: Option<usize>,
}

impl Options {
    /// Plaintext on `listen` (panics on a malformed address: for literals).
    pub fn plaintext(listen: &str) -> Options {
        Options {
            listen: listen.parse().expect("a socket address"),
            certs: None,
            stream_poll: Duration::from_secs(1),
            max_answer: None,
        }
    }

    /// mTLS on `listen`, certificates written into `dir`.
    pub fn mtls(listen: &str, dir: &std::path::Path) -> Options {
        Options {
            certs: Some(dir.to_path_buf()),
            ..Options::plaintext(listen)
        }
    }
}

/// A running server; dropping it stops the server.
pub struct Goldmane {
    pub addr: SocketAddr,
    pub shape: Shape,
    /// The PEM files, when serving mTLS.
    pub certs: Option<CertPaths>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

impl Goldmane {
    /// Runs until the server fails (it does not end on its own).
    pub async fn wait(mut self) -> Result<(), String> {
        match (&mut self.task).await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl Drop for Goldmane {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds, writes the certificates (with mTLS) and serves in the background.
pub async fn start(cfg: &Config, opts: Options) -> Result<Goldmane, String> {
    let shape = Shape::of(cfg.release)
        .ok_or_else(|| format!("Calico {} has no Goldmane (it came with 3.30)", cfg.release))?;
    let certs = opts.certs.as_deref().map(tls::generate).transpose()?;
    let mut builder = Server::builder();
    if let Some(c) = &certs {
        let tls = c
            .server_tls()
            .map_err(|e| format!("reading certificates: {e}"))?;
        builder = builder.tls_config(tls).map_err(|e| format!("TLS: {e}"))?;
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| format!("cannot bind {}: {e}", opts.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let core = Arc::new(core::Core {
        store: store::Store {
            model: Model::new(cfg),
        },
        poll: opts.stream_poll,
        calls: Default::default(),
    });
    let limit = opts.max_answer.unwrap_or(usize::MAX);
    let router = match shape {
        Shape::V3_32 => {
            let api = api_v3_32::Latest(core);
            let flows = v3_32::flows_server::FlowsServer::new(api.clone());
            builder
                .add_service(flows.max_encoding_message_size(limit))
                .add_service(v3_32::statistics_server::StatisticsServer::new(api.clone()))
                .add_service(v3_32::flow_collector_server::FlowCollectorServer::new(api))
        }
        Shape::V3_30 => {
            let api = api_v3_30::Legacy(core);
            let flows = v3_30::flows_server::FlowsServer::new(api.clone());
            builder
                .add_service(flows.max_encoding_message_size(limit))
                .add_service(v3_30::statistics_server::StatisticsServer::new(api.clone()))
                .add_service(v3_30::flow_collector_server::FlowCollectorServer::new(api))
        }
    };
    let task = tokio::spawn(router.serve_with_incoming(TcpListenerStream::new(listener)));
    Ok(Goldmane {
        addr,
        shape,
        certs,
        task,
    })
}
