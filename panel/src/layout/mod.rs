//! Model → layout: where each pool, node, block and heatmap cell goes, in CSS pixels.
//! Pure geometry, so it is tested natively and hit-testing happens in memory. [`Drawn`] is
//! the layout of whichever view the model is, computed once per change and read by the
//! drawing, the status line (what the caps dropped), hover and click.

pub mod heatmap;
pub mod matrix;
pub mod topology;
pub mod treemap;

use crate::model::Model;
use crate::options::Options;

/// The layout the panel draws for a model.
#[derive(Clone, Debug, PartialEq)]
pub enum Drawn {
    Topology(topology::Layout),
    Heatmap(heatmap::Layout),
    Flows(matrix::Layout),
}

impl Drawn {
    /// Lay `model` out in `bounds` as the options say (the pools shown, row order, cell cap).
    pub fn new(model: &Model, bounds: Rect, options: &Options) -> Drawn {
        match model {
            Model::Topology(t) => Drawn::Topology(topology::layout(t, bounds, &|p| {
                options.shows_pool(&t.pools[p].name)
            })),
            Model::Heatmap(h) => {
                Drawn::Heatmap(heatmap::layout(h, bounds, options.sort, options.max_cells))
            }
            Model::Flows(f) => Drawn::Flows(matrix::layout(f, bounds)),
        }
    }

    /// Nodes (topology) or rows (heatmap) the caps left out (the flow view's are the
    /// model's: `Flows::dropped`).
    pub fn dropped(&self) -> usize {
        match self {
            Drawn::Topology(l) => l.dropped,
            Drawn::Heatmap(l) => l.dropped,
            Drawn::Flows(_) => 0,
        }
    }

    /// Where `name` (a node — `cluster/node` in a fleet —, a cluster's header, a heatmap
    /// row, or `source>dest` of the flow view) is drawn; `None` when it is not.
    pub fn locate(&self, model: &Model, name: &str) -> Option<Rect> {
        match (model, self) {
            (Model::Topology(t), Drawn::Topology(l)) => {
                let node = t.nodes.iter().position(|n| {
                    n.node == name
                        || calicoscope_model::topology::qualified(&n.cluster, &n.node) == name
                });
                match node {
                    Some(n) => l.node_rect(n),
                    None => l.clusters.iter().find(|c| c.name == name)?.header,
                }
            }
            (Model::Heatmap(h), Drawn::Heatmap(l)) => {
                let i = l.order.iter().position(|&r| h.rows[r].name == name)?;
                let row_h = l.plot.h / l.order.len() as f64;
                Some(Rect::new(
                    l.plot.x,
                    l.plot.y + row_h * i as f64,
                    l.plot.w,
                    row_h,
                ))
            }
            (Model::Flows(f), Drawn::Flows(l)) => {
                let (src, dst) = name.split_once('>')?;
                let at = |n: &str| f.names.iter().position(|x| x == n);
                Some(l.cell_rect(at(src)?, at(dst)?))
            }
            _ => None,
        }
    }
}

/// An axis-aligned rectangle in CSS pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect {
            x,
            y,
            w: w.max(0.0),
            h: h.max(0.0),
        }
    }

    pub fn area(&self) -> f64 {
        self.w * self.h
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x < self.x + self.w && y >= self.y && y < self.y + self.h
    }

    /// Shrunk by `d` on every side (never negative).
    pub fn inset(&self, d: f64) -> Rect {
        Rect::new(self.x + d, self.y + d, self.w - 2.0 * d, self.h - 2.0 * d)
    }

    /// The top `h` pixels and the rest.
    pub fn split_top(&self, h: f64) -> (Rect, Rect) {
        let h = h.min(self.h);
        (
            Rect::new(self.x, self.y, self.w, h),
            Rect::new(self.x, self.y + h, self.w, self.h - h),
        )
    }

    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// Pixel `i` of `pixels` covers data items `start..end` of `items` (at least one item).
/// Used both ways: many items per pixel (downsampling) and many pixels per item.
pub fn band(i: usize, pixels: usize, items: usize) -> (usize, usize) {
    if items == 0 || pixels == 0 {
        return (0, 0);
    }
    let start = i * items / pixels;
    let end = ((i + 1) * items / pixels).max(start + 1).min(items);
    (start.min(items - 1), end)
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Small models for the tests of the modules that read layouts.
    use crate::model::{Heatmap, Model, NodeRow, Pool, Row, Topology};
    use calicoscope_model::Family;

    pub fn pool(name: &str) -> Pool {
        Pool {
            cluster: String::new(),
            name: name.into(),
            family: Family::Ipv4,
            size: 65536.0,
            reserved: 0.0,
            in_use: 256.0,
            free: 65280.0,
            borrowed: 2.0,
            leaked: 1.0,
            blocks: 4.0,
            utilization: 256.0 / 65536.0,
            days_to_full: None,
        }
    }

    pub fn node(pool: &str, node: &str, in_use: f64) -> NodeRow {
        NodeRow {
            cluster: String::new(),
            pool: pool.into(),
            node: node.into(),
            blocks: 2.0,
            capacity: 128.0,
            in_use,
            borrowed: 0.0,
            leaked: 0.0,
            utilization: in_use / 128.0,
        }
    }

    /// Two pools, `a` with two nodes and a `no_affinity` block, `b` with one node.
    pub fn topology() -> Model {
        Model::Topology(Topology {
            pools: vec![pool("a"), pool("b")],
            nodes: vec![
                node("a", "node-1", 100.0),
                node("a", "node-2", 20.0),
                node("a", "no_affinity", 5.0),
                node("b", "node-3", 64.0),
            ],
        })
    }

    /// Two clusters built from one template: both have pool `a` with `node-1` and `node-2`
    /// (west's nodes hold more), and `east` a second pool `b`.
    pub fn fleet() -> Model {
        let of = |cluster: &str, mut p: Pool| {
            p.cluster = cluster.into();
            p
        };
        let on = |cluster: &str, mut n: NodeRow| {
            n.cluster = cluster.into();
            n
        };
        Model::Topology(Topology {
            pools: vec![
                of("east", pool("a")),
                of("east", pool("b")),
                of("west", pool("a")),
            ],
            nodes: vec![
                on("east", node("a", "node-1", 10.0)),
                on("east", node("a", "node-2", 20.0)),
                on("east", node("b", "node-3", 30.0)),
                on("west", node("a", "node-1", 110.0)),
                on("west", node("a", "node-2", 120.0)),
            ],
        })
    }

    /// `rows` rows named `node-<i>` of `cols` values `i / rows`, in `unit`.
    pub fn heatmap(rows: usize, cols: usize, unit: Option<&str>) -> Model {
        Model::Heatmap(Heatmap {
            times: (0..cols).map(|c| 1.7e12 + c as f64 * 60_000.0).collect(),
            rows: (0..rows)
                .map(|i| {
                    Row::new(
                        format!("node-{i}"),
                        None,
                        vec![i as f64 / rows as f64; cols],
                    )
                })
                .collect(),
            unit: unit.map(str::to_string),
        })
    }
}

#[cfg(test)]
mod drawn_tests {
    use super::*;
    use crate::model::Model;

    #[test]
    fn drawn_follows_the_model_and_the_options() {
        let bounds = Rect::new(0.0, 0.0, 600.0, 300.0);
        let model = fixtures::topology();
        let all = Drawn::new(&model, bounds, &Options::default());
        let Drawn::Topology(l) = &all else {
            panic!("a topology model lays out as a topology")
        };
        assert_eq!((l.pools.len(), l.nodes.len(), all.dropped()), (2, 4, 0));
        let only_b = Options {
            pools: vec!["b".into()],
            ..Options::default()
        };
        let Drawn::Topology(l) = Drawn::new(&model, bounds, &only_b) else {
            unreachable!()
        };
        assert_eq!(l.pools.iter().map(|p| p.pool).collect::<Vec<_>>(), [1]);

        let heat = fixtures::heatmap(10, 4, None);
        let capped = Options {
            max_cells: 12,
            ..Options::default()
        };
        let d = Drawn::new(&heat, bounds, &capped);
        assert_eq!(d.dropped(), 7, "12 cells of 4 columns keep 3 of 10 rows");
    }

    #[test]
    fn locate_finds_nodes_and_rows_where_they_are_drawn() {
        let bounds = Rect::new(0.0, 0.0, 600.0, 300.0);
        let model = fixtures::topology();
        let d = Drawn::new(&model, bounds, &Options::default());
        let r = d.locate(&model, "node-1").expect("node-1 is drawn");
        let Drawn::Topology(l) = &d else {
            unreachable!()
        };
        assert_eq!(
            l.hit(r.center().0, r.center().1),
            Some(topology::Hit::Node(0))
        );
        assert_eq!(d.locate(&model, "node-9"), None);

        let heat = fixtures::heatmap(4, 3, None);
        let sorted = Options {
            sort: heatmap::Sort::Name,
            ..Options::default()
        };
        let d = Drawn::new(&heat, bounds, &sorted);
        let Drawn::Heatmap(l) = &d else {
            unreachable!()
        };
        let row = d.locate(&heat, "node-2").expect("a row");
        assert_eq!((row.x, row.w), (l.plot.x, l.plot.w));
        assert_eq!(row.h, l.plot.h / 4.0);
        assert_eq!(row.y, l.plot.y + 2.0 * row.h);
        assert_eq!(
            d.locate(&model, "node-2"),
            None,
            "a layout of another model"
        );
        let Model::Heatmap(h) = &heat else {
            unreachable!()
        };
        assert_eq!(l.hit(h, row.x + 1.0, row.y + 1.0).map(|(r, _)| r), Some(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_every_item_once_when_downsampling() {
        for (pixels, items) in [(400, 5000), (7, 720), (3, 3)] {
            let mut next = 0;
            for i in 0..pixels {
                let (s, e) = band(i, pixels, items);
                assert_eq!(s, next, "pixels {pixels} items {items} at {i}");
                next = e;
            }
            assert_eq!(next, items);
        }
    }

    #[test]
    fn bands_repeat_items_when_upsampling() {
        let bands: Vec<_> = (0..6).map(|i| band(i, 6, 3)).collect();
        assert_eq!(bands, [(0, 1), (0, 1), (1, 2), (1, 2), (2, 3), (2, 3)]);
    }
}
