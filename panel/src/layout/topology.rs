//! Topology layout: pools as a treemap by allocated capacity, each pool's nodes as a treemap
//! inside it by their blocks' capacity, and a block grid inside a node tile when blocks are
//! big enough to see. In a store of several clusters the clusters are the outer level
//! (cluster → pool → node): every cluster names its pools `default-ipv4-ippool`, so a pool is
//! only ever drawn inside its own cluster. At 5000 nodes this is a mosaic (about 10×10 px per
//! node in a typical panel): names are drawn only where they fit, and hover gives the exact
//! numbers.

use super::treemap::squarify;
use super::Rect;
use crate::model::{NodeRow, Topology};

/// Height of a pool's or cluster's header strip (its name and numbers).
pub const HEADER: f64 = 18.0;
/// Smallest block cell drawn as a grid, in pixels per side.
const MIN_BLOCK_PX: f64 = 5.0;
/// Every pool gets at least this share of its cluster's area, so an empty or tiny pool stays
/// visible; a cluster gets at least this share of the panel, or its fair part of it when there
/// are many.
const MIN_POOL_SHARE: f64 = 0.03;

#[derive(Clone, Debug, PartialEq)]
pub struct ClusterBox {
    /// The cluster's name (empty for pools that carry no cluster label in a fleet).
    pub name: String,
    pub rect: Rect,
    /// Header strip; `None` when the cluster is too small to carry one.
    pub header: Option<Rect>,
}

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
    /// The outer level in a store of several clusters; empty for one cluster.
    pub clusters: Vec<ClusterBox>,
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
    /// Index into `Layout::clusters`.
    Cluster(usize),
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
        .map(|(p, nodes)| match shown(p) {
            true => nodes.iter().map(|&n| weight(&topology.nodes[n])).sum(),
            false => 0.0,
        })
        .collect();
    let mut out = Layout {
        dropped: keep.iter().filter(|k| !**k).count(),
        ..Layout::default()
    };
    let all: Vec<usize> = (0..topology.pools.len()).filter(|&p| shown(p)).collect();
    if !topology.is_fleet() {
        place_pools(topology, &by_pool, &capacity, &all, bounds, &mut out);
        return out;
    }
    let mut names: Vec<&str> = all
        .iter()
        .map(|&p| topology.pools[p].cluster.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let members: Vec<Vec<usize>> = names
        .iter()
        .map(|c| {
            let own = all.iter().copied();
            own.filter(|&p| topology.pools[p].cluster == *c).collect()
        })
        .collect();
    let sums: Vec<f64> = members
        .iter()
        .map(|m| m.iter().map(|&p| capacity[p]).sum())
        .collect();
    let weights = floored(&sums, MIN_POOL_SHARE.min(0.5 / names.len() as f64));
    for ((name, own), rect) in names.iter().zip(&members).zip(squarify(&weights, bounds)) {
        if rect.area() <= 0.0 {
            continue;
        }
        let (outer, header, inner) = framed(rect);
        out.clusters.push(ClusterBox {
            name: name.to_string(),
            rect: outer,
            header,
        });
        place_pools(topology, &by_pool, &capacity, own, inner, &mut out);
    }
    out
}

/// `weights` with each raised to `share` of their total, so small ones stay visible.
fn floored(weights: &[f64], share: f64) -> Vec<f64> {
    let floor = weights.iter().sum::<f64>().max(1.0) * share;
    weights.iter().map(|w| w.max(floor)).collect()
}

/// A box inset by a pixel, its header strip when it is big enough for one, and the rest.
fn framed(rect: Rect) -> (Rect, Option<Rect>, Rect) {
    let outer = rect.inset(1.0);
    if outer.h > 2.0 * HEADER && outer.w > 40.0 {
        let (h, rest) = outer.split_top(HEADER);
        (outer, Some(h), rest)
    } else {
        (outer, None, outer)
    }
}

/// The pools `pools` (indices) as a treemap in `bounds`, each with its nodes inside.
fn place_pools(
    topology: &Topology,
    by_pool: &[Vec<usize>],
    capacity: &[f64],
    pools: &[usize],
    bounds: Rect,
    out: &mut Layout,
) {
    let own: Vec<f64> = pools.iter().map(|&p| capacity[p]).collect();
    let weights = floored(&own, MIN_POOL_SHARE);
    for (&p, rect) in pools.iter().zip(squarify(&weights, bounds)) {
        if rect.area() <= 0.0 {
            continue;
        }
        let (outer, header, inner) = framed(rect);
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
    // By cluster and name: every cluster has a `default-ipv4-ippool`.
    let index: std::collections::HashMap<(&str, &str), usize> = topology
        .pools
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.cluster.as_str(), p.name.as_str()), i))
        .collect();
    for (n, node) in topology.nodes.iter().enumerate().filter(|(n, _)| keep[*n]) {
        if let Some(&p) = index.get(&(node.cluster.as_str(), node.pool.as_str())) {
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
    /// The node tile, pool or cluster under (x, y); nodes win over their pool, pools over
    /// their cluster.
    pub fn hit(&self, x: f64, y: f64) -> Option<Hit> {
        if let Some(n) = self.nodes.iter().find(|n| n.rect.contains(x, y)) {
            return Some(Hit::Node(n.node));
        }
        if let Some(p) = self.pools.iter().find(|p| p.rect.contains(x, y)) {
            return Some(Hit::Pool(p.pool));
        }
        self.clusters
            .iter()
            .position(|c| c.rect.contains(x, y))
            .map(Hit::Cluster)
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
            cluster: String::new(),
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
            cluster: String::new(),
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
    fn a_fleet_draws_each_pool_inside_its_own_cluster() {
        let crate::model::Model::Topology(t) = crate::layout::fixtures::fleet() else {
            unreachable!()
        };
        let l = layout(&t, Rect::new(0.0, 0.0, 800.0, 400.0), &|_| true);
        let names: Vec<&str> = l.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["east", "west"]);
        assert_eq!((l.pools.len(), l.nodes.len()), (3, 5));
        for nb in &l.nodes {
            let node = &t.nodes[nb.node];
            let (cx, cy) = nb.rect.center();
            let pool = l
                .pools
                .iter()
                .find(|b| node.is_of(&t.pools[b.pool]))
                .unwrap();
            assert!(pool.rect.contains(cx, cy), "{node:?} inside its pool");
            let cluster = l.clusters.iter().find(|c| c.name == node.cluster).unwrap();
            assert!(cluster.rect.contains(cx, cy), "{node:?} inside its cluster");
            assert_eq!(l.hit(cx, cy), Some(Hit::Node(nb.node)));
        }
        let west = l.clusters.iter().position(|c| c.name == "west").unwrap();
        let h = l.clusters[west].header.expect("room for a header");
        assert_eq!(l.hit(h.x + 2.0, h.y + 2.0), Some(Hit::Cluster(west)));
    }

    #[test]
    fn one_cluster_has_no_outer_level() {
        let crate::model::Model::Topology(mut t) = crate::layout::fixtures::fleet() else {
            unreachable!()
        };
        t.pools.retain(|p| p.cluster == "east");
        t.nodes.retain(|n| n.cluster == "east");
        let l = layout(&t, Rect::new(0.0, 0.0, 800.0, 400.0), &|_| true);
        assert!(l.clusters.is_empty());
        assert_eq!((l.pools.len(), l.nodes.len()), (2, 3));
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
