//! The alerts: which catalog entry, the comparison, how long it must hold, how bad it is, and
//! what it says. Thresholds and durations live here and nowhere else.

/// One alert rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Alert {
    pub name: &'static str,
    /// The rule group it is in (one of [`GROUPS`]).
    pub group: &'static str,
    /// The catalog entry whose PromQL the rule evaluates.
    pub entry: &'static str,
    /// What the entry's value is compared with: `< 7`, `> 0` (strictly: Grafana's
    /// Threshold has no `>=`).
    pub condition: &'static str,
    /// How long the condition must hold before the alert fires (Prometheus `for`).
    pub r#for: &'static str,
    pub severity: &'static str,
    /// The label that names what the alert is about (`ippool`, `host`, `node`,
    /// `instance`); empty when the alert is about the whole cluster.
    pub subject: &'static str,
    /// The summary after its subject; `{{ $value }}` is the entry's value.
    pub says: &'static str,
    /// What it means and what to do.
    pub description: &'static str,
}

/// Rule groups, in the order the files list them.
pub const GROUPS: &[&str] = &["calico-ipam", "calico-felix", "calico-typha"];

impl Alert {
    /// The runbook section's anchor (`docs/alerts.md`), as Markdown headings make them.
    pub fn anchor(&self) -> String {
        self.name.to_lowercase()
    }

    /// The comparison's operator (`<` or `>`) and threshold.
    pub fn comparison(&self) -> (char, f64) {
        let (op, value) = self.condition.split_at(1);
        let value = value.trim().parse().unwrap_or(f64::NAN);
        (op.chars().next().unwrap_or('?'), value)
    }

    /// `{{ with $labels.cluster }}{{ . }}/{{ end }}{{ $labels.ippool }}: full in about ...`:
    /// the subject as the report names it (`cluster/pool` in a fleet), then what is wrong.
    pub fn summary(&self, cluster_label: &str) -> String {
        let cluster = |after: &str| match cluster_label {
            "" => String::new(),
            l => format!("{{{{ with $labels.{l} }}}}{{{{ . }}}}{after}{{{{ end }}}}"),
        };
        match self.subject {
            "" => format!("{}{}", cluster(": "), self.says),
            s => format!("{}{{{{ $labels.{s} }}}}: {}", cluster("/"), self.says),
        }
    }
}

// A row of the table, positional as the table reads best.
#[allow(clippy::too_many_arguments)]
const fn alert(
    name: &'static str,
    group: &'static str,
    entry: &'static str,
    condition: &'static str,
    r#for: &'static str,
    severity: &'static str,
    subject: &'static str,
    says: &'static str,
    description: &'static str,
) -> Alert {
    Alert {
        name,
        group,
        entry,
        condition,
        r#for,
        severity,
        subject,
        says,
        description,
    }
}

pub const ALERTS: &[Alert] = &[
    alert(
        "CalicoIPPoolFullWithin24Hours", "calico-ipam", "ipam_days_to_exhaustion", "< 1", "15m", "critical", "ippool",
        "full in about {{ $value | humanize }} days at the current growth",
        "The pool's assignable addresses (IPReservations excluded) run out within a day if pods keep being added at the pace of the forecast window. New pods will fail to get an address. Add an IP pool (or a larger CIDR) now, or release addresses.",
    ),
    alert(
        "CalicoIPPoolFullWithin7Days", "calico-ipam", "ipam_days_to_exhaustion", "< 7", "1h", "warning", "ippool",
        "full in about {{ $value | humanize }} days at the current growth",
        "The pool's assignable addresses run out within a week at the growth of the forecast window. Plan a new IP pool or a larger CIDR before then.",
    ),
    alert(
        "CalicoIPPoolNearlyExhausted", "calico-ipam", "ipam_pool_utilization", "> 90", "15m", "warning", "ippool",
        "{{ $value | humanize }}% of the assignable addresses in use",
        "More than nine in ten assignable addresses of the pool are allocated. Add an IP pool or a larger CIDR before it is full.",
    ),
    alert(
        "CalicoIPPoolExhausted", "calico-ipam", "ipam_pool_free", "< 1", "5m", "critical", "ippool",
        "no assignable address left",
        "Every assignable address of the pool is allocated: pods scheduled to nodes without free block space fail to start. Add an IP pool now.",
    ),
    alert(
        "CalicoNodesBorrowingAddresses", "calico-ipam", "ipam_borrowing_nodes", "> 0", "1h", "info", "ippool",
        "{{ $value }} nodes borrow addresses from other nodes' blocks",
        "Nodes took addresses from blocks affine to other nodes: their own blocks were full and no new block could be claimed, a sign the pool's blocks ran out. Check the pool's free blocks and its block size.",
    ),
    alert(
        "CalicoLeakedAddresses", "calico-ipam", "ipam_leaked", "> 0", "2h", "warning", "ippool",
        "{{ $value }} addresses look leaked and were not reclaimed",
        "calico-kube-controllers' IPAM garbage collector has seen allocations without a pod for two hours. Run `calicoctl ipam check` and release what it reports.",
    ),
    alert(
        "CalicoOrphanBlocks", "calico-ipam", "ipam_orphan_blocks", "> 0", "1h", "info", "node",
        "{{ $value }} blocks belong to no IP pool",
        "Blocks remain from a pool that was deleted or whose CIDR changed while addresses were allocated (no_ippool). Once their pods are gone, `calicoctl ipam check` finds what is left and `calicoctl ipam release` frees it.",
    ),
    alert(
        "CalicoFelixDataplaneFailures", "calico-felix", "felix_dataplane_failures", "> 0", "15m", "warning", "host",
        "Felix fails to program the dataplane ({{ $value | humanize }} failures/s)",
        "Felix on this node keeps failing dataplane updates, so policy and routes there may be stale. Read the calico-node log on the node.",
    ),
    alert(
        "CalicoFelixPolicyApplySlow", "calico-felix", "felix_apply_p99_by_node", "> 1", "15m", "warning", "host",
        "policy takes {{ $value | humanizeDuration }} to apply (p99)",
        "Felix needs more than a second to apply dataplane changes on this node, so new pods and policy changes wait. Look for a large policy set, iptables lock contention or a busy node.",
    ),
    alert(
        "CalicoFelixNodesNotInSync", "calico-felix", "felix_nodes_not_in_sync", "> 0", "15m", "warning", "",
        "{{ $value }} nodes' Felix is not in sync with the datastore",
        "Felix on these nodes has not finished its resync with the datastore (or Typha): they enforce an old view of policy. Check Typha and the nodes' calico-node logs.",
    ),
    alert(
        "CalicoFelixIptablesErrors", "calico-felix", "felix_iptables_errors", "> 0", "15m", "warning", "host",
        "iptables restore or save errors ({{ $value | humanize }}/s)",
        "Felix's iptables-restore or iptables-save calls fail on this node (iptables dataplane): policy there may not be what Calico shows. Read the calico-node log.",
    ),
    alert(
        "CalicoFelixNftablesErrors", "calico-felix", "felix_nft_errors", "> 0", "15m", "warning", "host",
        "nftables errors ({{ $value | humanize }}/s)",
        "Felix's nftables updates fail on this node (nftables dataplane): policy there may not be what Calico shows. Read the calico-node log.",
    ),
    alert(
        "CalicoTyphaConnectionsDropped", "calico-typha", "typha_connections_dropped", "> 0", "15m", "warning", "instance",
        "Typha drops client connections ({{ $value | humanize }}/s)",
        "Typha keeps dropping Felix connections (rebalancing or overload); the Felix clients reconnect and resync. Check Typha's replicas and resources.",
    ),
    alert(
        "CalicoTyphaClientsLagging", "calico-typha", "typha_client_latency_p99", "> 5", "15m", "warning", "instance",
        "clients receive updates {{ $value | humanizeDuration }} late (p99)",
        "Typha's updates reach its Felix clients more than five seconds after the datastore changed: policy on the nodes lags. Check Typha's CPU and the number of clients per replica.",
    ),
];
