//! calicoscope-sim: a deterministic simulated Calico cluster that serves the metrics of
//! calico-kube-controllers (IPAM), Felix and Typha in Prometheus text format.
//!
//! `Cluster::at(&cfg, t)` is a pure function of the config and the simulated time `t`:
//! the same inputs give the same state and byte-identical metric pages. The scenario
//! rules are documented where they are implemented: IPAM ones (growth, leak,
//! borrowing, orphan_blocks, unaffine_blocks) in [`ipam`], slow_felix in [`felix`],
//! typha_drops in [`typha`].

pub mod cli;
pub mod cluster;
pub mod config;
pub mod felix;
pub mod fleet;
pub mod flows;
pub mod goldmane;
pub mod ipam;
pub mod lint;
pub mod prng;
pub mod render;
pub mod server;
pub mod typha;

pub use cli::Cli;
pub use cluster::{
    Allocation, BlockCount, BpfStats, Cluster, FelixNode, IptablesTable, MessageCount, NftTable,
    PoolState, SyncerStats, TyphaInstance,
};
pub use config::{Config, PoolSpec, Scenarios};
pub use lint::check_exposition;
pub use server::{router, serve};
