//! Goldmane's Filter (3.32 shape; the 3.30 one is converted to it first): fields ANDed,
//! the entries of one repeated field ORed, an empty field matching everything. Values are
//! compared, never parsed, so any string is just a value.

use calicoscope_goldmane::v3_32::{
    Filter, FlowKey, MatchType, PolicyHit, PolicyKind, PolicyMatch, StringMatch,
};

/// Whether `key` passes `filter` (no filter passes everything).
pub fn matches(filter: Option<&Filter>, key: &FlowKey) -> bool {
    let Some(f) = filter else { return true };
    any_string(&f.source_names, &key.source_name)
        && any_string(&f.source_namespaces, &key.source_namespace)
        && any_string(&f.dest_names, &key.dest_name)
        && any_string(&f.dest_namespaces, &key.dest_namespace)
        && any_string(&f.protocols, &key.proto)
        && (f.dest_ports.is_empty() || f.dest_ports.iter().any(|p| p.port == key.dest_port))
        && (f.actions.is_empty() || f.actions.contains(&key.action))
        && (f.reporter == 0 || f.reporter == key.reporter)
        && pending_action(&f.pending_actions, key)
        && (f.policies.is_empty() || f.policies.iter().any(|m| any_hit(m, key)))
}

/// Exact is equality (so Exact "" matches only ""); Fuzzy a case-sensitive substring.
pub fn string(m: &StringMatch, value: &str) -> bool {
    match MatchType::try_from(m.r#type) {
        Ok(MatchType::Fuzzy) => value.contains(m.value.as_str()),
        _ => value == m.value,
    }
}

fn any_string(list: &[StringMatch], value: &str) -> bool {
    list.is_empty() || list.iter().any(|m| string(m, value))
}

/// Some pending hit has one of the actions.
fn pending_action(actions: &[i32], key: &FlowKey) -> bool {
    actions.is_empty() || hits(key).1.iter().any(|h| actions.contains(&h.action))
}

/// The enforced and the pending hits of a key.
pub fn hits(key: &FlowKey) -> (&[PolicyHit], &[PolicyHit]) {
    key.policies.as_ref().map_or((&[], &[]), |p| {
        (&p.enforced_policies[..], &p.pending_policies[..])
    })
}

fn any_hit(m: &PolicyMatch, key: &FlowKey) -> bool {
    let (enforced, pending) = hits(key);
    enforced.iter().chain(pending).any(|h| policy(m, h))
}

/// A PolicyMatch against one hit: kind and action 0 match anything, as do absent or empty
/// strings. An EndOfTier hit also matches as the policy that triggered it, whose name is
/// what FilterHints offers for it.
pub fn policy(m: &PolicyMatch, hit: &PolicyHit) -> bool {
    let on = |h: &PolicyHit| {
        (m.kind == 0 || m.kind == h.kind)
            && optional(m.tier.as_ref(), &h.tier)
            && optional(m.namespace.as_ref(), &h.namespace)
            && optional(m.name.as_ref(), &h.name)
    };
    let action = m.action == 0 || m.action == hit.action;
    let trigger = (hit.kind == PolicyKind::EndOfTier as i32)
        .then_some(hit.trigger.as_deref())
        .flatten();
    action && (on(hit) || trigger.is_some_and(on))
}

fn optional(m: Option<&StringMatch>, value: &str) -> bool {
    m.is_none_or(|m| m.value.is_empty() || string(m, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calicoscope_goldmane::v3_32::{Action, PolicyTrace};

    fn exact(v: &str) -> StringMatch {
        StringMatch {
            value: v.into(),
            r#type: MatchType::Exact as i32,
        }
    }

    #[test]
    fn strings_and_policies() {
        let fuzzy = StringMatch {
            value: "heck".into(),
            r#type: MatchType::Fuzzy as i32,
        };
        assert!(string(&fuzzy, "checkout") && !string(&fuzzy, "CHECKOUT"));
        assert!(string(&exact(""), "") && !string(&exact(""), "x"));
        let trigger = PolicyHit {
            kind: PolicyKind::CalicoNetworkPolicy as i32,
            name: "allow-from-frontend".into(),
            tier: "default".into(),
            ..Default::default()
        };
        let end = PolicyHit {
            kind: PolicyKind::EndOfTier as i32,
            tier: "default".into(),
            action: Action::Deny as i32,
            trigger: Some(Box::new(trigger)),
            ..Default::default()
        };
        let by_name = PolicyMatch {
            name: Some(exact("allow-from-frontend")),
            ..Default::default()
        };
        assert!(policy(&by_name, &end));
        let allow = PolicyMatch {
            action: Action::Allow as i32,
            ..by_name.clone()
        };
        assert!(!policy(&allow, &end));
        let key = FlowKey {
            policies: Some(PolicyTrace {
                enforced_policies: vec![end],
                pending_policies: vec![],
            }),
            ..Default::default()
        };
        let f = Filter {
            policies: vec![by_name],
            ..Default::default()
        };
        assert!(matches(Some(&f), &key));
        let hostile = Filter {
            dest_names: vec![exact("a\"}) or vector(1) #")],
            ..Default::default()
        };
        assert!(!matches(Some(&hostile), &key));
    }
}
