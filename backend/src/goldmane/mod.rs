//! Calico Goldmane: aggregated flows with their policy verdicts, over its gRPC API with
//! mutual TLS (`calicoscope_goldmane`). The data path mirrors Prometheus's: the connection
//! and its API shape (`client`, `api`), flows listed in one answer per range, never paged
//! (`listing`), then the answers as Grafana frames (`frames`).
//!
//! ```no_run
//! # async fn f(settings: &calicoscope_backend::settings::Settings) -> Result<(), Box<dyn std::error::Error>> {
//! use calicoscope_backend::goldmane::Goldmane;
//! use calicoscope_goldmane::v3_32::FlowListRequest;
//! let goldmane = Goldmane::connect(settings).await?;
//! let (flows, _more) = goldmane.list(FlowListRequest { start_time_gte: -900, ..Default::default() }).await?;
//! println!("{} flows in the last 15 minutes ({})", flows.len(), goldmane.api());
//! # Ok(()) }
//! ```

pub mod api;
pub mod catalog;
pub mod client;
pub mod frames;
pub mod listing;
pub mod query;

/// About what Goldmane keeps (242 buckets of 15 s).
pub const KEPT_SECONDS: i64 = 3_600;

pub use api::Api;
pub use client::{Goldmane, GoldmaneError};
