//! The Grafana plugin protocol: go-plugin handshake, then gRPC `Data`, `Diagnostics` and
//! `Resource` services.
//!
//! The services implement the SDK's generated `pluginv2` traits directly instead of its
//! `DataService` wrapper, because the wrapper fails the whole request when one query's JSON
//! does not parse and encodes frames with the label-dropping bug (see `frames::arrow`).

mod context;
mod data;
mod error;
mod health;
mod resources;

use std::sync::Arc;

use grafana_plugin_sdk::pluginv2::{
    data_server::DataServer, diagnostics_server::DiagnosticsServer, resource_server::ResourceServer,
};
use tracing_subscriber::prelude::*;

pub use context::{InstanceError, Instances};
pub use error::PluginError;
pub use health::{check, ClusterHealth, Health};

/// The plugin state shared by all services.
#[derive(Clone, Default)]
pub struct Calicoscope {
    pub instances: Arc<Instances>,
}

/// Serves the plugin as Grafana expects: handshake line on stdout, hclog JSON on stderr.
pub async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GF_PLUGIN_LOG_LEVEL")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(grafana_plugin_sdk::backend::layer())
        .with(filter)
        .init();
    let listener = grafana_plugin_sdk::backend::initialize().await?;
    // TCP_NODELAY on every accepted connection: without it small answers wait ~40 ms for
    // Nagle and delayed ACKs (benches/querydata.rs). `Server::tcp_nodelay` only applies
    // to listeners tonic binds itself.
    let incoming = tonic::transport::server::TcpIncoming::from_listener(listener, true, None)
        .map_err(|e| e.to_string())?;
    let plugin = Calicoscope::default();
    let (mut reporter, health) = tonic_health::server::health_reporter();
    // go-plugin pings the "plugin" service before it uses any other.
    reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    reporter.set_serving::<DataServer<Calicoscope>>().await;
    reporter
        .set_serving::<DiagnosticsServer<Calicoscope>>()
        .await;
    reporter.set_serving::<ResourceServer<Calicoscope>>().await;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "calicoscope datasource serving"
    );
    tonic::transport::Server::builder()
        .add_service(health)
        .add_service(DataServer::new(plugin.clone()))
        .add_service(DiagnosticsServer::new(plugin.clone()))
        .add_service(ResourceServer::new(plugin))
        .serve_with_incoming(incoming)
        .await?;
    Ok(())
}
