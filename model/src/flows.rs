//! The flows table: Calico Goldmane's aggregated flows as one Grafana table frame, the
//! contract between the backend (which writes it) and the panel's flow view (which reads it).
//! One row per flow key and reporter over the query's range; counts are summed over it.
//!
//! ```
//! use calicoscope_model::flows::{field, FLOWS};
//! assert_eq!((FLOWS, field::ACTION), ("flows", "action"));
//! ```

/// The frame's name.
pub const FLOWS: &str = "flows";

pub mod field {
    /// The cluster the datasource's Goldmane belongs to, when its settings name one (the
    /// leading column then); the same name as the topology tables'.
    pub use crate::topology::field::CLUSTER;
    /// Start of the first and end of the last 15 s bucket the row sums (times).
    pub const START: &str = "start";
    pub const END: &str = "end";
    pub const SOURCE_NAMESPACE: &str = "source_namespace";
    /// A workload's generate-name (`checkout-7d9f8b6c4-`), a host endpoint's or a network
    /// set's name, or `pub`/`pvt` for networks outside the cluster.
    pub const SOURCE_NAME: &str = "source_name";
    /// `workload`, `host`, `networkset`, `network`.
    pub const SOURCE_TYPE: &str = "source_type";
    pub const DEST_NAMESPACE: &str = "dest_namespace";
    pub const DEST_NAME: &str = "dest_name";
    pub const DEST_TYPE: &str = "dest_type";
    pub const DEST_PORT: &str = "dest_port";
    /// `namespace/name:port` of the destination service, empty when none.
    pub const DEST_SERVICE: &str = "dest_service";
    pub const PROTOCOL: &str = "protocol";
    /// Which end's Felix reported the flow: `src` or `dst`.
    pub const REPORTER: &str = "reporter";
    /// The verdict: `allow`, `deny` or `pass`.
    pub const ACTION: &str = "action";
    /// The policies that decided, in order, as `tier/kind:[namespace/]name action`, `; `-separated.
    pub const ENFORCED: &str = "enforced_policies";
    /// The same with staged policies counted: what would decide if they were enforced.
    pub const PENDING: &str = "pending_policies";
    /// The verdict with staged policies counted.
    pub const PENDING_ACTION: &str = "pending_action";
    pub const PACKETS_IN: &str = "packets_in";
    pub const PACKETS_OUT: &str = "packets_out";
    pub const BYTES_IN: &str = "bytes_in";
    pub const BYTES_OUT: &str = "bytes_out";
    pub const CONNECTIONS_STARTED: &str = "connections_started";
    pub const CONNECTIONS_COMPLETED: &str = "connections_completed";
    pub const CONNECTIONS_LIVE: &str = "connections_live";
}
