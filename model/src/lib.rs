//! The frame contract between the Calicoscope backend and panel, and the domain logic both
//! show to people.
//!
//! The backend writes, and the panel reads, frames with exactly these names. Keeping them in
//! one crate (compiled for the host and for wasm32) means a renamed field breaks the build,
//! not a dashboard. [`format`] and [`pool`] are the numbers and the pool sentence that the CLI
//! report and the panel's status line share, so the two cannot drift apart.
//!
//! ```
//! use calicoscope_model::{topology, Family};
//! assert_eq!(topology::POOLS, "pools");
//! assert_eq!(Family::of_pool("default-ipv6-ippool", 1.2e24), Family::Ipv6);
//! ```

pub mod calico;
pub mod flows;
pub mod format;
pub mod pool;

/// The instant "IPAM topology" query answers with two table frames.
pub mod topology {
    /// Catalog id of the topology query.
    pub const QUERY: &str = "ipam_topology";

    /// Frame with one row per IP pool (orphan `no_ippool` blocks appear as a pool row).
    pub const POOLS: &str = "pools";
    /// Frame with one row per pool × node (including `no_affinity`).
    pub const NODES: &str = "nodes";

    /// Field names, shared by both frames where they mean the same thing.
    pub mod field {
        /// The cluster, in a store of several (the datasource's cluster label); the tables
        /// have this column only when the store has the label.
        pub const CLUSTER: &str = "cluster";
        pub const POOL: &str = "pool";
        pub const FAMILY: &str = "family";
        pub const NODE: &str = "node";
        /// Addresses in the pool CIDR.
        pub const SIZE: &str = "size";
        /// Addresses of the node's blocks: blocks × block size.
        pub const CAPACITY: &str = "capacity";
        /// Addresses of the pool an IPReservation covers (0 before Calico 3.33 reports them).
        pub const RESERVED: &str = "reserved";
        pub const IN_USE: &str = "in_use";
        /// Assignable addresses not in use: size − reserved − in use.
        pub const FREE: &str = "free";
        pub const BORROWED: &str = "borrowed";
        pub const LEAKED: &str = "leaked";
        pub const BLOCKS: &str = "blocks";
        /// In use ÷ assignable addresses (pools) or ÷ capacity (nodes), 0..1.
        pub const UTILIZATION: &str = "utilization";
        /// Days until the pool is full at the forecast window's rate; NaN when not growing.
        pub const DAYS_TO_FULL: &str = "days_to_full";
    }

    /// Calico's placeholder values, shown as what they are rather than as names.
    pub const NO_IPPOOL: &str = "no_ippool";
    pub const NO_AFFINITY: &str = "no_affinity";
    /// Allocations that carry no node attribute.
    pub const UNKNOWN_NODE: &str = "unknown_node";

    /// A pool or node as sentences and heatmap rows name it: `cluster/name` in a store of
    /// several clusters, the bare name otherwise (`cluster` empty).
    ///
    /// ```
    /// use calicoscope_model::topology::qualified;
    /// assert_eq!(qualified("prod-eu", "default-ipv4-ippool"), "prod-eu/default-ipv4-ippool");
    /// assert_eq!(qualified("", "worker-1"), "worker-1");
    /// ```
    pub fn qualified(cluster: &str, name: &str) -> String {
        match cluster {
            "" => name.to_string(),
            c => format!("{c}/{name}"),
        }
    }
}

/// The dashboard variables a click in the panel sets (the provisioned dashboards define them
/// under these names; the node variable is a panel option).
pub mod variable {
    pub const CLUSTER: &str = "cluster";
    pub const POOL: &str = "pool";
}

/// A pool's address family, as far as metrics can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Ipv4,
    Ipv6,
    Unknown,
}

impl Family {
    /// Metrics carry no CIDR, so the family comes from the size (more than 2^32 addresses
    /// is IPv6) or from the name (`default-ipv4-ippool`, `pool-v6`); else it is unknown.
    pub fn of_pool(name: &str, size: f64) -> Family {
        let lower = name.to_ascii_lowercase();
        if size > 4_294_967_296.0 || lower.contains("ipv6") || lower.contains("v6") {
            Family::Ipv6
        } else if lower.contains("ipv4") || lower.contains("v4") {
            Family::Ipv4
        } else {
            Family::Unknown
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Family::Ipv4 => "ipv4",
            Family::Ipv6 => "ipv6",
            Family::Unknown => "unknown",
        }
    }

    /// For people: `IPv4`, `IPv6`, `family unknown`.
    pub fn label(self) -> &'static str {
        match self {
            Family::Ipv4 => "IPv4",
            Family::Ipv6 => "IPv6",
            Family::Unknown => "family unknown",
        }
    }

    pub fn parse(s: &str) -> Family {
        match s {
            "ipv4" => Family::Ipv4,
            "ipv6" => Family::Ipv6,
            _ => Family::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_from_size_and_name() {
        let cases = [
            ("default-ipv4-ippool", 65_536.0, Family::Ipv4),
            ("default-ipv6-ippool", 1.2e24, Family::Ipv6),
            ("big", 1.2e24, Family::Ipv6),
            ("pool-v6", 256.0, Family::Ipv6),
            ("blue", 256.0, Family::Unknown),
        ];
        for (name, size, want) in cases {
            assert_eq!(Family::of_pool(name, size), want, "{name}");
            assert_eq!(Family::parse(want.as_str()), want);
        }
        let labels = [Family::Ipv4, Family::Ipv6, Family::Unknown].map(Family::label);
        assert_eq!(labels, ["IPv4", "IPv6", "family unknown"]);
    }
}
