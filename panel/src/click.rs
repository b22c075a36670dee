//! What a click sets: the dashboard variable named in the options (`var-node` by default)
//! to the node or heatmap row under the pointer, or `var-pool` to the pool whose header was
//! clicked. Calico's placeholders (`no_affinity`, `unknown_node`) are no node to select.
//! In the flow view a cell sets the source and destination namespace variables (and the
//! view lists its flows).

use crate::layout::topology::{Hit, HEADER};
use crate::layout::Drawn;
use crate::model::flows::Flows;
use crate::model::Model;

/// What is under the pointer, for the click filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Node(String),
    Pool(String),
}

impl Target {
    /// The (variable, value) the click sets; `filter_variable` names the node's variable
    /// (empty: a node click sets nothing). A pool always sets `pool`.
    pub fn variable(self, filter_variable: &str) -> Option<(String, String)> {
        match self {
            Target::Pool(pool) => Some(("pool".into(), pool)),
            Target::Node(_) if filter_variable.is_empty() => None,
            Target::Node(node) => Some((filter_variable.into(), node)),
        }
    }
}

/// The node, heatmap row or pool header under (`x`, `y`) of the canvas.
pub fn target(model: &Model, drawn: Option<&Drawn>, x: f64, y: f64) -> Option<Target> {
    match (model, drawn?) {
        (Model::Topology(t), Drawn::Topology(l)) => match l.hit(x, y)? {
            Hit::Node(n) if t.nodes[n].is_real_node() => {
                Some(Target::Node(t.nodes[n].node.clone()))
            }
            Hit::Pool(p) if y - l.pools.iter().find(|b| b.pool == p)?.rect.y <= HEADER => {
                Some(Target::Pool(t.pools[p].name.clone()))
            }
            _ => None,
        },
        (Model::Heatmap(h), Drawn::Heatmap(l)) => l
            .hit(h, x, y)
            .map(|(r, _)| Target::Node(h.rows[r].name.clone())),
        _ => None,
    }
}

/// The (variable, value) a click at (`x`, `y`) sets, if any.
pub fn filter(
    model: &Model,
    drawn: Option<&Drawn>,
    x: f64,
    y: f64,
    filter_variable: &str,
) -> Option<(String, String)> {
    target(model, drawn, x, y)?.variable(filter_variable)
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

    fn pair(var: &str, value: &str) -> Option<(String, String)> {
        Some((var.into(), value.into()))
    }

    #[test]
    fn a_node_sets_the_filter_variable() {
        let model = topology();
        let d = layout(&model);
        let (x, y) = d.locate(&model, "node-3").unwrap().center();
        assert_eq!(
            target(&model, Some(&d), x, y),
            Some(Target::Node("node-3".into()))
        );
        assert_eq!(
            filter(&model, Some(&d), x, y, "node"),
            pair("node", "node-3")
        );
        assert_eq!(
            filter(&model, Some(&d), x, y, "host"),
            pair("host", "node-3")
        );
        assert_eq!(filter(&model, Some(&d), x, y, ""), None, "clicks disabled");
    }

    #[test]
    fn placeholders_set_nothing() {
        let model = topology();
        let d = layout(&model);
        let Drawn::Topology(l) = &d else {
            unreachable!()
        };
        let (x, y) = l.nodes.iter().find(|n| n.node == 2).unwrap().rect.center();
        assert_eq!(filter(&model, Some(&d), x, y, "node"), None, "no_affinity");
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
            let want = (y - b.y <= HEADER).then(|| Target::Pool("b".into()));
            assert_eq!(got, want, "at {} px below the pool's top", y - b.y);
            y += 2.0;
        }
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
        assert_eq!(
            filter(&model, None, x, y, "node"),
            None,
            "nothing drawn yet"
        );
    }
}
