//! Simulator configuration: the cluster shape, the enabled scenarios and the clock.

use calicoscope_model::calico::{Dataplane, Release};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

pub const USAGE: &str = "\
calicoscope-sim: a simulated Calico cluster serving Prometheus metrics

USAGE:
    calicoscope-sim [OPTIONS]

OPTIONS:
    --listen ADDR        loopback address to bind (default 127.0.0.1:9094; port 0 = any)
    --nodes N            number of nodes, 1..=5000 (default 200)
    --seed N             seed for all simulated values (default 42)
    --speed X            simulated seconds per real second, 0 = frozen (default 60)
    --scenarios LIST     comma list of growth,leak,borrowing,orphan_blocks,
                         unaffine_blocks,reservations,unknown_node,slow_felix,
                         typha_drops, or all, or none (default all)
    --calico-version V   the Calico release whose metric families to serve,
                         3.26..3.33 (default 3.33)
    --dataplane D        iptables, nftables (3.29+) or bpf (default iptables)
    --typha N            Typha replicas (default 3; capped at the node count)
    --start-offset S     simulated seconds at start (default 0)
    -h, --help           print this help

ENDPOINTS:
    /metrics/kube-controllers  /metrics/felix  /metrics/typha  /state  /healthz
";

pub const DEFAULT_LISTEN: &str = "127.0.0.1:9094";
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
            let flag = match name {
                "growth" => &mut s.growth,
                "leak" => &mut s.leak,
                "borrowing" => &mut s.borrowing,
                "orphan_blocks" => &mut s.orphan_blocks,
                "unaffine_blocks" => &mut s.unaffine_blocks,
                "reservations" => &mut s.reservations,
                "unknown_node" => &mut s.unknown_node,
                "slow_felix" => &mut s.slow_felix,
                "typha_drops" => &mut s.typha_drops,
                other => return Err(format!("unknown scenario {other:?}")),
            };
            *flag = true;
        }
        Ok(s)
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

    /// Parses command-line options (without the program name). `--listen` is
    /// accepted and skipped here; read it with [`listen_addr`].
    pub fn from_args(args: &[String]) -> Result<Config, String> {
        let mut nodes = 200;
        let mut rest = Vec::new();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            if flag == "-h" || flag == "--help" {
                return Err(USAGE.to_string());
            }
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--nodes" => nodes = parse_num(flag, value)?,
                "--listen" => {}
                _ => rest.push((flag.as_str(), value.as_str())),
            }
        }
        let mut cfg = Config::demo(nodes);
        for (flag, value) in rest {
            match flag {
                "--seed" => cfg.seed = parse_num(flag, value)?,
                "--speed" => cfg.speed = parse_num(flag, value)?,
                "--scenarios" => cfg.scenarios = Scenarios::parse(value)?,
                "--typha" => cfg.typha_replicas = parse_num(flag, value)?,
                "--start-offset" => cfg.start_offset_s = parse_num(flag, value)?,
                "--calico-version" => cfg.release = Release::parse(value)?,
                "--dataplane" => cfg.dataplane = Dataplane::parse(value)?,
                other => return Err(format!("unknown option {other}")),
            }
        }
        cfg.validate()?;
        Ok(cfg)
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
        if self.pools.is_empty() {
            return Err("at least one pool is needed".to_string());
        }
        self.pools.iter().try_for_each(PoolSpec::validate)
    }
}

fn parse_num<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: cannot parse {value:?}"))
}

/// The `--listen` address (default 127.0.0.1:9094). Only loopback addresses are
/// accepted: the simulator has no authentication and must not be reachable remotely.
pub fn listen_addr(args: &[String]) -> Result<SocketAddr, String> {
    let raw = args
        .iter()
        .position(|a| a == "--listen")
        .map(|i| args.get(i + 1).cloned().ok_or("--listen needs a value"))
        .transpose()?
        .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    let addr = parse_socket(&raw)?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on non-loopback address {raw}: use 127.0.0.1 or [::1]"
        ));
    }
    Ok(addr)
}

fn parse_socket(raw: &str) -> Result<SocketAddr, String> {
    if let Some(port) = raw.strip_prefix("localhost:") {
        let port = port.parse().map_err(|_| format!("bad port in {raw:?}"))?;
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    raw.parse()
        .map_err(|_| format!("bad listen address {raw:?} (want IP:PORT)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

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
    fn parses_args() {
        let c = Config::from_args(&args(
            "--listen 127.0.0.1:0 --nodes 10 --seed 7 --speed 0 --scenarios leak,growth --typha 2 --start-offset 3600",
        ))
        .unwrap();
        assert_eq!(
            (c.nodes, c.seed, c.speed, c.typha_replicas),
            (10, 7, 0.0, 2)
        );
        assert_eq!(c.start_offset_s, 3600.0);
        assert!(c.scenarios.leak && c.scenarios.growth && !c.scenarios.borrowing);
        assert_eq!(Config::from_args(&[]).unwrap(), Config::demo(200));
        let c = Config::from_args(&args("--calico-version 3.30 --dataplane bpf")).unwrap();
        assert_eq!((c.release, c.dataplane), (Release(30), Dataplane::Bpf));
    }

    #[test]
    fn rejects_bad_args() {
        assert!(Config::from_args(&args("--nodes 0")).is_err());
        assert!(Config::from_args(&args("--nodes 5001")).is_err());
        assert!(Config::from_args(&args("--speed -1")).is_err());
        assert!(Config::from_args(&args("--scenarios bogus")).is_err());
        assert!(Config::from_args(&args("--frobnicate 1")).is_err());
        assert!(Config::from_args(&args("--seed")).is_err());
        assert!(Config::from_args(&args("--calico-version 3.25")).is_err());
        let err =
            Config::from_args(&args("--calico-version 3.26 --dataplane nftables")).unwrap_err();
        assert!(err.contains("needs Calico 3.29"), "{err}");
        assert!(Config::from_args(&args("--help"))
            .unwrap_err()
            .contains("USAGE"));
    }

    #[test]
    fn listen_must_be_loopback() {
        assert_eq!(listen_addr(&[]).unwrap().to_string(), "127.0.0.1:9094");
        assert!(listen_addr(&args("--listen 127.0.0.1:0")).is_ok());
        assert!(listen_addr(&args("--listen [::1]:9000")).is_ok());
        assert!(listen_addr(&args("--listen localhost:9000")).is_ok());
        let err = listen_addr(&args("--listen 0.0.0.0:9094")).unwrap_err();
        assert!(err.contains("non-loopback"), "{err}");
        assert!(listen_addr(&args("--listen 10.1.2.3:80")).is_err());
    }

    #[test]
    fn rejects_bad_pools() {
        assert!(PoolSpec::new("p", "10.0.0.0/16", 19).validate().is_err());
        assert!(PoolSpec::new("p", "10.0.0.0/27", 26).validate().is_err());
        assert!(PoolSpec::new("p", "10.0.0.0", 26).validate().is_err());
        assert!(PoolSpec::new("p", "fd00::/48", 26).validate().is_err());
    }
}
