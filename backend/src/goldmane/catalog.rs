//! The flow entries of the catalog: what a platform team asks of Goldmane. They sit beside
//! the PromQL entries (`query::catalog`) in the editor's list (the `catalog` resource joins
//! both) and are run by `goldmane::query` instead of Prometheus.

use serde::Serialize;

/// What a flow entry asks Goldmane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// `Flows/List` over the range: the flows table.
    Flows,
    /// The same, only flows whose verdict was deny.
    Denied,
    /// `Statistics/List` as a time series: packets per second per policy, verdict and
    /// direction.
    Verdicts,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowEntry {
    pub id: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// Always `goldmane`: the editor groups entries by component.
    pub component: &'static str,
    pub unit: &'static str,
    pub legend: &'static str,
    /// The filters the entry reads (the editor shows only these).
    pub filters: &'static [&'static str],
    /// As the PromQL entries have them (flows have no labels to group by or metrics to need).
    pub group_by: &'static [&'static str],
    pub needs: &'static str,
    #[serde(skip)]
    pub ask: Ask,
}

const FLOW_FILTERS: &[&str] = &[
    "sourceNamespaces",
    "destNamespaces",
    "actions",
    "policies",
    "ports",
];

pub static FLOW_CATALOG: &[FlowEntry] = &[
    FlowEntry {
        id: "flows",
        title: "Flows (Goldmane)",
        description: "Aggregated flows over the range, one row per source, destination, port and reporter, with the verdict, the policies that decided it (and what staged policies would decide), packets, bytes and connections. Goldmane keeps about an hour.",
        component: "goldmane",
        unit: "",
        legend: "",
        filters: FLOW_FILTERS,
        group_by: &[],
        needs: "",
        ask: Ask::Flows,
    },
    FlowEntry {
        id: "denied_flows",
        title: "Denied flows (Goldmane)",
        description: "The flows that policy denied over the range, with the policy that denied each (an end-of-tier deny names the policy that selected the flow).",
        component: "goldmane",
        unit: "",
        legend: "",
        filters: &["sourceNamespaces", "destNamespaces", "policies", "ports"],
        group_by: &[],
        needs: "",
        ask: Ask::Denied,
    },
    FlowEntry {
        id: "policy_verdicts",
        title: "Policy verdicts (Goldmane)",
        description: "Packets per second each policy allowed, denied or passed, per direction, in 15 s steps: alert on a policy's denied packets.",
        component: "goldmane",
        unit: "pps",
        legend: "{{policy}} {{verdict}} {{direction}}",
        filters: &["policies", "actions"],
        group_by: &[],
        needs: "",
        ask: Ask::Verdicts,
    },
];

pub fn find(id: &str) -> Option<&'static FlowEntry> {
    FLOW_CATALOG.iter().find(|e| e.id == id)
}
