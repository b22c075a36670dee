//! The cluster's network policies and how Calico evaluates them into the policy trace a
//! flow carries: tiers in order; within a tier the policies that select the endpoint, in
//! order, rule by rule; Pass goes on to the next tier; a tier whose policies select the
//! endpoint but match no rule ends in an EndOfTier Deny (its trigger the first of them);
//! an endpoint no policy selects falls through to its namespace's Profile (Allow).
//! Staged policies count only in the pending trace, as they would if enforced.
//!
//! The policies:
//! - tier `security`, GlobalNetworkPolicy `payments-isolation` (ingress to payments):
//!   Pass from checkout, Deny from anywhere else.
//! - tier `default`: CalicoNetworkPolicy `allow-web` (frontend: pub, monitoring),
//!   `allow-from-frontend` (checkout's checkout), `allow-cart` (cart from checkout),
//!   `default-deny` in checkout and payments (no rules: the EndOfTier denies),
//!   `allow-checkout` (payments from checkout), `payments-egress` (payments to the
//!   gateways and DNS); Kubernetes NetworkPolicy `catalog-ingress`, `search-ingress` and
//!   each tenant's `api-ingress`; StagedNetworkPolicy `tighten-catalog`, whose pending
//!   Deny falls on search → catalog, allowed today.
//! - monitoring, kube-system, calico-system have none: their Profile allows.

use super::world::{Endpoint, Workload};
use calicoscope_goldmane::v3_32::{Action, PolicyHit, PolicyKind};

/// The tier of Profile hits, as Calico names it.
pub const PROFILE_TIER: &str = "__PROFILE__";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

/// Which endpoints a policy applies to.
#[derive(Clone, Debug)]
enum Selects {
    Namespace(String),
    App(String, String),
}

/// Which peers a rule matches.
#[derive(Clone, Debug)]
enum Peer {
    Any,
    Namespace(String),
    App(String, String),
    Network(&'static str),
    GatewaySet,
}

#[derive(Clone, Debug)]
struct Rule {
    action: Action,
    peer: Peer,
}

#[derive(Clone, Debug)]
pub struct Policy {
    kind: PolicyKind,
    /// Empty for global kinds.
    namespace: String,
    name: String,
    tier: &'static str,
    selects: Selects,
    directions: &'static [Direction],
    rules: Vec<Rule>,
}

const TIERS: [&str; 2] = ["security", "default"];
const INGRESS: &[Direction] = &[Direction::Ingress];
const EGRESS: &[Direction] = &[Direction::Egress];
const BOTH: &[Direction] = &[Direction::Ingress, Direction::Egress];

fn rule(action: Action, peer: Peer) -> Rule {
    Rule { action, peer }
}

fn ns(name: &str) -> Peer {
    Peer::Namespace(name.to_string())
}

fn app(namespace: &str, app: &str) -> Peer {
    Peer::App(namespace.to_string(), app.to_string())
}

fn policy(
    kind: PolicyKind,
    namespace: &str,
    name: &str,
    selects: Selects,
    directions: &'static [Direction],
    rules: Vec<Rule>,
) -> Policy {
    let tier = if kind == PolicyKind::GlobalNetworkPolicy {
        "security"
    } else {
        "default"
    };
    Policy {
        kind,
        namespace: namespace.to_string(),
        name: name.to_string(),
        tier,
        selects,
        directions,
        rules,
    }
}

fn in_ns(namespace: &str) -> Selects {
    Selects::Namespace(namespace.to_string())
}

fn base_policies() -> Vec<Policy> {
    use Action::{Allow, Deny, Pass};
    use PolicyKind::*;
    vec![
        policy(
            GlobalNetworkPolicy,
            "",
            "payments-isolation",
            in_ns("payments"),
            INGRESS,
            vec![rule(Pass, ns("checkout")), rule(Deny, Peer::Any)],
        ),
        policy(
            CalicoNetworkPolicy,
            "frontend",
            "allow-web",
            in_ns("frontend"),
            INGRESS,
            vec![
                rule(Allow, Peer::Network("pub")),
                rule(Allow, ns("monitoring")),
            ],
        ),
        policy(
            CalicoNetworkPolicy,
            "checkout",
            "allow-from-frontend",
            Selects::App("checkout".into(), "checkout".into()),
            INGRESS,
            vec![
                rule(Allow, app("frontend", "web")),
                rule(Allow, ns("monitoring")),
            ],
        ),
        policy(
            CalicoNetworkPolicy,
            "checkout",
            "allow-cart",
            Selects::App("checkout".into(), "cart".into()),
            INGRESS,
            vec![rule(Allow, app("checkout", "checkout"))],
        ),
        policy(
            CalicoNetworkPolicy,
            "checkout",
            "default-deny",
            in_ns("checkout"),
            INGRESS,
            vec![],
        ),
        policy(
            CalicoNetworkPolicy,
            "payments",
            "allow-checkout",
            in_ns("payments"),
            INGRESS,
            vec![rule(Allow, ns("checkout"))],
        ),
        policy(
            CalicoNetworkPolicy,
            "payments",
            "payments-egress",
            in_ns("payments"),
            EGRESS,
            vec![
                rule(Allow, Peer::GatewaySet),
                rule(Allow, ns("kube-system")),
            ],
        ),
        policy(
            CalicoNetworkPolicy,
            "payments",
            "default-deny",
            in_ns("payments"),
            BOTH,
            vec![],
        ),
        policy(
            StagedNetworkPolicy,
            "catalog",
            "tighten-catalog",
            in_ns("catalog"),
            INGRESS,
            vec![
                rule(Allow, ns("frontend")),
                rule(Allow, ns("monitoring")),
                rule(Deny, Peer::Any),
            ],
        ),
        policy(
            NetworkPolicy,
            "catalog",
            "catalog-ingress",
            in_ns("catalog"),
            INGRESS,
            vec![
                rule(Allow, ns("frontend")),
                rule(Allow, ns("search")),
                rule(Allow, ns("monitoring")),
            ],
        ),
        policy(
            NetworkPolicy,
            "search",
            "search-ingress",
            in_ns("search"),
            INGRESS,
            vec![rule(Allow, ns("frontend")), rule(Allow, ns("monitoring"))],
        ),
    ]
}

/// Every policy: the shop's, then one `api-ingress` per tenant namespace.
pub fn policies(tenants: &[String]) -> Vec<Policy> {
    let mut all = base_policies();
    all.extend(tenants.iter().map(|t| {
        let rules = vec![
            rule(Action::Allow, ns(t)),
            rule(Action::Allow, ns("monitoring")),
        ];
        let sel = Selects::App(t.clone(), "api".into());
        policy(
            PolicyKind::NetworkPolicy,
            t,
            "api-ingress",
            sel,
            INGRESS,
            rules,
        )
    }));
    all
}

impl Policy {
    fn selects(&self, local: &Workload, direction: Direction) -> bool {
        self.directions.contains(&direction)
            && match &self.selects {
                Selects::Namespace(n) => *n == local.namespace,
                Selects::App(n, a) => *n == local.namespace && *a == local.app,
            }
    }

    fn staged(&self) -> bool {
        matches!(
            self.kind,
            PolicyKind::StagedNetworkPolicy
                | PolicyKind::StagedGlobalNetworkPolicy
                | PolicyKind::StagedKubernetesNetworkPolicy
        )
    }

    fn hit(&self, action: Action, policy_index: usize, rule_index: i64) -> PolicyHit {
        PolicyHit {
            kind: self.kind as i32,
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            tier: self.tier.to_string(),
            action: action as i32,
            policy_index: policy_index as i64,
            rule_index,
            trigger: None,
        }
    }
}

impl Peer {
    fn matches(&self, peer: Endpoint, workloads: &[Workload]) -> bool {
        match (self, peer) {
            (Peer::Any, _) => true,
            (Peer::Namespace(n), Endpoint::Workload(w)) => workloads[w].namespace == *n,
            (Peer::App(n, a), Endpoint::Workload(w)) => {
                workloads[w].namespace == *n && workloads[w].app == *a
            }
            (Peer::Network(n), Endpoint::Network(m)) => *n == m,
            (Peer::GatewaySet, Endpoint::GatewaySet) => true,
            _ => false,
        }
    }
}

/// One tier's verdict: its hits and whether evaluation stops here.
fn tier_hits(
    policies: &[&Policy],
    peer: Endpoint,
    workloads: &[Workload],
    first_index: usize,
) -> (Vec<PolicyHit>, bool) {
    let mut hits = Vec::new();
    for p in policies {
        if let Some((ri, r)) = p
            .rules
            .iter()
            .enumerate()
            .find(|(_, r)| r.peer.matches(peer, workloads))
        {
            hits.push(p.hit(r.action, first_index + hits.len(), ri as i64));
            return (hits, r.action != Action::Pass);
        }
    }
    let trigger = policies[0].hit(Action::Deny, first_index, -1);
    let end = PolicyHit {
        kind: PolicyKind::EndOfTier as i32,
        namespace: String::new(),
        name: String::new(),
        tier: policies[0].tier.to_string(),
        action: Action::Deny as i32,
        policy_index: first_index as i64,
        rule_index: -1,
        trigger: Some(Box::new(trigger)),
    };
    hits.push(end);
    (hits, true)
}

/// The trace of `local` deciding on traffic with `peer` in `direction`; with `pending`,
/// staged policies count too. The last hit's action is the verdict.
pub fn trace(
    all: &[Policy],
    local: &Workload,
    peer: Endpoint,
    direction: Direction,
    pending: bool,
    workloads: &[Workload],
) -> Vec<PolicyHit> {
    let mut hits = Vec::new();
    for tier in TIERS {
        let selecting: Vec<&Policy> = all
            .iter()
            .filter(|p| p.tier == tier && (pending || !p.staged()) && p.selects(local, direction))
            .collect();
        if selecting.is_empty() {
            continue;
        }
        let (tier_hits, done) = tier_hits(&selecting, peer, workloads, hits.len());
        hits.extend(tier_hits);
        if done {
            return hits;
        }
    }
    hits.push(profile_hit(local, hits.len()));
    hits
}

/// The namespace Profile's Allow, `kns.<namespace>`.
fn profile_hit(local: &Workload, policy_index: usize) -> PolicyHit {
    PolicyHit {
        kind: PolicyKind::Profile as i32,
        namespace: String::new(),
        name: format!("kns.{}", local.namespace),
        tier: PROFILE_TIER.to_string(),
        action: Action::Allow as i32,
        policy_index: policy_index as i64,
        rule_index: 0,
        trigger: None,
    }
}

/// The verdict of a trace: its last hit's action.
pub fn verdict(hits: &[PolicyHit]) -> Action {
    hits.last()
        .and_then(|h| Action::try_from(h.action).ok())
        .unwrap_or(Action::Allow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::world::workloads;

    fn find(w: &[Workload], app: &str) -> usize {
        w.iter().position(|x| x.app == app).unwrap()
    }

    #[test]
    fn traces_follow_calicos_rules() {
        let w = workloads(1, 0);
        let all = policies(&[]);
        let at = |app: &str| &w[find(&w, app)];
        let peer = |app: &str| Endpoint::Workload(find(&w, app));
        // checkout → payments: Pass in security, then allow-checkout.
        let t = trace(
            &all,
            at("payments-api"),
            peer("checkout"),
            Direction::Ingress,
            false,
            &w,
        );
        let names: Vec<_> = t.iter().map(|h| (h.name.as_str(), h.action)).collect();
        assert_eq!(names, [("payments-isolation", 3), ("allow-checkout", 1)]);
        // web → payments: denied by the security tier.
        let t = trace(
            &all,
            at("payments-api"),
            peer("web"),
            Direction::Ingress,
            false,
            &w,
        );
        assert_eq!((t.len(), verdict(&t)), (1, Action::Deny));
        // catalog → checkout: EndOfTier, triggered by allow-from-frontend.
        let t = trace(
            &all,
            at("checkout"),
            peer("catalog"),
            Direction::Ingress,
            false,
            &w,
        );
        assert_eq!(t[0].kind, PolicyKind::EndOfTier as i32);
        assert_eq!(t[0].trigger.as_ref().unwrap().name, "allow-from-frontend");
        // search → catalog: allowed, pending Deny.
        let enforced = trace(
            &all,
            at("catalog"),
            peer("search"),
            Direction::Ingress,
            false,
            &w,
        );
        let pending = trace(
            &all,
            at("catalog"),
            peer("search"),
            Direction::Ingress,
            true,
            &w,
        );
        assert_eq!(
            (verdict(&enforced), verdict(&pending)),
            (Action::Allow, Action::Deny)
        );
        assert_eq!(pending[0].kind, PolicyKind::StagedNetworkPolicy as i32);
        // Nothing selects coredns: the Profile allows.
        let t = trace(
            &all,
            at("coredns"),
            peer("web"),
            Direction::Ingress,
            false,
            &w,
        );
        assert_eq!(
            (t[0].name.as_str(), t[0].tier.as_str()),
            ("kns.kube-system", PROFILE_TIER)
        );
        // payments' egress to the gateways.
        let t = trace(
            &all,
            at("payments-api"),
            Endpoint::GatewaySet,
            Direction::Egress,
            false,
            &w,
        );
        assert_eq!(
            (t[0].name.as_str(), verdict(&t)),
            ("payments-egress", Action::Allow)
        );
        assert_eq!(crate::flows::world::GATEWAY_SET.1, "payment-gateways");
    }
}
