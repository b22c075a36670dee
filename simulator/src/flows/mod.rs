//! The traffic of the simulated cluster as Calico Goldmane aggregates it: one flow per
//! flow key and reporter per 15 s bucket.
//!
//! A shop (frontend, checkout, payments, catalog, search) with monitoring, kube-system and
//! calico-system, plus [`FlowSettings::tenants`] extra namespaces; the workloads are in
//! [`world`], the policies and their traces in [`policy`], the calls and per-bucket counts
//! in [`traffic`]. In-cluster calls are reported by both ends (Felix on each node), calls
//! from or to networks by the workload's end only; a call its source's egress denies is
//! reported by the source only.
//!
//! Flows of a bucket are a pure function of the config and the bucket's start:
//!
//! ```
//! use calicoscope_sim::flows::Model;
//! use calicoscope_sim::Config;
//! let model = Model::new(&Config::demo(10));
//! let t = 1_764_000_000; // a bucket start, Unix seconds (a multiple of 15)
//! assert_eq!(model.flows_at(t), Model::new(&Config::demo(10)).flows_at(t));
//! assert!(model.flows_at(t).iter().any(|f| f.key.as_ref().unwrap().action == 2)); // a Deny
//! ```

pub mod policy;
pub mod traffic;
pub mod world;

use crate::config::Config;
use calicoscope_goldmane::v3_32::{
    Action, EndpointType, Flow, FlowKey, PolicyHit, PolicyTrace, Reporter,
};
use policy::{trace, verdict, Direction, Policy};
use serde::{Deserialize, Serialize};
use traffic::{Counts, Pair};
use world::{Endpoint, Workload, GATEWAY_SET};

pub use traffic::BUCKET_S;

/// The flow model's knobs (part of [`Config`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowSettings {
    /// Extra namespaces, `tenant-0001`.., each with an API, a worker calling it and a
    /// NetworkPolicy: 500 makes a large flow table for performance tests.
    pub tenants: usize,
}

/// The most extra namespaces a config may ask for.
pub const MAX_TENANTS: usize = 5000;

/// Packet, byte and connection counts of one flow: summed over buckets by Goldmane.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub packets_in: i64,
    pub packets_out: i64,
    pub bytes_in: i64,
    pub bytes_out: i64,
    pub started: i64,
    pub completed: i64,
    pub live: i64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.packets_in += o.packets_in;
        self.packets_out += o.packets_out;
        self.bytes_in += o.bytes_in;
        self.bytes_out += o.bytes_out;
        self.started += o.started;
        self.completed += o.completed;
        self.live += o.live;
    }
}

/// Which end reports, and whether the call got through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Source { delivered: bool },
    Dest { allowed: bool },
}

/// One flow key: what Goldmane aggregates by, with the labels of its endpoints.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub key: FlowKey,
    pub source_labels: Vec<String>,
    pub dest_labels: Vec<String>,
    pair: usize,
    role: Role,
}

/// The flow keys of a config and the calls behind them.
#[derive(Clone, Debug)]
pub struct Model {
    seed: u64,
    pairs: Vec<Pair>,
    pub series: Vec<Series>,
}

impl Model {
    pub fn new(cfg: &Config) -> Model {
        let workloads = world::workloads(cfg.seed, cfg.flows.tenants);
        let tenants: Vec<String> = (0..cfg.flows.tenants)
            .map(world::tenant_namespace)
            .collect();
        let policies = policy::policies(&tenants);
        let pairs = traffic::pairs(&workloads);
        let series = pairs
            .iter()
            .enumerate()
            .flat_map(|(i, p)| series_of(i, p, &workloads, &policies))
            .collect();
        Model {
            seed: cfg.seed,
            pairs,
            series,
        }
    }

    /// What series `index` carried in the bucket starting at `bucket_start`, if anything.
    pub fn tally(&self, index: usize, bucket_start: i64) -> Option<Tally> {
        let s = &self.series[index];
        let c = traffic::sample(self.seed, s.pair, &self.pairs[s.pair], bucket_start)?;
        Some(tally(c, s.role))
    }

    /// Series `index` in one bucket as a Goldmane flow.
    pub fn flow(&self, index: usize, bucket_start: i64) -> Option<Flow> {
        let t = self.tally(index, bucket_start)?;
        Some(self.series[index].flow(bucket_start, bucket_start + BUCKET_S, t))
    }

    /// Every flow of the bucket starting at `bucket_start`, in series order.
    pub fn flows_at(&self, bucket_start: i64) -> Vec<Flow> {
        (0..self.series.len())
            .filter_map(|i| self.flow(i, bucket_start))
            .collect()
    }
}

impl Series {
    /// The flow of this key over [start, end) with counts `t`.
    pub fn flow(&self, start: i64, end: i64, t: Tally) -> Flow {
        Flow {
            key: Some(self.key.clone()),
            start_time: start,
            end_time: end,
            source_labels: self.source_labels.clone(),
            dest_labels: self.dest_labels.clone(),
            packets_in: t.packets_in,
            packets_out: t.packets_out,
            bytes_in: t.bytes_in,
            bytes_out: t.bytes_out,
            num_connections_started: t.started,
            num_connections_completed: t.completed,
            num_connections_live: t.live,
        }
    }
}

/// A pair's counts from one end's point of view.
fn tally(c: Counts, role: Role) -> Tally {
    let (through, from_source) = match role {
        Role::Source { delivered } => (delivered, true),
        Role::Dest { allowed } => (allowed, false),
    };
    let sent = (c.packets_sent, c.bytes_sent);
    // A call that is denied anywhere gets no answer.
    let back = if through {
        (c.packets_received, c.bytes_received)
    } else {
        (0, 0)
    };
    let ((packets_out, bytes_out), (packets_in, bytes_in)) = if from_source {
        (sent, back)
    } else {
        (back, sent)
    };
    Tally {
        packets_in,
        packets_out,
        bytes_in,
        bytes_out,
        started: c.connections,
        completed: if through { c.connections } else { 0 },
        live: if through { c.live } else { 0 },
    }
}

/// The one or two flow keys of a pair: its source's report, its destination's.
fn series_of(i: usize, p: &Pair, w: &[Workload], policies: &[Policy]) -> Vec<Series> {
    let judge = |local: usize, peer: Endpoint, d: Direction| {
        let enforced = trace(policies, &w[local], peer, d, false, w);
        let pending = trace(policies, &w[local], peer, d, true, w);
        (verdict(&enforced), enforced, pending)
    };
    let egress = match p.source {
        Endpoint::Workload(s) => Some(judge(s, p.dest, Direction::Egress)),
        _ => None,
    };
    let egress_ok = egress.as_ref().is_none_or(|e| e.0 == Action::Allow);
    let ingress = match p.dest {
        Endpoint::Workload(d) if egress_ok => Some(judge(d, p.source, Direction::Ingress)),
        _ => None,
    };
    let ingress_ok = ingress.as_ref().is_none_or(|e| e.0 == Action::Allow);
    let mut out = Vec::new();
    if let Some((action, enforced, pending)) = egress {
        let role = Role::Source {
            delivered: egress_ok && ingress_ok,
        };
        out.push(make_series(
            i,
            p,
            w,
            Reporter::Src,
            action,
            enforced,
            pending,
            role,
        ));
    }
    if let Some((action, enforced, pending)) = ingress {
        let role = Role::Dest {
            allowed: ingress_ok,
        };
        out.push(make_series(
            i,
            p,
            w,
            Reporter::Dst,
            action,
            enforced,
            pending,
            role,
        ));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn make_series(
    pair: usize,
    p: &Pair,
    w: &[Workload],
    reporter: Reporter,
    action: Action,
    enforced: Vec<PolicyHit>,
    pending: Vec<PolicyHit>,
    role: Role,
) -> Series {
    let (source_name, source_namespace, source_type, source_labels) = endpoint(p.source, w);
    let (dest_name, dest_namespace, dest_type, dest_labels) = endpoint(p.dest, w);
    let dest = match p.dest {
        Endpoint::Workload(d) => Some(&w[d]),
        _ => None,
    };
    let service = dest.and_then(|d| d.service.as_ref());
    let key = FlowKey {
        source_name,
        source_namespace,
        source_type: source_type as i32,
        dest_name,
        dest_namespace: dest_namespace.clone(),
        dest_type: dest_type as i32,
        dest_port: dest_port(p.dest, w),
        dest_service_name: service.map(|s| s.name.clone()).unwrap_or_default(),
        dest_service_namespace: service.map(|_| dest_namespace).unwrap_or_default(),
        dest_service_port_name: service.map(|s| s.port_name.to_string()).unwrap_or_default(),
        dest_service_port: service.map_or(0, |s| s.port),
        proto: dest.map_or("tcp", |d| d.proto).to_string(),
        reporter: reporter as i32,
        action: action as i32,
        policies: Some(PolicyTrace {
            enforced_policies: enforced,
            pending_policies: pending,
        }),
    };
    Series {
        key,
        source_labels,
        dest_labels,
        pair,
        role,
    }
}

/// Name, namespace, type and labels of one end.
fn endpoint(e: Endpoint, w: &[Workload]) -> (String, String, EndpointType, Vec<String>) {
    match e {
        Endpoint::Workload(i) => (
            w[i].generate_name.clone(),
            w[i].namespace.clone(),
            EndpointType::WorkloadEndpoint,
            w[i].labels.clone(),
        ),
        Endpoint::Network(n) => (n.to_string(), String::new(), EndpointType::Network, vec![]),
        Endpoint::GatewaySet => (
            GATEWAY_SET.1.to_string(),
            GATEWAY_SET.0.to_string(),
            EndpointType::NetworkSet,
            vec!["role=payment-gateway".to_string()],
        ),
    }
}

fn dest_port(e: Endpoint, w: &[Workload]) -> i64 {
    match e {
        Endpoint::Workload(i) => w[i].port,
        Endpoint::GatewaySet => 443,
        Endpoint::Network(_) => 5432,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        Model::new(&Config::demo(10))
    }

    #[test]
    fn both_ends_report_in_cluster_calls() {
        let m = model();
        let keys: Vec<&FlowKey> = m.series.iter().map(|s| &s.key).collect();
        let web_checkout: Vec<_> = keys
            .iter()
            .filter(|k| k.source_name.starts_with("web-") && k.dest_name.starts_with("checkout-"))
            .collect();
        assert_eq!(web_checkout.len(), 2);
        // Calls from the internet are reported by the destination only.
        let from_pub: Vec<_> = keys.iter().filter(|k| k.source_name == "pub").collect();
        assert_eq!(from_pub.len(), 1);
        assert_eq!(from_pub[0].reporter, Reporter::Dst as i32);
        // Denied, EndOfTier, pending Deny and Profile hits are all there.
        let hits = |k: &&FlowKey| k.policies.clone().unwrap();
        assert!(keys.iter().any(|k| k.action == Action::Deny as i32));
        assert!(keys
            .iter()
            .map(hits)
            .any(|t| t.enforced_policies[0].kind == 10));
        assert!(keys
            .iter()
            .map(hits)
            .any(|t| t.pending_policies != t.enforced_policies));
        assert!(keys
            .iter()
            .map(hits)
            .any(|t| t.enforced_policies[0].kind == 9));
    }

    #[test]
    fn flow_keys_are_unique() {
        let mut cfg = Config::demo(10);
        cfg.flows.tenants = 20;
        let m = Model::new(&cfg);
        let keys: std::collections::HashSet<Vec<u8>> = m
            .series
            .iter()
            .map(|s| prost::Message::encode_to_vec(&s.key))
            .collect();
        assert_eq!(keys.len(), m.series.len());
    }

    #[test]
    fn denied_calls_get_no_answer() {
        let m = model();
        let i = m
            .series
            .iter()
            .position(|s| {
                s.key.action == Action::Deny as i32 && s.key.reporter == Reporter::Dst as i32
            })
            .unwrap();
        let t = (0..50).find_map(|b| m.tally(i, b * BUCKET_S)).unwrap();
        assert!(t.packets_in > 0);
        assert_eq!((t.packets_out, t.completed), (0, 0));
    }

    #[test]
    fn tenants_add_namespaces() {
        let mut cfg = Config::demo(10);
        cfg.flows.tenants = 500;
        let m = Model::new(&cfg);
        let namespaces: std::collections::HashSet<_> = m
            .series
            .iter()
            .map(|s| s.key.dest_namespace.as_str())
            .collect();
        assert!(namespaces.len() > 500, "{}", namespaces.len());
    }
}
