//! Simulator configuration: the cluster shape, the enabled scenarios and the clock.

use crate::flows::{FlowSettings, MAX_TENANTS};
use calicoscope_model::calico::{Dataplane, Release};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// Where the simulator listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9094";
/// The node count unless told otherwise; the other defaults are [`Config::demo`]'s.
pub const DEFAULT_NODES: usize = 200;
pub const MAX_NODES: usize = 5000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub seed: u64,
    /// 1..=5000
    pub nodes: usize,
    pub pools: Vec<PoolSpec>,
    pub scenarios: Scenarios,
    /// Simulated seconds per real second; 0 freezes the cluster at `start_offset_s`.
    pub speed: f64,
    /// Capped at `nodes` when the cluster is built (each replica runs on a node).
    pub typha_replicas: usize,
    /// Simulated time when the server starts.
    pub start_offset_s: f64,
    /// The Calico release whose metric families are served.
    pub release: Release,
    pub dataplane: Dataplane,
    /// The flow model Goldmane serves ([`crate::flows`]).
    #[serde(default)]
    pub flows: FlowSettings,
    /// Real seconds after start when calico-kube-controllers stops answering its scrapes
    /// (503), as a crashed or evicted kube-controllers does; `None`: it never stops.
    #[serde(default)]
    pub kube_controllers_for_s: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PoolSpec {
    pub name: String,
    pub cidr: String,
    pub block_size: u8,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenarios {
    pub growth: bool,
    pub leak: bool,
    pub borrowing: bool,
    pub orphan_blocks: bool,
    pub unaffine_blocks: bool,
    /// An IPReservation covers part of the primary pool (reported from Calico 3.33 on).
    pub reservations: bool,
    /// Some allocations carry no node attribute (`node="unknown_node"`).
    pub unknown_node: bool,
    pub slow_felix: bool,
    pub typha_drops: bool,
}

impl PoolSpec {
    pub fn new(name: &str, cidr: &str, block_size: u8) -> PoolSpec {
        PoolSpec {
            name: name.to_string(),
            cidr: cidr.to_string(),
            block_size,
        }
    }

    pub fn is_ipv6(&self) -> bool {
        self.cidr.contains(':')
    }

    /// "ipv4" or "ipv6".
    pub fn family(&self) -> &'static str {
        if self.is_ipv6() {
            "ipv6"
        } else {
            "ipv4"
        }
    }

    fn bits(&self) -> u8 {
        if self.is_ipv6() {
            128
        } else {
            32
        }
    }

    /// Prefix length of the CIDR; 0 if unparsable (`validate` rejects that case).
    pub fn prefix_len(&self) -> u8 {
        self.cidr
            .split_once('/')
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or(0)
    }

    /// Addresses in the pool, 2^(bits - prefix), as Calico reports ipam_ippool_size.
    pub fn size(&self) -> f64 {
        2f64.powi(i32::from(self.bits()) - i32::from(self.prefix_len()))
    }

    /// Addresses per block, 2^(bits - block_size).
    pub fn block_capacity(&self) -> u64 {
        1u64 << self.bits().saturating_sub(self.block_size).min(63)
    }

    /// Blocks the pool can be cut into; u128 because an IPv6 /48 holds 2^74 blocks.
    pub fn block_count(&self) -> u128 {
        1u128 << self.block_size.saturating_sub(self.prefix_len()).min(127)
    }

    pub fn validate(&self) -> Result<(), String> {
        let (addr, prefix) = self
            .cidr
            .split_once('/')
            .ok_or_else(|| format!("pool {}: cidr {:?} has no /prefix", self.name, self.cidr))?;
        addr.parse::<IpAddr>()
            .map_err(|_| format!("pool {}: bad address in cidr {:?}", self.name, self.cidr))?;
        let prefix: u8 = prefix
            .parse()
            .map_err(|_| format!("pool {}: bad prefix in cidr {:?}", self.name, self.cidr))?;
        let (lo, hi) = if self.is_ipv6() { (116, 128) } else { (20, 32) };
        if !(lo..=hi).contains(&self.block_size) {
            return Err(format!(
                "pool {}: block size {} outside {lo}..={hi}",
                self.name, self.block_size
            ));
        }
        if prefix > self.block_size {
            return Err(format!(
                "pool {}: prefix /{prefix} is smaller than a block",
                self.name
            ));
        }
        Ok(())
    }
}

impl Scenarios {
    pub fn all() -> Scenarios {
        Scenarios {
            growth: true,
            leak: true,
            borrowing: true,
            orphan_blocks: true,
            unaffine_blocks: true,
            reservations: true,
            unknown_node: true,
            slow_felix: true,
            typha_drops: true,
        }
    }

    pub fn none() -> Scenarios {
        Scenarios::default()
    }

    /// Parses "all", "none" or a comma list of scenario names.
    pub fn parse(list: &str) -> Result<Scenarios, String> {
        match list.trim() {
            "all" => return Ok(Scenarios::all()),
            "none" | "" => return Ok(Scenarios::none()),
            _ => {}
        }
        let mut s = Scenarios::none();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let (_, flag) = s
                .flags()
                .into_iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| format!("unknown scenario {name:?}"))?;
            *flag = true;
        }
        Ok(s)
    }

    /// Each scenario's name and switch: the one list both `parse` and `Display` read.
    fn flags(&mut self) -> [(&'static str, &mut bool); 9] {
        [
            ("growth", &mut self.growth),
            ("leak", &mut self.leak),
            ("borrowing", &mut self.borrowing),
            ("orphan_blocks", &mut self.orphan_blocks),
            ("unaffine_blocks", &mut self.unaffine_blocks),
            ("reservations", &mut self.reservations),
            ("unknown_node", &mut self.unknown_node),
            ("slow_felix", &mut self.slow_felix),
            ("typha_drops", &mut self.typha_drops),
        ]
    }
}

/// "all", "none" or the comma list `Scenarios::parse` reads.
impl fmt::Display for Scenarios {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Scenarios::all() {
            return f.write_str("all");
        }
        if *self == Scenarios::none() {
            return f.write_str("none");
        }
        let mut copy = *self;
        let on: Vec<&str> = copy
            .flags()
            .into_iter()
            .filter(|(_, on)| **on)
            .map(|(name, _)| name)
            .collect();
        f.write_str(&on.join(","))
    }
}

impl Config {
    /// A dual-stack demo cluster with every scenario on.
    ///
    /// The IPv4 pool is 10.0.0.0/N with /26 blocks, N chosen so the pool holds the
    /// next power of two >= max(64, 4 x nodes) blocks (200 nodes -> /16, 5000 -> /11):
    /// roughly 5 blocks per node, so the growth scenario can drive it to exhaustion.
    /// The IPv6 pool is fd00:10::/48 with /122 blocks (64 addresses each, ~1.2e24 total).
    pub fn demo(nodes: usize) -> Config {
        let blocks = (nodes.max(1) * 4).max(64).next_power_of_two();
        let prefix = 32 - 6 - blocks.trailing_zeros();
        Config {
            seed: 42,
            nodes,
            pools: vec![
                PoolSpec::new("default-ipv4-ippool", &format!("10.0.0.0/{prefix}"), 26),
                PoolSpec::new("default-ipv6-ippool", "fd00:10::/48", 122),
            ],
            scenarios: Scenarios::all(),
            speed: 60.0,
            typha_replicas: 3,
            start_offset_s: 0.0,
            release: Release::NEWEST,
            dataplane: Dataplane::Iptables,
            flows: FlowSettings::default(),
            kube_controllers_for_s: None,
        }
    }

    /// The demo cluster as a given Calico release and dataplane runs it.
    pub fn profile(nodes: usize, release: Release, dataplane: Dataplane) -> Config {
        Config {
            release,
            dataplane,
            ..Config::demo(nodes)
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_NODES).contains(&self.nodes) {
            return Err(format!("nodes must be 1..={MAX_NODES}, got {}", self.nodes));
        }
        if !(self.speed.is_finite() && self.speed >= 0.0) {
            return Err(format!(
                "speed must be a finite number >= 0, got {}",
                self.speed
            ));
        }
        if !(self.start_offset_s.is_finite() && self.start_offset_s >= 0.0) {
            return Err(format!(
                "start offset must be >= 0, got {}",
                self.start_offset_s
            ));
        }
        if self.release < self.dataplane.since() {
            return Err(format!(
                "the {} dataplane needs Calico {} or later, not {}",
                self.dataplane.title(),
                self.dataplane.since(),
                self.release
            ));
        }
        if self.flows.tenants > MAX_TENANTS {
            return Err(format!(
                "flow namespaces must be 0..={MAX_TENANTS}, got {}",
                self.flows.tenants
            ));
        }
        if self.pools.is_empty() {
            return Err("at least one pool is needed".to_string());
        }
        self.pools.iter().try_for_each(PoolSpec::validate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_pool_sizes() {
        let c = Config::demo(200);
        assert_eq!(c.pools[0].cidr, "10.0.0.0/16");
        assert_eq!(c.pools[0].size(), 65536.0);
        assert_eq!(c.pools[0].block_capacity(), 64);
        assert_eq!(c.pools[1].family(), "ipv6");
        assert_eq!(c.pools[1].size(), 2f64.powi(80));
        assert_eq!(c.pools[1].block_capacity(), 64);
        assert_eq!(Config::demo(5000).pools[0].cidr, "10.0.0.0/11");
        assert_eq!(Config::demo(1).pools[0].cidr, "10.0.0.0/20");
        for n in [1, 200, 5000] {
            Config::demo(n).validate().unwrap();
        }
    }

    #[test]
    fn scenarios_print_as_they_parse() {
        for list in ["all", "none", "leak,slow_felix", "growth"] {
            assert_eq!(Scenarios::parse(list).unwrap().to_string(), list);
        }
        assert!(Scenarios::parse("leak,bogus").is_err());
    }

    #[test]
    fn rejects_bad_pools() {
        assert!(PoolSpec::new("p", "10.0.0.0/16", 19).validate().is_err());
        assert!(PoolSpec::new("p", "10.0.0.0/27", 26).validate().is_err());
        assert!(PoolSpec::new("p", "10.0.0.0", 26).validate().is_err());
        assert!(PoolSpec::new("p", "fd00::/48", 26).validate().is_err());
    }
}
