//! The hover tooltip: the exact numbers of the node, pool header or heatmap cell under the
//! pointer, and where the tooltip goes.

use crate::format::{count, percent, value};
use crate::layout::topology::Hit;
use crate::layout::Drawn;
use crate::model::flows::Flows;
use crate::model::Model;
use crate::style::{STATUS_H, TOOLTIP_W};

/// The tooltip's lines for the point (`x`, `y`) of the canvas, `None` over nothing.
/// `clock` gives the local (hours, minutes, seconds) of a time in milliseconds since the
/// epoch (the browser's time zone, so the view passes JavaScript's `Date`).
pub fn lines(
    model: &Model,
    drawn: Option<&Drawn>,
    x: f64,
    y: f64,
    clock: &dyn Fn(f64) -> (u32, u32, u32),
) -> Option<Vec<String>> {
    match (model, drawn?) {
        (Model::Topology(t), Drawn::Topology(l)) => match l.hit(x, y)? {
            Hit::Cluster(c) => Some(vec![crate::summary::cluster_title(t, &l.clusters[c].name)]),
            Hit::Node(n) => {
                let n = &t.nodes[n];
                Some(vec![
                    format!(
                        "{} · {}",
                        n.description(),
                        calicoscope_model::topology::qualified(&n.cluster, &n.pool)
                    ),
                    in_use_line(n.in_use, n.capacity, n.utilization),
                    format!("blocks {}", count(n.blocks)),
                    format!("borrowed {}", count(n.borrowed)),
                    format!("leaked {}", count(n.leaked)),
                ])
            }
            Hit::Pool(p) => {
                let p = &t.pools[p];
                let mut lines = vec![
                    format!("{} ({})", p.said(), p.family.label()),
                    // Utilization is of the assignable addresses: reserved ones never count.
                    in_use_line(p.in_use, p.size - p.reserved, p.utilization),
                    format!("free {}", count(p.free)),
                    format!("blocks {}", count(p.blocks)),
                    format!(
                        "borrowed {} · leaked {}",
                        count(p.borrowed),
                        count(p.leaked)
                    ),
                ];
                if p.reserved > 0.0 {
                    lines.push(format!("reserved {} (IPReservations)", count(p.reserved)));
                }
                if p.days_to_full.is_some() {
                    lines.push(calicoscope_model::pool::horizon(p.days_to_full));
                }
                Some(lines)
            }
        },
        (Model::Heatmap(h), Drawn::Heatmap(l)) => {
            let (r, c) = l.hit(h, x, y)?;
            let row = &h.rows[r];
            let (hours, minutes, seconds) = clock(h.times[c]);
            Some(vec![
                row.name.clone(),
                format!("{hours:02}:{minutes:02}:{seconds:02}"),
                value(row.values[c], h.unit.as_deref()),
            ])
        }
        (Model::Flows(f), Drawn::Flows(l)) => {
            let (src, dst) = l.hit(x, y)?;
            Some(flow_lines(f, src, dst))
        }
        _ => None,
    }
}

/// A matrix cell: the pair, its flows and packets by verdict, the policies that decided.
fn flow_lines(f: &Flows, src: usize, dst: usize) -> Vec<String> {
    let pair = format!("{} → {}", f.names[src], f.names[dst]);
    let Some(c) = f.cell(src, dst) else {
        return vec![pair, "no flows".into()];
    };
    let mut lines = vec![
        pair,
        format!(
            "{} · {} packets",
            plural(c.flows, "flow"),
            count(c.packets())
        ),
        format!(
            "allowed {} · denied {} · passed {}",
            count(c.allowed),
            count(c.denied),
            count(c.passed)
        ),
    ];
    if c.staged_denied > 0.0 {
        lines.push(format!(
            "a staged policy would deny {} of the allowed packets",
            count(c.staged_denied)
        ));
    }
    lines.extend(c.policies.iter().cloned());
    if c.more_policies > 0 {
        lines.push(format!("and {} more policies", c.more_policies));
    }
    lines.push("click: list these flows".into());
    lines
}

fn plural(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        n => format!("{} {what}s", count(n as f64)),
    }
}

/// "in use 37 of 64 (58%)".
fn in_use_line(in_use: f64, of: f64, ratio: f64) -> String {
    format!(
        "in use {} of {} ({})",
        count(in_use),
        count(of),
        percent(ratio)
    )
}

/// Where the tooltip goes for the pointer at (`x`, `y`) of the canvas in a panel `width`
/// wide: (left, top) in the panel, below and right of the pointer, kept inside the panel.
pub fn position(x: f64, y: f64, width: f64) -> (f64, f64) {
    (
        (x + 14.0).min(width - TOOLTIP_W - 10.0).max(0.0),
        y + STATUS_H + 14.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::fixtures::{heatmap, topology};
    use crate::layout::{topology::HEADER, Rect};
    use crate::options::Options;

    fn utc(ms: f64) -> (u32, u32, u32) {
        let s = (ms / 1000.0) as u64 % 86_400;
        ((s / 3600) as u32, (s / 60 % 60) as u32, (s % 60) as u32)
    }

    fn layout(model: &Model) -> Drawn {
        Drawn::new(
            model,
            Rect::new(0.0, 0.0, 600.0, 300.0),
            &Options::default(),
        )
    }

    #[test]
    fn a_node_shows_its_exact_numbers() {
        let model = topology();
        let d = layout(&model);
        let (x, y) = d.locate(&model, "node-1").unwrap().center();
        assert_eq!(
            lines(&model, Some(&d), x, y, &utc).unwrap(),
            [
                "node-1 · a",
                "in use 100 of 128 (78%)",
                "blocks 2",
                "borrowed 0",
                "leaked 0"
            ]
        );
        let Drawn::Topology(l) = &d else {
            unreachable!()
        };
        let unowned = l.nodes.iter().find(|n| n.node == 2).unwrap().rect.center();
        let text = lines(&model, Some(&d), unowned.0, unowned.1, &utc).unwrap();
        assert_eq!(text[0], "no affinity (blocks no node owns) · a");
    }

    #[test]
    fn a_pool_header_shows_the_pool() {
        let Model::Topology(mut t) = topology() else {
            unreachable!()
        };
        t.pools[0].reserved = 256.0;
        t.pools[0].days_to_full = Some(12.4);
        let model = Model::Topology(t);
        let d = layout(&model);
        let Drawn::Topology(l) = &d else {
            unreachable!()
        };
        let a = &l.pools[0];
        let header = lines(
            &model,
            Some(&d),
            a.rect.x + 5.0,
            a.rect.y + HEADER / 2.0,
            &utc,
        );
        assert_eq!(
            header.unwrap(),
            [
                "a (IPv4)",
                "in use 256 of 65,280 (0.4%)",
                "free 65,280",
                "blocks 4",
                "borrowed 2 · leaked 1",
                "reserved 256 (IPReservations)",
                "full in about 12 days",
            ]
        );
        // Not growing: no forecast line.
        let b = &l.pools[1];
        let header = lines(&model, Some(&d), b.rect.x + 5.0, b.rect.y + 5.0, &utc).unwrap();
        assert_eq!(header.len(), 5);
    }

    #[test]
    fn a_heatmap_cell_shows_row_time_and_value() {
        let model = heatmap(4, 3, Some("percentunit"));
        let d = layout(&model);
        let row = d.locate(&model, "node-3").unwrap();
        let got = lines(&model, Some(&d), row.x + row.w - 1.0, row.y + 1.0, &utc).unwrap();
        // 1.7e12 ms is 22:13:20 UTC; the last column is two minutes later.
        assert_eq!(got, ["node-3", "22:15:20", "75%"]);
    }

    #[test]
    fn nothing_under_the_pointer_or_nothing_drawn() {
        let model = heatmap(4, 3, None);
        let d = layout(&model);
        assert_eq!(
            lines(&model, Some(&d), 10.0, 299.0, &utc),
            None,
            "the time axis"
        );
        assert_eq!(lines(&model, None, 300.0, 100.0, &utc), None);
        assert_eq!(lines(&topology(), Some(&d), 300.0, 100.0, &utc), None);
    }

    #[test]
    fn position_stays_in_the_panel() {
        assert_eq!(position(100.0, 50.0, 900.0), (114.0, 84.0));
        assert_eq!(
            position(800.0, 0.0, 900.0),
            (900.0 - TOOLTIP_W - 10.0, 34.0)
        );
        assert_eq!(position(100.0, 0.0, 200.0), (0.0, 34.0));
    }
}
