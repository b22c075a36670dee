//! Topology layout: pools as a treemap by allocated capacity, each pool's nodes as a treemap
//! inside it by their blocks' capacity, and a block grid inside a node tile when blocks are
//! big enough to see. At 5000 nodes this is a mosaic (about 10×10 px per node in a typical
//! panel): names are drawn only where they fit, and hover gives the exact numbers.

use super::treemap::squarify;
use super::Rect;
use crate::model::{NodeRow, Topology};

/// Height of a pool's header strip (its name and numbers).
pub const HEADER: f64 = 18.0;
/// Smallest block cell drawn as a grid, in pixels per side.
const MIN_BLOCK_PX: f64 = 5.0;
/// Every pool gets at least this share of the area, so an empty or tiny pool stays visible.
const MIN_POOL_SHARE: f64 = 0.03;

#[derive(Clone, Debug, PartialEq)]
pub struct PoolBox {
    /// Index into `Topology::pools`.
    pub pool: usize,
    pub rect: Rect,
    /// Header strip; `None` when the pool is too small to carry one.
    pub header: Option<Rect>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    /// Index into `Topology::nodes`.
    pub node: usize,
    pub rect: Rect,
    /// Block grid (columns, rows) when blocks are at least `MIN_BLOCK_PX` wide.
    pub grid: Option<(u32, u32)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub pools: Vec<PoolBox>,
    pub nodes: Vec<NodeBox>,
    /// Nodes left out by the [`MAX_NODES`] cap (the smallest by capacity).
    pub dropped: usize,
}

/// Node tiles drawn at most: past this a tile is under a pixel in any panel, and a
/// malformed answer (a million rows) must not stall the page.
pub const MAX_NODES: usize = 20_000;

/// What is under the pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    Pool(usize),
    Node(usize),
}

/// Lay out `topology` in `bounds`; only pools whose index passes `shown` are placed.
pub fn layout(topology: &Topology, bounds: Rect, shown: &dyn Fn(usize) -> bool) -> Layout {
    let keep = largest(topology, MAX_NODES);
    let by_pool = nodes_by_pool(topology, &keep);
    let capacity: Vec<f64> = by_pool
        .iter()
        .enumerate()
        .map(|(p, nodes)| {
            if shown(p) {
                nodes.iter().map(|&n| weight(&topology.nodes[n])).sum()
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = capacity.iter().sum();
    let floor = total.max(1.0) * MIN_POOL_SHARE;
    let weights: Vec<f64> = capacity
        .iter()
        .enumerate()
        .map(|(p, &c)| if shown(p) { c.max(floor) } else { 0.0 })
        .collect();
    let mut out = Layout {
        dropped: keep.iter().filter(|k| !**k).count(),
        ..Layout::default()
    };
    for (p, rect) in squarify(&weights, bounds).into_iter().enumerate() {
        if rect.area() <= 0.0 {
            continue;
        }
        let outer = rect.inset(1.0);
        let (header, inner) = if outer.h > 2.0 * HEADER && outer.w > 40.0 {
            let (h, rest) = outer.split_top(HEADER);
            (Some(h), rest)
        } else {
            (None, outer)
        };
        out.pools.push(PoolBox {
            pool: p,
            rect: outer,
            header,
        });
        let nodes = &by_pool[p];
        let node_weights: Vec<f64> = nodes.iter().map(|&n| weight(&topology.nodes[n])).collect();
        for (&n, tile) in nodes.iter().zip(squarify(&node_weights, inner)) {
            if tile.area() > 0.0 {
                out.nodes.push(NodeBox {
                    node: n,
                    rect: tile,
                    grid: block_grid(tile, topology.nodes[n].blocks),
                });
            }
        }
    }
    out
}

/// A node's weight: its blocks' capacity; without blocks (`unknown_node` allocations) the
/// addresses it holds, or a sliver, so it can be seen and hovered.
fn weight(node: &NodeRow) -> f64 {
    [node.capacity, node.in_use]
        .into_iter()
        .find(|v| v.is_finite() && *v > 0.0)
        .unwrap_or(1.0)
}

/// Node indices per pool index; nodes naming an unknown pool are dropped (they cannot be
/// placed), which the view reports.
/// Which nodes to draw: all of them, or the `max` largest by capacity.
fn largest(topology: &Topology, max: usize) -> Vec<bool> {
    let n = topology.nodes.len();
    if n <= max {
        return vec![true; n];
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.select_nth_unstable_by(max, |&a, &b| {
        weight(&topology.nodes[b]).total_cmp(&weight(&topology.nodes[a]))
    });
    let mut keep = vec![false; n];
    order[..max].iter().for_each(|&i| keep[i] = true);
    keep
}

fn nodes_by_pool(topology: &Topology, keep: &[bool]) -> Vec<Vec<usize>> {
    let mut by_pool = vec![Vec::new(); topology.pools.len()];
    let index: std::collections::HashMap<&str, usize> = topology
        .pools
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    for (n, node) in topology.nodes.iter().enumerate().filter(|(n, _)| keep[*n]) {
        if let Some(&p) = index.get(node.pool.as_str()) {
            by_pool[p].push(n);
        }
    }
    by_pool
}

fn block_grid(tile: Rect, blocks: f64) -> Option<(u32, u32)> {
    if !(blocks.is_finite() && (2.0..=4096.0).contains(&blocks)) {
        return None;
    }
    let cols = (blocks * tile.w / tile.h.max(1.0)).sqrt().ceil().max(1.0);
    let rows = (blocks / cols).ceil();
    (tile.w / cols >= MIN_BLOCK_PX && tile.h / rows >= MIN_BLOCK_PX)
        .then_some((cols as u32, rows as u32))
}

impl Layout {
    /// The node tile or pool header under (x, y); nodes win over their pool.
    pub fn hit(&self, x: f64, y: f64) -> Option<Hit> {
        if let Some(n) = self.nodes.iter().find(|n| n.rect.contains(x, y)) {
            return Some(Hit::Node(n.node));
        }
        self.pools
            .iter()
            .find(|p| p.rect.contains(x, y))
            .map(|p| Hit::Pool(p.pool))
    }

    pub fn node_rect(&self, node: usize) -> Option<Rect> {
        self.nodes.iter().find(|n| n.node == node).map(|n| n.rect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NodeRow, Pool};
    use calicoscope_model::Family;

    fn pool(name: &str) -> Pool {
        Pool {
            name: name.into(),
            family: Family::Ipv4,
            size: 65536.0,
            reserved: 0.0,
            in_use: 10.0,
            free: 65526.0,
            borrowed: 0.0,
            leaked: 0.0,
            blocks: 4.0,
            utilization: 0.0001,
            days_to_full: None,
        }
    }

    fn node(pool: &str, name: &str, blocks: f64) -> NodeRow {
        NodeRow {
            pool: pool.into(),
            node: name.into(),
            blocks,
            capacity: blocks * 64.0,
            in_use: 3.0,
            borrowed: 0.0,
            leaked: 0.0,
            utilization: 3.0 / (blocks * 64.0),
        }
    }

    #[test]
    fn every_node_is_placed_inside_its_pool_and_hit_tests_back() {
        let mut t = Topology {
            pools: vec![pool("a"), pool("b")],
            nodes: vec![],
        };
        for i in 0..5000 {
            t.nodes.push(node(
                if i % 3 == 0 { "b" } else { "a" },
                &format!("n{i}"),
                (i % 4 + 1) as f64,
            ));
        }
        let l = layout(&t, Rect::new(0.0, 0.0, 1000.0, 500.0), &|_| true);
        assert_eq!(l.nodes.len(), 5000);
        for nb in &l.nodes {
            let p = t
                .pools
                .iter()
                .position(|p| p.name == t.nodes[nb.node].pool)
                .unwrap();
            let pb = l.pools.iter().find(|b| b.pool == p).unwrap();
            let (cx, cy) = nb.rect.center();
            assert!(pb.rect.contains(cx, cy));
            assert_eq!(l.hit(cx, cy), Some(Hit::Node(nb.node)));
        }
    }

    #[test]
    fn tiny_pool_stays_visible_and_hidden_pools_are_not_placed() {
        let t = Topology {
            pools: vec![pool("big"), pool("tiny"), pool("hidden")],
            nodes: vec![
                node("big", "n1", 1000.0),
                node("tiny", "n2", 0.0),
                node("hidden", "n3", 5.0),
            ],
        };
        let l = layout(&t, Rect::new(0.0, 0.0, 600.0, 400.0), &|p| p != 2);
        let tiny = l.pools.iter().find(|p| p.pool == 1).unwrap();
        assert!(tiny.rect.area() > 0.02 * 600.0 * 400.0);
        assert!(l.pools.iter().all(|p| p.pool != 2));
        assert!(l.node_rect(2).is_none());
    }

    #[test]
    fn a_million_nodes_are_capped_to_the_largest() {
        let mut t = Topology {
            pools: vec![pool("a")],
            nodes: vec![],
        };
        for i in 0..1_000_000 {
            t.nodes.push(node(
                "a",
                &format!("n{i}"),
                if i % 100 == 0 { 8.0 } else { 1.0 },
            ));
        }
        let l = layout(&t, Rect::new(0.0, 0.0, 1000.0, 500.0), &|_| true);
        assert_eq!(
            (l.nodes.len(), l.dropped),
            (MAX_NODES, 1_000_000 - MAX_NODES)
        );
        let big = l
            .nodes
            .iter()
            .filter(|n| t.nodes[n.node].blocks == 8.0)
            .count();
        assert_eq!(big, 10_000, "every large node is kept");
    }

    #[test]
    fn block_grid_only_when_blocks_are_visible() {
        assert_eq!(
            block_grid(Rect::new(0.0, 0.0, 40.0, 40.0), 4.0),
            Some((2, 2))
        );
        assert_eq!(block_grid(Rect::new(0.0, 0.0, 8.0, 8.0), 16.0), None);
        assert_eq!(block_grid(Rect::new(0.0, 0.0, 40.0, 40.0), 1.0), None);
    }
}
