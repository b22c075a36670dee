//! IPAM state as calico-kube-controllers reports it: per node x pool allocations
//! and per affinity x pool block counts.
//!
//! Rules (t = simulated seconds, all randomness is `prng` hashed from the seed):
//! - The *primary* pool is the first IPv4 pool (else the first pool). Its usable
//!   capacity is (blocks - unaffine blocks) x block capacity.
//! - Fill fraction: 0.30; with `growth`, `min(0.95, 0.30 + 0.30 * t / 86400)`.
//! - Pods on node n: `max(3, floor(fill * capacity / nodes * w_n)) + churn`, where
//!   `w_n` in [0.6, 1.4) is fixed per node and `churn` in 0..=4 changes every 300 s.
//!   Every pool gets that per-node demand (dual stack: one address per family), scaled
//!   down proportionally if a pool's total would exceed 97 % of its usable capacity.
//! - `borrowing`: nodes picked with stride 20, offset 1 want 1..=8 addresses (fixed per
//!   node) of the primary pool from other nodes' blocks.
//! - Own blocks per node = ceil((demand - borrowed wish) / block capacity). When the
//!   pool runs out of blocks, blocks are taken back one at a time from the highest
//!   node index down (nodes with 2+ blocks first); addresses that no longer fit become
//!   borrowed too (so growth near exhaustion produces borrowing on its own).
//! - Borrowed addresses must fit in free space of other nodes' blocks and unaffine
//!   blocks; in node order, each node borrows at most the free space left minus its
//!   own free space. in_use = own + borrowed.
//! - `leak`: nodes picked with stride 25, offset 3 have gc_candidates = min(in_use,
//!   1..=4) on the primary pool, constant over time; nodes picked with stride 25,
//!   offset 4 have gc_reclamations = floor((t + phase_n) / 900), phase_n in [0, 900).
//! - `unaffine_blocks`: the primary pool has 2 + nodes / 500 blocks (at most 1/8 of
//!   its blocks) with node = "no_affinity" holding no allocations.
//! - `reservations`: an IPReservation covers 4 blocks of the primary pool (a /24 of
//!   /26 blocks; at most 1/16 of its blocks). Those addresses are never assigned:
//!   the blocks go to no node and hold no allocations. Calico reports them as
//!   `ipam_ippool_reserved` from 3.33 on; older releases do not say.
//! - `unknown_node`: 2 addresses of the primary pool are allocated without a node
//!   attribute (`node="unknown_node"`), in free space of the nodes' blocks.
//! - `orphan_blocks`: nodes picked with stride 40, offset 2 have one block with
//!   ippool = "no_ippool"; no allocations live in them, so there are no allocation
//!   rows for "no_ippool".

use crate::cluster::{node_name, picked, Allocation, BlockCount, PoolState};
use crate::config::{Config, PoolSpec};
use crate::prng::{between, hash, unit};

const TAG_WEIGHT: u64 = 0x11;
const TAG_CHURN: u64 = 0x12;
const TAG_BORROW: u64 = 0x13;
const TAG_LEAK: u64 = 0x14;
const TAG_RECLAIM: u64 = 0x15;

const MAX_PODS_PER_NODE: u64 = 1_000_000;

/// Calico's node label for allocations that carry no node attribute.
pub use calicoscope_model::topology::UNKNOWN_NODE;

pub struct Ipam {
    pub pools: Vec<PoolState>,
    pub allocations: Vec<Allocation>,
    pub blocks: Vec<BlockCount>,
}

/// Per-node figures of one pool before they become rows.
struct PoolFill {
    own_blocks: Vec<u64>,
    in_use: Vec<u64>,
    borrowed: Vec<u64>,
    /// Addresses allocated with no node attribute.
    unknown_node: u64,
}

pub fn primary_pool(cfg: &Config) -> usize {
    cfg.pools.iter().position(|p| !p.is_ipv6()).unwrap_or(0)
}

pub fn fill_fraction(cfg: &Config, t: f64) -> f64 {
    if cfg.scenarios.growth {
        (0.30 + 0.30 * t / 86_400.0).min(0.95)
    } else {
        0.30
    }
}

fn unaffine_blocks(cfg: &Config, pool: usize) -> u128 {
    if !cfg.scenarios.unaffine_blocks || pool != primary_pool(cfg) {
        return 0;
    }
    (2 + cfg.nodes as u128 / 500).min(cfg.pools[pool].block_count() / 8)
}

fn reserved_blocks(cfg: &Config, pool: usize) -> u128 {
    if !cfg.scenarios.reservations || pool != primary_pool(cfg) {
        return 0;
    }
    4.min(cfg.pools[pool].block_count() / 16)
}

/// Blocks that nodes can claim: neither unaffine nor reserved.
fn claimable_blocks(cfg: &Config, pool: usize) -> u128 {
    cfg.pools[pool].block_count() - unaffine_blocks(cfg, pool) - reserved_blocks(cfg, pool)
}

fn usable_capacity(cfg: &Config, pool: usize) -> u128 {
    claimable_blocks(cfg, pool).saturating_mul(cfg.pools[pool].block_capacity() as u128)
}

/// Addresses allocated without a node attribute.
fn unknown_node_addresses(cfg: &Config, pool: usize) -> u64 {
    if cfg.scenarios.unknown_node && pool == primary_pool(cfg) {
        2
    } else {
        0
    }
}

/// Addresses each node wants, from the primary pool's fill fraction.
fn demand(cfg: &Config, t: f64) -> Vec<u64> {
    let capacity = usable_capacity(cfg, primary_pool(cfg)) as f64;
    let per_node = fill_fraction(cfg, t) * capacity / cfg.nodes as f64;
    let churn_epoch = (t / 300.0) as u64;
    (0..cfg.nodes)
        .map(|n| {
            let w = between(cfg.seed, &[TAG_WEIGHT, n as u64], 0.6, 1.4);
            let churn = (5.0 * unit(cfg.seed, &[TAG_CHURN, n as u64, churn_epoch])) as u64;
            let base = ((per_node * w).floor() as u64).max(3);
            (base + churn).min(MAX_PODS_PER_NODE)
        })
        .collect()
}

/// Scales demand down so the pool stays at or below 97 % of its usable capacity.
fn fit_demand(demand: &[u64], capacity: u128) -> Vec<u64> {
    let limit = capacity * 97 / 100;
    let total: u128 = demand.iter().map(|&d| d as u128).sum();
    if total <= limit {
        return demand.to_vec();
    }
    demand
        .iter()
        .map(|&d| (d as u128 * limit / total) as u64)
        .collect()
}

fn borrow_wishes(cfg: &Config, pool: usize, demand: &[u64]) -> Vec<u64> {
    let on = cfg.scenarios.borrowing && pool == primary_pool(cfg);
    (0..cfg.nodes)
        .map(|n| {
            if on && picked(n, cfg.nodes, 20, 1) {
                (1 + hash(cfg.seed, &[TAG_BORROW, n as u64]) % 8).min(demand[n])
            } else {
                0
            }
        })
        .collect()
}

/// Gives blocks back, highest node index first, until at most `available` remain.
fn trim_blocks(blocks: &mut [u64], available: u128) {
    let mut excess = blocks
        .iter()
        .map(|&b| b as u128)
        .sum::<u128>()
        .saturating_sub(available);
    while excess > 0 {
        let floor = if blocks.iter().any(|&b| b > 1) { 1 } else { 0 };
        for b in blocks.iter_mut().rev() {
            if excess == 0 {
                break;
            }
            if *b > floor {
                *b -= 1;
                excess -= 1;
            }
        }
    }
}

fn fill_pool(cfg: &Config, pool: usize, demand: &[u64]) -> PoolFill {
    let spec = &cfg.pools[pool];
    let cap = spec.block_capacity();
    let demand = fit_demand(demand, usable_capacity(cfg, pool));
    let mut wish = borrow_wishes(cfg, pool, &demand);
    let mut own_blocks: Vec<u64> = (0..cfg.nodes)
        .map(|n| (demand[n] - wish[n]).div_ceil(cap))
        .collect();
    let unaffine = unaffine_blocks(cfg, pool);
    trim_blocks(&mut own_blocks, claimable_blocks(cfg, pool));
    let own: Vec<u64> = (0..cfg.nodes)
        .map(|n| (demand[n] - wish[n]).min(own_blocks[n] * cap))
        .collect();
    for n in 0..cfg.nodes {
        wish[n] = demand[n] - own[n];
    }
    let own_free: Vec<u128> = (0..cfg.nodes)
        .map(|n| (own_blocks[n] * cap - own[n]) as u128)
        .collect();
    let mut free_left: u128 = own_free.iter().sum::<u128>() + unaffine * cap as u128;
    let mut borrowed = vec![0; cfg.nodes];
    for n in 0..cfg.nodes {
        let others_free = free_left.saturating_sub(own_free[n]);
        borrowed[n] = (wish[n] as u128).min(others_free) as u64;
        free_left -= borrowed[n] as u128;
    }
    let in_use = (0..cfg.nodes).map(|n| own[n] + borrowed[n]).collect();
    PoolFill {
        own_blocks,
        in_use,
        borrowed,
        unknown_node: (unknown_node_addresses(cfg, pool) as u128).min(free_left) as u64,
    }
}

fn pool_state(cfg: &Config, pool: usize) -> PoolState {
    let spec: &PoolSpec = &cfg.pools[pool];
    PoolState {
        name: spec.name.clone(),
        family: spec.family().to_string(),
        cidr: spec.cidr.clone(),
        block_size: spec.block_size,
        size: spec.size(),
        reserved: (reserved_blocks(cfg, pool) * spec.block_capacity() as u128) as u64,
    }
}

fn gc_candidates(cfg: &Config, pool: usize, node: usize, in_use: u64) -> u64 {
    let on = cfg.scenarios.leak && pool == primary_pool(cfg) && cfg.nodes > 1;
    if on && picked(node, cfg.nodes, 25, 3) {
        (1 + hash(cfg.seed, &[TAG_LEAK, node as u64]) % 4).min(in_use)
    } else {
        0
    }
}

fn reclamations(cfg: &Config, pool: usize, node: usize, t: f64) -> u64 {
    let on = cfg.scenarios.leak && pool == primary_pool(cfg) && cfg.nodes > 1;
    if on && picked(node, cfg.nodes, 25, 4) {
        let phase = 900.0 * unit(cfg.seed, &[TAG_RECLAIM, node as u64]);
        ((t + phase) / 900.0).floor() as u64
    } else {
        0
    }
}

pub fn build(cfg: &Config, t: f64) -> Ipam {
    let want = demand(cfg, t);
    let names: Vec<String> = (0..cfg.nodes).map(node_name).collect();
    let mut allocations = Vec::with_capacity(cfg.nodes * cfg.pools.len());
    let mut blocks = Vec::new();
    let mut unknown = Vec::new();
    for (p, spec) in cfg.pools.iter().enumerate() {
        let fill = fill_pool(cfg, p, &want);
        for (n, name) in names.iter().enumerate() {
            allocations.push(Allocation {
                pool: spec.name.clone(),
                node: name.clone(),
                in_use: fill.in_use[n],
                borrowed: fill.borrowed[n],
                gc_candidates: gc_candidates(cfg, p, n, fill.in_use[n]),
                reclamations: reclamations(cfg, p, n, t),
            });
            if fill.own_blocks[n] > 0 {
                blocks.push(block_row(&spec.name, name, fill.own_blocks[n]));
            }
        }
        if fill.unknown_node > 0 {
            unknown.push(Allocation {
                pool: spec.name.clone(),
                node: UNKNOWN_NODE.to_string(),
                in_use: fill.unknown_node,
                borrowed: 0,
                gc_candidates: 0,
                reclamations: 0,
            });
        }
        let unaffine = unaffine_blocks(cfg, p) as u64;
        if unaffine > 0 {
            blocks.push(block_row(&spec.name, "no_affinity", unaffine));
        }
    }
    // After every node × pool row, so those stay at index pool × nodes + node.
    allocations.extend(unknown);
    if cfg.scenarios.orphan_blocks {
        let orphans = (0..cfg.nodes).filter(|&n| picked(n, cfg.nodes, 40, 2));
        blocks.extend(orphans.map(|n| block_row("no_ippool", &names[n], 1)));
    }
    let pools = (0..cfg.pools.len()).map(|p| pool_state(cfg, p)).collect();
    Ipam {
        pools,
        allocations,
        blocks,
    }
}

fn block_row(pool: &str, node: &str, blocks: u64) -> BlockCount {
    BlockCount {
        pool: pool.to_string(),
        node: node.to_string(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Scenarios;
    use std::collections::HashMap;

    fn configs() -> Vec<Config> {
        let mut out = Vec::new();
        for nodes in [1, 2, 7, 30, 200, 1000] {
            for scen in [Scenarios::all(), Scenarios::none()] {
                let mut c = Config::demo(nodes);
                c.scenarios = scen;
                out.push(c);
            }
        }
        let mut tiny = Config::demo(50);
        tiny.pools[0] = PoolSpec::new("tiny", "192.168.0.0/24", 28);
        out.push(tiny);
        out
    }

    fn times() -> [f64; 6] {
        [0.0, 600.0, 86_400.0, 150_000.0, 200_000.0, 1e7]
    }

    #[test]
    fn in_use_never_exceeds_pool_size() {
        for cfg in configs() {
            for t in times() {
                let ipam = build(&cfg, t);
                for pool in &ipam.pools {
                    let used: u64 = ipam
                        .allocations
                        .iter()
                        .filter(|a| a.pool == pool.name)
                        .map(|a| a.in_use)
                        .sum();
                    assert!(
                        (used as f64) <= pool.size,
                        "{} {} > {}",
                        pool.name,
                        used,
                        pool.size
                    );
                }
            }
        }
    }

    #[test]
    fn borrowed_and_leaked_within_in_use() {
        for cfg in configs() {
            for t in times() {
                for a in build(&cfg, t).allocations {
                    assert!(a.borrowed <= a.in_use, "{a:?}");
                    assert!(a.gc_candidates <= a.in_use, "{a:?}");
                }
            }
        }
    }

    #[test]
    fn every_node_and_pool_has_a_row() {
        for cfg in configs() {
            let ipam = build(&cfg, 100.0);
            let unknown = usize::from(cfg.scenarios.unknown_node);
            assert_eq!(
                ipam.allocations.len(),
                cfg.nodes * cfg.pools.len() + unknown
            );
            for a in &ipam.allocations[cfg.nodes * cfg.pools.len()..] {
                assert_eq!((a.node.as_str(), a.borrowed), (UNKNOWN_NODE, 0));
            }
            for (p, spec) in cfg.pools.iter().enumerate() {
                for n in 0..cfg.nodes {
                    let a = &ipam.allocations[p * cfg.nodes + n];
                    assert_eq!(
                        (a.pool.as_str(), a.node.clone()),
                        (spec.name.as_str(), node_name(n))
                    );
                }
            }
        }
    }

    #[test]
    fn own_addresses_fit_in_own_blocks() {
        for cfg in configs() {
            for t in times() {
                let ipam = build(&cfg, t);
                let blocks: HashMap<(&str, &str), u64> = ipam
                    .blocks
                    .iter()
                    .map(|b| ((b.pool.as_str(), b.node.as_str()), b.blocks))
                    .collect();
                for (p, spec) in cfg.pools.iter().enumerate() {
                    let cap = spec.block_capacity();
                    let total_blocks: u64 = ipam
                        .blocks
                        .iter()
                        .filter(|b| b.pool == spec.name)
                        .map(|b| b.blocks)
                        .sum();
                    let reserved = ipam.pools[p].reserved as u128 / cap as u128;
                    assert!(total_blocks as u128 + reserved <= spec.block_count());
                    let in_use: u64 = ipam
                        .allocations
                        .iter()
                        .filter(|a| a.pool == spec.name)
                        .map(|a| a.in_use)
                        .sum();
                    assert!(in_use as f64 + ipam.pools[p].reserved as f64 <= spec.size());
                    for a in &ipam.allocations[p * cfg.nodes..(p + 1) * cfg.nodes] {
                        let b = blocks
                            .get(&(a.pool.as_str(), a.node.as_str()))
                            .copied()
                            .unwrap_or(0);
                        assert!(b * cap >= a.in_use - a.borrowed, "{a:?} blocks {b}");
                    }
                }
            }
        }
    }

    #[test]
    fn borrowed_fits_in_free_space() {
        for cfg in configs() {
            for t in times() {
                let ipam = build(&cfg, t);
                for spec in &cfg.pools {
                    let rows: Vec<_> = ipam
                        .allocations
                        .iter()
                        .filter(|a| a.pool == spec.name)
                        .collect();
                    let block_addrs: u64 = ipam
                        .blocks
                        .iter()
                        .filter(|b| b.pool == spec.name)
                        .map(|b| b.blocks)
                        .sum::<u64>()
                        * spec.block_capacity();
                    let in_use: u64 = rows.iter().map(|a| a.in_use).sum();
                    assert!(
                        in_use <= block_addrs,
                        "{} {in_use} > {block_addrs}",
                        spec.name
                    );
                }
            }
        }
    }

    #[test]
    fn growth_nears_exhaustion() {
        let cfg = Config::demo(200);
        let used = |t| {
            build(&cfg, t)
                .allocations
                .iter()
                .filter(|a| a.pool == "default-ipv4-ippool")
                .map(|a| a.in_use)
                .sum::<u64>()
        };
        let (early, late) = (used(0.0), used(300_000.0));
        assert!(early < 65536 * 40 / 100, "{early}");
        assert!(late > 65536 * 90 / 100, "{late}");
        assert!(used(50_000.0) > early && used(100_000.0) > used(50_000.0));
    }

    #[test]
    fn scenarios_show_up() {
        let ipam = build(&Config::demo(200), 7200.0);
        let v4 = |a: &&Allocation| a.pool == "default-ipv4-ippool";
        assert!(
            ipam.allocations
                .iter()
                .filter(v4)
                .filter(|a| a.borrowed > 0)
                .count()
                >= 3
        );
        assert!(
            ipam.allocations
                .iter()
                .filter(|a| a.gc_candidates > 0)
                .count()
                >= 3
        );
        assert!(
            ipam.allocations
                .iter()
                .filter(|a| a.reclamations > 0)
                .count()
                >= 3
        );
        assert!(ipam.blocks.iter().any(|b| b.node == "no_affinity"));
        assert!(ipam.blocks.iter().any(|b| b.pool == "no_ippool"));
        assert!(!ipam.allocations.iter().any(|a| a.pool == "no_ippool"));

        let mut quiet = Config::demo(200);
        quiet.scenarios = Scenarios::none();
        let ipam = build(&quiet, 7200.0);
        assert!(ipam
            .allocations
            .iter()
            .all(|a| a.borrowed == 0 && a.gc_candidates == 0 && a.reclamations == 0));
        assert!(ipam
            .blocks
            .iter()
            .all(|b| b.node != "no_affinity" && b.pool != "no_ippool"));
    }

    #[test]
    fn reclamations_only_grow() {
        let cfg = Config::demo(100);
        let mut last = vec![0; cfg.nodes * 2];
        for step in 0..200 {
            let now: Vec<u64> = build(&cfg, step as f64 * 97.0)
                .allocations
                .iter()
                .map(|a| a.reclamations)
                .collect();
            assert!(now.iter().zip(&last).all(|(a, b)| a >= b));
            last = now;
        }
    }
}
