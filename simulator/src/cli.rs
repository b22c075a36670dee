//! The `calicoscope-sim` command line (clap). Every default is read from
//! [`Config::demo`], [`DEFAULT_NODES`] and [`DEFAULT_LISTEN`], so `--help` shows the
//! values the simulator really uses.

use crate::config::{Config, Scenarios, DEFAULT_LISTEN, DEFAULT_NODES, MAX_NODES};
use crate::fleet::{self, Member, MAX_CLUSTERS};
use crate::flows::MAX_TENANTS;
use crate::goldmane::{self, Shape};
use calicoscope_model::calico::{Dataplane, Release};
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

const ENDPOINTS: &str = "\
Endpoints:
  /metrics/kube-controllers  /metrics/felix  /metrics/typha  /state  /healthz
With --clusters N (N > 1): each cluster's under /clusters/<name>/ (cluster-01, ...), and
/clusters lists the names.
With --goldmane: Calico Goldmane's gRPC flow API (3.30+; the 3.30/3.31 or the 3.32+ shape
after --calico-version) on the same address's IP.";

/// A simulated Calico cluster serving Prometheus metrics.
#[derive(Parser, Debug)]
#[command(name = "calicoscope-sim", version, after_help = ENDPOINTS)]
// A repeated flag keeps its last value, as the hand-written parser did.
#[command(args_override_self = true)]
pub struct Cli {
    /// Loopback address to bind (port 0 = any free port)
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN, value_parser = loopback)]
    pub listen: SocketAddr,

    #[arg(long, value_name = "N", default_value_t = DEFAULT_NODES,
          help = format!("Number of nodes, 1..={MAX_NODES}; the IP pools are sized for it"))]
    pub nodes: usize,

    /// Seed for all simulated values
    #[arg(long, value_name = "N", default_value_t = defaults().seed)]
    pub seed: u64,

    /// Simulated seconds per real second, 0 = frozen
    #[arg(long, value_name = "X", default_value_t = defaults().speed, allow_negative_numbers = true)]
    pub speed: f64,

    /// Comma list of growth, leak, borrowing, orphan_blocks, unaffine_blocks,
    /// reservations, unknown_node, slow_felix, typha_drops; or all, or none
    #[arg(long, value_name = "LIST", default_value_t = defaults().scenarios, value_parser = Scenarios::parse)]
    pub scenarios: Scenarios,

    #[arg(long, value_name = "V", default_value_t = defaults().release, value_parser = Release::parse,
          help = format!("The Calico release whose metric families to serve, {}..{}", Release::OLDEST, Release::NEWEST))]
    pub calico_version: Release,

    #[arg(long, value_name = "D", default_value_t = defaults().dataplane, value_parser = Dataplane::parse,
          help = format!("iptables, nftables ({}+) or bpf", Dataplane::Nftables.since()))]
    pub dataplane: Dataplane,

    /// Typha replicas (capped at the node count)
    #[arg(long, value_name = "N", default_value_t = defaults().typha_replicas)]
    pub typha: usize,

    /// Simulated seconds at start
    #[arg(long, value_name = "S", default_value_t = defaults().start_offset_s, allow_negative_numbers = true)]
    pub start_offset: f64,

    /// Also serve Goldmane's flow API on this port (0 = any free port; Calico uses 7443)
    #[arg(long, value_name = "PORT")]
    pub goldmane: Option<u16>,

    /// Serve Goldmane over mTLS with fresh certificates written here (CA, server, client,
    /// and a client of another CA); plaintext without it
    #[arg(long, value_name = "DIR", requires = "goldmane")]
    pub goldmane_certs: Option<PathBuf>,

    #[arg(long, value_name = "N", default_value_t = 1,
          help = format!("Serve a fleet of N clusters, 1..={MAX_CLUSTERS}, made from these options: \
                          same pool and node names; sizes, releases and dataplanes vary"))]
    pub clusters: usize,

    #[arg(long, value_name = "N", default_value_t = defaults().flows.tenants,
          help = format!("Extra namespaces in the flows Goldmane serves, 0..={MAX_TENANTS}"))]
    pub flow_namespaces: usize,
}

fn defaults() -> Config {
    Config::demo(DEFAULT_NODES)
}

impl Cli {
    /// Parses `args` (the program name first) into the cluster config and the address to
    /// listen on. Invalid combinations (`--dataplane nftables --calico-version 3.26`) are
    /// clap errors too, so `Error::exit` prints every problem the same way.
    pub fn config_from<I, T>(args: I) -> Result<(Config, SocketAddr), clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let cli = Cli::checked(args)?;
        let config = cli
            .config()
            .map_err(|e| Cli::command().error(ErrorKind::ValueValidation, e))?;
        Ok((config, cli.listen))
    }

    /// Parses and checks every option, Goldmane's included.
    pub fn checked<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let cli = Cli::try_parse_from(args)?;
        let invalid = |e: String| Cli::command().error(ErrorKind::ValueValidation, e);
        let config = cli.config().map_err(invalid)?;
        if !(1..=MAX_CLUSTERS).contains(&cli.clusters) {
            return Err(invalid(format!(
                "clusters must be 1..={MAX_CLUSTERS}, got {}",
                cli.clusters
            )));
        }
        if cli.goldmane.is_some() && cli.clusters > 1 {
            return Err(invalid(
                "--goldmane serves one cluster's flows, as Calico runs one Goldmane per cluster: \
                 drop --clusters, or run one simulator per Goldmane"
                    .into(),
            ));
        }
        if cli.goldmane.is_some() && Shape::of(config.release).is_none() {
            return Err(invalid(format!(
                "--goldmane needs Calico 3.30 or later (Goldmane came with 3.30), not {}",
                config.release
            )));
        }
        Ok(cli)
    }

    /// How to run Goldmane, when `--goldmane` asks for it: on the listen address's IP.
    pub fn goldmane_options(&self) -> Option<goldmane::Options> {
        let port = self.goldmane?;
        Some(goldmane::Options {
            listen: SocketAddr::new(self.listen.ip(), port),
            certs: self.goldmane_certs.clone(),
            ..goldmane::Options::plaintext("127.0.0.1:0")
        })
    }

    /// The fleet `--clusters` asks for, made from [`Cli::config`]; `None` for one cluster.
    pub fn fleet(&self) -> Result<Option<Vec<Member>>, String> {
        let base = self.config()?;
        Ok((self.clusters > 1).then(|| fleet::members(&base, self.clusters)))
    }

    /// The demo cluster for `--nodes`, with the other options applied and checked.
    pub fn config(&self) -> Result<Config, String> {
        let config = Config {
            seed: self.seed,
            speed: self.speed,
            scenarios: self.scenarios,
            typha_replicas: self.typha,
            start_offset_s: self.start_offset,
            release: self.calico_version,
            dataplane: self.dataplane,
            flows: crate::flows::FlowSettings {
                tenants: self.flow_namespaces,
            },
            ..Config::demo(self.nodes)
        };
        config.validate()?;
        Ok(config)
    }
}

/// `IP:PORT`, `[IPv6]:PORT` or `localhost:PORT`, loopback only: the simulator has no
/// authentication and must not be reachable from other machines.
fn loopback(raw: &str) -> Result<SocketAddr, String> {
    let addr = match raw.strip_prefix("localhost:") {
        Some(port) => {
            let port = port.parse().map_err(|_| format!("bad port in {raw:?}"))?;
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
        }
        None => raw
            .parse()
            .map_err(|_| format!("bad listen address {raw:?} (want IP:PORT)"))?,
    };
    if !addr.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on non-loopback address {raw}: use 127.0.0.1 or [::1]"
        ));
    }
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<(Config, SocketAddr), String> {
        let args = std::iter::once("calicoscope-sim").chain(line.split_whitespace());
        Cli::config_from(args).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_the_demo_cluster() {
        let (config, addr) = parse("").unwrap();
        assert_eq!(config, Config::demo(DEFAULT_NODES));
        assert_eq!(addr.to_string(), DEFAULT_LISTEN);
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_every_option() {
        let (c, addr) = parse(
            "--listen 127.0.0.1:0 --nodes 10 --seed 7 --speed 0 --scenarios leak,growth \
             --typha 2 --start-offset 3600 --calico-version 3.30 --dataplane bpf",
        )
        .unwrap();
        assert_eq!(addr.to_string(), "127.0.0.1:0");
        assert_eq!(
            (c.nodes, c.seed, c.speed, c.typha_replicas),
            (10, 7, 0.0, 2)
        );
        assert_eq!(c.pools, Config::demo(10).pools);
        assert_eq!(c.start_offset_s, 3600.0);
        assert!(c.scenarios.leak && c.scenarios.growth && !c.scenarios.borrowing);
        assert_eq!((c.release, c.dataplane), (Release(30), Dataplane::Bpf));
        // `--flag=value` works too, and a repeated flag keeps its last value.
        let (c, _) = parse("--nodes=3 --seed 1 --seed 2").unwrap();
        assert_eq!((c.nodes, c.seed), (3, 2));
    }

    #[test]
    fn rejects_bad_options_clearly() {
        let cases = [
            ("--nodes 0", "nodes must be 1..="),
            ("--nodes 5001", "nodes must be 1..="),
            ("--nodes many", "invalid value 'many' for '--nodes <N>'"),
            ("--speed -1", "speed must be a finite number >= 0"),
            ("--scenarios bogus", "unknown scenario \"bogus\""),
            ("--frobnicate 1", "unexpected argument '--frobnicate'"),
            ("--seed", "a value is required for '--seed <N>'"),
            (
                "--calico-version 3.25",
                "Calico version \"3.25\" is not one of",
            ),
            (
                "--calico-version 3.26 --dataplane nftables",
                "needs Calico 3.29",
            ),
        ];
        for (line, want) in cases {
            let err = parse(line).unwrap_err();
            assert!(err.contains(want), "{line}: {err}");
        }
    }

    #[test]
    fn goldmane_options() {
        let args = |line: &str| {
            let all = std::iter::once("calicoscope-sim").chain(line.split_whitespace());
            Cli::checked(all).map_err(|e| e.to_string())
        };
        let cli = args(
            "--listen 127.0.0.1:9000 --goldmane 0 --goldmane-certs /tmp/c --flow-namespaces 500",
        )
        .unwrap();
        let opts = cli.goldmane_options().unwrap();
        assert_eq!(opts.listen.to_string(), "127.0.0.1:0");
        assert_eq!(opts.certs, Some(PathBuf::from("/tmp/c")));
        assert_eq!(cli.config().unwrap().flows.tenants, 500);
        assert!(args("").unwrap().goldmane_options().is_none());
        let err = args("--goldmane 7443 --calico-version 3.29").unwrap_err();
        assert!(err.contains("needs Calico 3.30 or later"), "{err}");
        let err = args("--goldmane-certs /tmp/c").unwrap_err();
        assert!(err.contains("--goldmane <PORT>"), "{err}");
        let err = args("--flow-namespaces 5001").unwrap_err();
        assert!(err.contains("flow namespaces must be"), "{err}");
    }

    #[test]
    fn clusters_make_a_fleet() {
        let cli = |line: &str| {
            let all = std::iter::once("calicoscope-sim").chain(line.split_whitespace());
            Cli::checked(all).map_err(|e| e.to_string())
        };
        assert_eq!(cli("").unwrap().fleet().unwrap(), None);
        let fleet = cli("--clusters 3 --nodes 40")
            .unwrap()
            .fleet()
            .unwrap()
            .unwrap();
        let names: Vec<&str> = fleet.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["cluster-01", "cluster-02", "cluster-03"]);
        assert_eq!(fleet[1].config.nodes, 20);
        let err = cli("--clusters 0").unwrap_err();
        assert!(err.contains("clusters must be 1..="), "{err}");
        let err = cli("--clusters 2 --goldmane 0").unwrap_err();
        assert!(err.contains("one Goldmane per cluster"), "{err}");
    }

    #[test]
    fn listen_must_be_loopback() {
        for ok in ["127.0.0.1:0", "[::1]:9000", "localhost:9000"] {
            parse(&format!("--listen {ok}")).unwrap();
        }
        let err = parse("--listen 0.0.0.0:9094").unwrap_err();
        assert!(err.contains("non-loopback"), "{err}");
        assert!(parse("--listen 10.1.2.3:80").is_err());
    }

    #[test]
    fn help_shows_every_default() {
        let help = Cli::command().render_help().to_string();
        let d = defaults();
        let shown = [
            DEFAULT_LISTEN.to_string(),
            DEFAULT_NODES.to_string(),
            d.seed.to_string(),
            d.speed.to_string(),
            d.scenarios.to_string(),
            d.release.to_string(),
            d.dataplane.to_string(),
            d.typha_replicas.to_string(),
            d.start_offset_s.to_string(),
            d.flows.tenants.to_string(),
        ];
        for value in shown {
            let text = format!("[default: {value}]");
            assert!(help.contains(&text), "{text} missing from:\n{help}");
        }
        assert!(help.contains("/metrics/felix"), "{help}");
    }
}
