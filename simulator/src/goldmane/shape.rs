//! The 3.30/3.31 wire shape at the edge: its requests become 3.32 requests (PolicyMatch's
//! plain strings become Exact StringMatches, empty staying "anything"; it has no reporter
//! or pending_actions), and the 3.32 answers are re-read as 3.30 messages — every answer
//! message is the same on the wire in both shapes, so encoding one and decoding the other
//! is exact.

use calicoscope_goldmane::{v3_30 as old, v3_32 as new};
use prost::Message;
use tonic::Status;

/// A 3.32 answer as the 3.30 message of the same wire shape.
pub fn answer<A: Message, B: Message + Default>(a: &A) -> Result<B, Status> {
    B::decode(a.encode_to_vec().as_slice())
        .map_err(|e| Status::internal(format!("3.30 answer: {e}")))
}

fn string(value: String) -> Option<new::StringMatch> {
    (!value.is_empty()).then_some(new::StringMatch {
        value,
        r#type: new::MatchType::Exact as i32,
    })
}

fn strings(list: Vec<old::StringMatch>) -> Vec<new::StringMatch> {
    list.into_iter()
        .map(|m| new::StringMatch {
            value: m.value,
            r#type: m.r#type,
        })
        .collect()
}

pub fn policy_match(m: old::PolicyMatch) -> new::PolicyMatch {
    new::PolicyMatch {
        kind: m.kind,
        tier: string(m.tier),
        namespace: string(m.namespace),
        name: string(m.name),
        action: m.action,
    }
}

pub fn filter(f: old::Filter) -> new::Filter {
    new::Filter {
        source_names: strings(f.source_names),
        source_namespaces: strings(f.source_namespaces),
        dest_names: strings(f.dest_names),
        dest_namespaces: strings(f.dest_namespaces),
        protocols: strings(f.protocols),
        dest_ports: f
            .dest_ports
            .into_iter()
            .map(|p| new::PortMatch { port: p.port })
            .collect(),
        actions: f.actions,
        policies: f.policies.into_iter().map(policy_match).collect(),
        reporter: 0,
        pending_actions: vec![],
    }
}

pub fn list(r: old::FlowListRequest) -> new::FlowListRequest {
    new::FlowListRequest {
        start_time_gte: r.start_time_gte,
        start_time_lt: r.start_time_lt,
        page: r.page,
        page_size: r.page_size,
        sort_by: r
            .sort_by
            .into_iter()
            .map(|s| new::SortOption { sort_by: s.sort_by })
            .collect(),
        filter: r.filter.map(filter),
        aggregation_interval: r.aggregation_interval,
    }
}

pub fn stream(r: old::FlowStreamRequest) -> new::FlowStreamRequest {
    new::FlowStreamRequest {
        start_time_gte: r.start_time_gte,
        filter: r.filter.map(filter),
        aggregation_interval: r.aggregation_interval,
    }
}

/// FilterHints: 3.31 knows types 1 to 6 only and says so for the others.
pub fn hints(r: old::FilterHintsRequest) -> Result<new::FilterHintsRequest, Status> {
    if !(1..=6).contains(&r.r#type) {
        return Err(super::hints::unsupported(r.r#type));
    }
    Ok(new::FilterHintsRequest {
        r#type: r.r#type,
        filter: r.filter.map(filter),
        start_time_gte: r.start_time_gte,
        start_time_lt: r.start_time_lt,
        page: r.page,
        page_size: r.page_size,
    })
}

pub fn statistics(r: old::StatisticsRequest) -> new::StatisticsRequest {
    new::StatisticsRequest {
        start_time_gte: r.start_time_gte,
        start_time_lt: r.start_time_lt,
        r#type: r.r#type,
        group_by: r.group_by,
        policy_match: r.policy_match.map(policy_match),
        time_series: r.time_series,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_cross_shapes_exactly() {
        let flow = new::FlowResult {
            id: 7,
            flow: Some(new::Flow {
                key: Some(new::FlowKey {
                    dest_name: "checkout-7d9f8b6c4-".into(),
                    ..Default::default()
                }),
                bytes_in: 1234,
                ..Default::default()
            }),
        };
        let old: old::FlowResult = answer(&flow).unwrap();
        assert_eq!(old.id, 7);
        assert_eq!(
            old.flow.unwrap().key.unwrap().dest_name,
            "checkout-7d9f8b6c4-"
        );
        let m = policy_match(old::PolicyMatch {
            tier: "default".into(),
            ..Default::default()
        });
        assert_eq!(m.tier.unwrap().value, "default");
        assert!(m.name.is_none());
        assert!(hints(old::FilterHintsRequest {
            r#type: 7,
            ..Default::default()
        })
        .is_err());
    }
}
