//! Frames: Prometheus answers as Grafana data frames, encoded as Arrow IPC the way
//! Grafana's Go SDK reads them.

pub mod arrow;
pub mod convert;
pub mod frame;
mod ipc;
pub mod json;
pub mod topology;

pub use frame::{Field, Frame, Values};
