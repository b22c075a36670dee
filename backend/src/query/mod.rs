//! Query model (the editor's JSON), the catalog of Calico queries and the time rules.

pub mod catalog;
pub mod model;
pub mod time;
