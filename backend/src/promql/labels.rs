//! Which filterable labels each Calico metric carries, so that a filter is added only to
//! selectors that have the label (a `node` matcher on `ipam_ippool_size` would empty it).

/// A dimension the query editor can filter on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    Pool,
    Node,
    Instance,
    Syncer,
}

/// Typha families that carry a `syncer` label.
const TYPHA_PER_SYNCER: &[&str] = &[
    "typha_connections_streaming",
    "typha_cache_size",
    "typha_updates_total",
    "typha_updates_skipped",
    "typha_snapshot_raw_bytes",
    "typha_snapshot_compressed_bytes",
    "typha_breadcrumb_block",
    "typha_breadcrumb_non_block",
];

/// The dimensions a metric can be filtered by.
pub fn dimensions(metric: &str) -> &'static [Dimension] {
    use Dimension::*;
    let family = metric.trim_end_matches("_sum").trim_end_matches("_count");
    match family {
        "ipam_ippool_size" | "ipam_ippool_reserved" => &[Pool],
        "ipam_allocations_per_node"
        | "ipam_allocations_borrowed_per_node"
        | "ipam_blocks_per_node" => &[Node],
        m if m.starts_with("ipam_") => &[Pool, Node],
        // Felix has no node label: `felix_host{host}` maps instance to hostname.
        "felix_host" => &[Node, Instance],
        m if TYPHA_PER_SYNCER.contains(&m) => &[Instance, Syncer],
        _ => &[Instance],
    }
}

/// The label a dimension filters on for a metric, given the configured IPAM label names.
pub fn label_for<'a>(
    metric: &str,
    dim: Dimension,
    node_label: &'a str,
    pool_label: &'a str,
) -> &'a str {
    match (dim, metric) {
        (Dimension::Node, "felix_host") => "host",
        (Dimension::Node, _) => node_label,
        (Dimension::Pool, _) => pool_label,
        (Dimension::Instance, _) => "instance",
        (Dimension::Syncer, _) => "syncer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Dimension::*;

    #[test]
    fn metric_dimensions() {
        let cases: [(&str, &[Dimension]); 6] = [
            ("ipam_ippool_size", &[Pool]),
            ("ipam_allocations_in_use", &[Pool, Node]),
            ("ipam_blocks_per_node", &[Node]),
            ("felix_int_dataplane_apply_time_seconds_sum", &[Instance]),
            ("typha_cache_size", &[Instance, Syncer]),
            ("typha_ping_latency", &[Instance]),
        ];
        for (metric, dims) in cases {
            assert_eq!(dimensions(metric), dims, "{metric}");
        }
    }
}
