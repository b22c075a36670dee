//! What a click sets: the dashboard variable named in the options (`var-node` by default)
//! to the node or heatmap row under the pointer, or `var-pool` to the pool whose header was
//! clicked. Calico's placeholders (`no_affinity`, `unknown_node`) are no node to select.
//! In a store of several clusters a cluster's header sets `var-cluster`, and a node or pool
//! sets its cluster too (node and pool names repeat across clusters).
//! In the flow view a cell sets the source and destination namespace variables (and the
//! view lists its flows).

use crate::layout::topology::{Hit, HEADER};
use crate::layout::Drawn;
use crate::model::flows::Flows;
use crate::model::Model;
use calicoscope_model::variable;

/// What is under the pointer, for the click filter: the thing and, in a fleet, its cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Node(String, Option<String>),
    Pool(String, Option<String>),
    Cluster(String),
}

impl Target {
    /// The (variable, value) pairs the click sets; `filter_variable` names the node's
    /// variable (empty: a node click sets nothing). A pool always sets `pool`, a cluster
    /// `cluster`.
    pub fn variables(self, filter_variable: &str) -> Vec<(String, String)> {
        let set = |var: &str, value: String| (var.to_string(), value);
        let with_cluster = |pair: (String, String), cluster: Option<String>| {
            let mut out = vec![pair];
            out.extend(cluster.map(|c| set(variable::CLUSTER, c)));
            out
        };
        match self {
            Target::Cluster(c) => vec![set(variable::CLUSTER, c)],
            Target::Pool(pool, c) => with_cluster(set(variable::POOL, pool), c),
            Target::Node(..) if filter_variable.is_empty() => Vec::new(),
            Target::Node(node, c) => with_cluster(set(filter_variable, node), c),
        }
    }
}

/// A fleet member's cluster name (`None` outside a fleet or without a cluster label).
fn of(fleet: bool, cluster: &str) -> Option<String> {
    (fleet && !cluster.is_empty()).then(|| cluster.to_string())
}

/// The node, heatmap row or pool header under (`x`, `y`) of the canvas.
pub fn target(model: &Model, drawn: Option<&Drawn>, x: f64, y: f64) -> Option<Target> {
    match (model, drawn?) {
        (Model::Topology(t), Drawn::Topology(l)) => {
            let fleet = !l.clusters.is_empty();
            match l.hit(x, y)? {
                Hit::Node(n) if t.nodes[n].is_real_node() => {
                    let n = &t.nodes[n];
                    Some(Target::Node(n.node.clone(), of(fleet, &n.cluster)))
                }
                Hit::Pool(p) if y - l.pools.iter().find(|b| b.pool == p)?.rect.y <= HEADER => {
                    let p = &t.pools[p];
                    Some(Target::Pool(p.name.clone(), of(fleet, &p.cluster)))
                }
                Hit::Cluster(c) if y - l.clusters[c].rect.y <= HEADER => {
                    of(fleet, &l.clusters[c].name).map(Target::Cluster)
                }
                _ => None,
            }
        }
        (Model::Heatmap(h), Drawn::Heatmap(l)) => l.hit(h, x, y).map(|(r, _)| {
            let row = &h.rows[r];
            Target::Node(row.key.clone(), row.cluster.clone())
        }),
        _ => None,
    }
}

/// The (variable, value) pairs a click at (`x`, `y`) sets (none over nothing).
pub fn filter(
    model: &Model,
    drawn: Option<&Drawn>,
    x: f64,
    y: f64,
    filter_variable: &str,
) -> Vec<(String, String)> {
    target(model, drawn, x, y).map_or_else(Vec::new, |t| t.variables(filter_variable))
}

/// The flow view's cell under (`x`, `y`): (source, destination) indices into the names.
pub fn pair(model: &Model, drawn: Option<&Drawn>, x: f64, y: f64) -> Option<(usize, usize)> {
    match (model, drawn?) {
        (Model::Flows(_), Drawn::Flows(l)) => l.hit(x, y),
        _ => None,
    }
}

/// The variables a click on a flow cell sets: the source and destination namespace
/// variables (either empty: that side sets nothing); a group of endpoints without a
/// namespace (hosts, networks) is no namespace to select.
pub fn pair_variables(
    f: &Flows,
    (src, dst): (usize, usize),
    source_variable: &str,
    dest_variable: &str,
) -> Vec<(String, String)> {
    [(src, source_variable), (dst, dest_variable)]
        .into_iter()
        .filter(|(i, var)| !var.is_empty() && f.is_namespace(*i))
        .map(|(i, var)| (var.to_string(), f.names[i].clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::fixtures::{heatmap, topology};
    use crate::layout::Rect;
    use crate::options::Options;

    fn layout(model: &Model) -> Drawn {
        Drawn::new(
            model,
            Rect::new(0.0, 0.0, 600.0, 300.0),
            &Options::default(),
        )
    }

    fn pair(var: &str, value: &str) -> Vec<(String, String)> {
        vec![(var.into(), value.into())]
    }

    #[test]
    fn a_node_sets_the_filter_variable() {
        let model = topology();
        let d = layout(&model);
        let (x, y) = d.locate(&model, "node-3").unwrap().center();
        assert_eq!(
            target(&model, Some(&d), x, y),
            Some(Target::Node("node-3".into(), None))
        );
        assert_eq!(
            filter(&model, Some(&d), x, y, "node"),
            pair("node", "node-3")
        );
        assert_eq!(
            filter(&model, Some(&d), x, y, "host"),
            pair("host", "node-3")
        );
        assert_eq!(filter(&model, Some(&d), x, y, ""), [], "clicks disabled");
    }

    #[test]
    fn placeholders_set_nothing() {
        let model = topology();
        let d = layout(&model);
        let Drawn::Topology(l) = &d else {
            unreachable!()
        };
        let (x, y) = l.nodes.iter().find(|n| n.node == 2).unwrap().rect.center();
        assert_eq!(filter(&model, Some(&d), x, y, "node"), [], "no_affinity");
    }

    #[test]
    fn a_pool_header_sets_pool_and_the_rest_of_the_pool_nothing() {
        let model = topology();
        let d = layout(&model);
        let Drawn::Topology(l) = &d else {
            unreachable!()
        };
        let b = &l.pools[1];
        let header = (b.rect.x + 3.0, b.rect.y + 3.0);
        assert_eq!(
            filter(&model, Some(&d), header.0, header.1, ""),
            pair("pool", "b")
        );
        // A pool without nodes: its header strip sets `pool`, the area below it nothing.
        let Model::Topology(mut t) = model else {
            unreachable!()
        };
        t.nodes.retain(|n| n.pool != "b");
        let model = Model::Topology(t);
        let d = layout(&model);
        let Drawn::Topology(l) = &d else {
            unreachable!()
        };
        let b = l.pools.iter().find(|p| p.pool == 1).unwrap().rect;
        assert!(b.h > HEADER + 4.0, "{b:?}");
        let mut y = b.y + 0.5;
        while y < b.y + b.h {
            let got = target(&model, Some(&d), b.x + b.w / 2.0, y);
            let want = (y - b.y <= HEADER).then(|| Target::Pool("b".into(), None));
            assert_eq!(got, want, "at {} px below the pool's top", y - b.y);
            y += 2.0;
        }
    }

    #[test]
    fn in_a_fleet_a_node_sets_its_cluster_and_a_cluster_header_the_cluster() {
        use crate::layout::fixtures::fleet;
        let model = fleet();
        let d = layout(&model);
        let (x, y) = d.locate(&model, "west/node-2").unwrap().center();
        assert_eq!(
            filter(&model, Some(&d), x, y, "node"),
            [
                ("node".to_string(), "node-2".to_string()),
                ("cluster".to_string(), "west".to_string())
            ]
        );
        let h = d.locate(&model, "east").expect("east's header");
        assert_eq!(
            filter(&model, Some(&d), h.x + 2.0, h.y + 2.0, "node"),
            pair("cluster", "east")
        );
        let Drawn::Topology(l) = &d else {
            unreachable!()
        };
        let east = &l.clusters[0];
        let below = east.rect.y + east.rect.h - 1.5;
        let inside = l.hit(east.rect.x + 1.5, below);
        assert!(
            !matches!(inside, Some(Hit::Cluster(_)))
                || target(&model, Some(&d), east.rect.x + 1.5, below).is_none(),
            "only the header strip selects the cluster"
        );
    }

    #[test]
    fn a_heatmap_row_sets_the_filter_variable() {
        let model = heatmap(4, 3, None);
        let d = layout(&model);
        let row = d.locate(&model, "node-1").unwrap();
        let (x, y) = row.center();
        assert_eq!(
            filter(&model, Some(&d), x, y, "node"),
            pair("node", "node-1")
        );
        assert_eq!(filter(&model, None, x, y, "node"), [], "nothing drawn yet");
    }
}
