//! Fetch: a client for any Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir,
//! VictoriaMetrics), with the datasource's auth, headers, TLS and limits.

mod decode;
mod http;

pub use decode::{ApiResponse, DecodeError, Series};
pub use http::{now_s, scrub, Client, ClientError};
