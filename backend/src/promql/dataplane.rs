//! PromQL that tells Felix nodes apart by dataplane, from the markers in
//! `calicoscope_model::calico` (a gauge above 0 only on that dataplane's nodes).
//!
//! Catalog templates write `$nodes` for "the instances that program this entry's dataplane",
//! `$marker` for that dataplane's marker series, and `$dataplane_nodes` for the count of Felix
//! nodes per dataplane.

use calicoscope_model::calico::Dataplane;

/// Instances whose marker for `d` is above 0, as a `(instance)`-labelled vector.
pub fn nodes_on(d: Dataplane) -> String {
    format!("(max by (instance) ({}) > 0)", d.marker())
}

/// Instances whose dataplane is `d`: a BPF node also programs iptables or nftables tables,
/// so BPF wins over nftables, which wins over iptables.
pub fn nodes_of(d: Dataplane) -> String {
    let over: Vec<String> = match d {
        Dataplane::Bpf => vec![],
        Dataplane::Nftables => vec![nodes_on(Dataplane::Bpf)],
        Dataplane::Iptables => vec![nodes_on(Dataplane::Nftables), nodes_on(Dataplane::Bpf)],
    };
    if over.is_empty() {
        nodes_on(d)
    } else {
        format!(
            "({} unless on (instance) ({}))",
            nodes_on(d),
            over.join(" or ")
        )
    }
}

/// Felix nodes per dataplane, one series each labelled `dataplane`; absent dataplanes have
/// no series.
pub fn nodes_per_dataplane() -> String {
    Dataplane::ALL
        .iter()
        .map(|d| {
            format!(
                "label_replace(count({}), \"dataplane\", \"{}\", \"\", \"\")",
                nodes_of(*d),
                d.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Fills `$nodes` and `$marker` (for an entry of `dataplane`) and `$dataplane_nodes`.
pub fn fill(template: &str, dataplane: Option<Dataplane>) -> String {
    let mut text = template.replace("$dataplane_nodes", &nodes_per_dataplane());
    if let Some(d) = dataplane {
        text = text
            .replace("$nodes", &nodes_on(d))
            .replace("$marker", d.marker());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_expression_parses() {
        for d in Dataplane::ALL {
            for expr in [nodes_on(d), nodes_of(d)] {
                crate::promql::validate::parse(&expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
            }
        }
        let all = nodes_per_dataplane();
        crate::promql::validate::parse(&all).unwrap();
        assert!(all.contains("\"nftables\"") && all.contains("felix_bpf_dataplane_endpoints"));
    }
}
