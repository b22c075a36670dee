//! The status line above the canvas: loading, the topology's summary sentence (after a
//! warning when the node cap left nodes out), or the heatmap's size (or its cell-cap warning).
//! What the caps dropped comes from the layout the panel draws ([`Drawn`]), computed once.

use crate::format::count;
use crate::layout::{topology, Drawn};
use crate::model::flows::{Flows, Verdict, MAX_NAMES};
use crate::model::Model;
use crate::options::Options;
use crate::summary::sentence;

/// The status line for the model (`None` while loading), the layout drawn for it, and the
/// options. An error shows as the error state, not here: its status line is empty.
pub fn line(model: Option<&Result<Model, String>>, drawn: Option<&Drawn>, o: &Options) -> String {
    let model = match model {
        None => return "Loading…".into(),
        Some(Err(_)) => return String::new(),
        Some(Ok(m)) => m,
    };
    match (model, drawn) {
        (Model::Topology(t), drawn) => {
            let text = sentence(t, &o.pools);
            match drawn.map_or(0, Drawn::dropped) {
                0 => text,
                n => format!(
                    "⚠ {} smallest nodes not drawn (over {}). {text}",
                    count(n as f64),
                    count(topology::MAX_NODES as f64)
                ),
            }
        }
        (Model::Heatmap(h), Some(Drawn::Heatmap(l))) if l.dropped > 0 => format!(
            "⚠ Showing {} of {} rows: {} cells is over the cap of {}. Raise \"Max cells\" or filter the query.",
            count(l.order.len() as f64),
            count(h.rows.len() as f64),
            count((h.rows.len() * h.times.len()) as f64),
            count(o.max_cells as f64)
        ),
        (Model::Flows(f), _) => flows_line(f),
        (Model::Heatmap(h), _) => format!(
            "{} rows × {} time buckets",
            count(h.rows.len() as f64),
            count(h.times.len() as f64)
        ),
    }
}

/// "12 namespaces · 340 flows · 3 pairs denied, 1 with a staged deny".
fn flows_line(f: &Flows) -> String {
    let pairs = |v: Verdict| f.cells.iter().filter(|c| c.verdict() == v).count();
    let denied = pairs(Verdict::Denied) + pairs(Verdict::Mixed);
    let mut line = format!(
        "{} namespaces · {} flows · {} of {} pairs denied",
        count(f.namespaces as f64),
        count(f.flows as f64),
        count(denied as f64),
        count(f.cells.len() as f64)
    );
    if pairs(Verdict::StagedDeny) > 0 {
        line += &format!(
            " · {} a staged policy would deny",
            count(pairs(Verdict::StagedDeny) as f64)
        );
    }
    if f.dropped > 0 {
        line = format!(
            "⚠ the {} quietest of {} names not drawn (over {}). {line}",
            count(f.dropped as f64),
            count((f.dropped + f.names.len()) as f64),
            count(MAX_NAMES as f64)
        );
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::fixtures::{heatmap, node, topology};
    use crate::layout::Rect;

    fn drawn(model: &Model, o: &Options) -> Drawn {
        Drawn::new(model, Rect::new(0.0, 0.0, 600.0, 300.0), o)
    }

    #[test]
    fn loading_and_error() {
        let o = Options::default();
        assert_eq!(line(None, None, &o), "Loading…");
        assert_eq!(line(Some(&Err("No data".into())), None, &o), "");
    }

    #[test]
    fn topology_is_the_summary_sentence_for_the_selected_pools() {
        let model = topology();
        let Model::Topology(t) = &model else {
            unreachable!()
        };
        let only_a = Options {
            pools: vec!["a".into()],
            ..Options::default()
        };
        let d = drawn(&model, &only_a);
        let got = line(Some(&Ok(model.clone())), Some(&d), &only_a);
        assert_eq!(got, sentence(t, &only_a.pools));
        assert!(got.starts_with("a (IPv4): "), "{got}");
        assert!(!got.contains("b (IPv4)"), "{got}");
    }

    #[test]
    fn topology_past_the_node_cap_warns_with_the_layouts_count() {
        let Model::Topology(mut t) = topology() else {
            unreachable!()
        };
        t.nodes = (0..topology::MAX_NODES + 1234)
            .map(|i| node("a", &format!("n{i}"), 1.0))
            .collect();
        let model = Model::Topology(t.clone());
        let o = Options::default();
        let d = drawn(&model, &o);
        assert_eq!(d.dropped(), 1234);
        let got = line(Some(&Ok(model)), Some(&d), &o);
        assert_eq!(
            got,
            format!(
                "⚠ 1,234 smallest nodes not drawn (over 20,000). {}",
                sentence(&t, &[])
            )
        );
    }

    #[test]
    fn heatmap_size_or_its_cap() {
        let model = heatmap(80, 31, Some("percentunit"));
        let o = Options::default();
        let d = drawn(&model, &o);
        assert_eq!(
            line(Some(&Ok(model.clone())), Some(&d), &o),
            "80 rows × 31 time buckets"
        );
        let capped = Options {
            max_cells: 100,
            ..Options::default()
        };
        let d = drawn(&model, &capped);
        assert_eq!(
            line(Some(&Ok(model.clone())), Some(&d), &capped),
            "⚠ Showing 3 of 80 rows: 2,480 cells is over the cap of 100. \
             Raise \"Max cells\" or filter the query."
        );
        // Before a layout exists there is nothing dropped to report.
        assert_eq!(
            line(Some(&Ok(model)), None, &capped),
            "80 rows × 31 time buckets"
        );
    }
}
