//! The two API shapes Goldmane has served and how a request crosses from the newer one,
//! which this plugin speaks, to the older one. They differ in PolicyMatch's strings (3.32
//! made them StringMatch messages under the same field numbers: a 3.31 server would read
//! them as strings that never match) and in two filter fields 3.31 does not have.

use std::fmt;

use calicoscope_goldmane::{v3_30 as old, v3_32 as new};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// Calico 3.30 and 3.31.
    V3_30,
    /// Calico 3.32 and later.
    V3_32,
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Api::V3_30 => "Goldmane API of Calico 3.30-3.31",
            Api::V3_32 => "Goldmane API of Calico 3.32 or later",
        })
    }
}

impl Api {
    /// The datasource setting: `auto` (or empty) asks the server, else the named shape.
    pub fn from_setting(s: &str) -> Result<Option<Api>, String> {
        match s.trim() {
            "" | "auto" => Ok(None),
            "3.30" | "3.31" => Ok(Some(Api::V3_30)),
            "3.32" | "3.33" => Ok(Some(Api::V3_32)),
            other => Err(format!(
                "the goldmaneApi setting {other:?} is not auto, 3.30 (Calico 3.30 and 3.31) or 3.32 (3.32 and later)"
            )),
        }
    }
}

/// A filter the older shape cannot express, named with its fix.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error(
    "{0} needs Calico 3.32 or later: this Goldmane serves the 3.30-3.31 API; remove that filter"
)]
pub struct Unsupported(pub &'static str);

/// A 3.32 filter as a 3.30 one: a StringMatch becomes its value (3.31 matches strings
/// exactly, so a fuzzy match cannot cross).
pub fn filter(f: new::Filter) -> Result<old::Filter, Unsupported> {
    if f.reporter != 0 {
        return Err(Unsupported("the reporter filter"));
    }
    if !f.pending_actions.is_empty() {
        return Err(Unsupported("the pending-action filter"));
    }
    let strings = |v: Vec<new::StringMatch>| {
        v.into_iter()
            .map(string_match)
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(old::Filter {
        source_names: strings(f.source_names)?,
        source_namespaces: strings(f.source_namespaces)?,
        dest_names: strings(f.dest_names)?,
        dest_namespaces: strings(f.dest_namespaces)?,
        protocols: strings(f.protocols)?,
        dest_ports: f
            .dest_ports
            .into_iter()
            .map(|p| old::PortMatch { port: p.port })
            .collect(),
        actions: f.actions,
        policies: f
            .policies
            .into_iter()
            .map(policy_match)
            .collect::<Result<_, _>>()?,
    })
}

fn string_match(m: new::StringMatch) -> Result<old::StringMatch, Unsupported> {
    Ok(old::StringMatch {
        value: m.value,
        r#type: m.r#type,
    })
}

pub fn policy_match(m: new::PolicyMatch) -> Result<old::PolicyMatch, Unsupported> {
    let exact = |s: Option<new::StringMatch>| match s {
        Some(s) if s.r#type == new::MatchType::Fuzzy as i32 && !s.value.is_empty() => Err(
            Unsupported("a partial match on a policy's tier, namespace or name"),
        ),
        s => Ok(s.map(|s| s.value).unwrap_or_default()),
    };
    Ok(old::PolicyMatch {
        kind: m.kind,
        tier: exact(m.tier)?,
        namespace: exact(m.namespace)?,
        name: exact(m.name)?,
        action: m.action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(v: &str) -> Option<new::StringMatch> {
        Some(new::StringMatch {
            value: v.into(),
            r#type: new::MatchType::Exact as i32,
        })
    }

    #[test]
    fn settings() {
        let cases = [
            ("", Ok(None)),
            ("auto", Ok(None)),
            ("3.31", Ok(Some(Api::V3_30))),
            ("3.32", Ok(Some(Api::V3_32))),
        ];
        for (s, want) in cases {
            assert_eq!(Api::from_setting(s), want, "{s}");
        }
        assert!(Api::from_setting("4")
            .unwrap_err()
            .contains("not auto, 3.30"));
    }

    #[test]
    fn filters_cross_or_say_why_not() {
        let f = new::Filter {
            dest_namespaces: vec![new::StringMatch {
                value: "pay".into(),
                r#type: new::MatchType::Fuzzy as i32,
            }],
            actions: vec![new::Action::Deny as i32],
            policies: vec![new::PolicyMatch {
                tier: exact("security"),
                name: None,
                ..Default::default()
            }],
            ..Default::default()
        };
        let old = filter(f.clone()).unwrap();
        assert_eq!(old.dest_namespaces[0].value, "pay");
        assert_eq!(old.policies[0].tier, "security");
        assert_eq!(old.policies[0].name, "");
        let reporter = new::Filter {
            reporter: new::Reporter::Dst as i32,
            ..f.clone()
        };
        assert_eq!(
            filter(reporter).unwrap_err(),
            Unsupported("the reporter filter")
        );
        let fuzzy = new::PolicyMatch {
            name: Some(new::StringMatch {
                value: "deny".into(),
                r#type: 1,
            }),
            ..Default::default()
        };
        assert!(policy_match(fuzzy)
            .unwrap_err()
            .to_string()
            .contains("partial match"));
    }
}
