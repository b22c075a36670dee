//! Calicoscope backend datasource.
//!
//! The data path reads off the modules: [`query`] (the editor's JSON and the catalog) →
//! [`promql`] (PromQL built and validated on the AST) → [`client`] (fetch) → [`frames`]
//! (Grafana data frames as Arrow). [`execute`] runs that path for one query; [`plugin`]
//! serves it over Grafana's plugin protocol and [`cli`] to a person at a terminal.

pub mod cli;
pub mod client;
pub mod detect;
pub mod execute;
pub mod frames;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod goldmane;
pub mod plugin;
pub mod promql;
pub mod query;
pub mod report;
pub mod rules;
pub mod settings;
