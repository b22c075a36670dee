//! A fleet: several simulated clusters behind one address, as one store sees them when every
//! cluster's Prometheus (or remote write) puts a `cluster` label on its series. The clusters
//! come from one template, as real fleets do: every one has `default-ipv4-ippool` and
//! `default-ipv6-ippool` and nodes named alike, while sizes, Calico releases and dataplanes
//! differ (a fleet is upgraded one cluster at a time).
//!
//! Each cluster is served under `/clusters/<name>/` with the single cluster's endpoints
//! (`/clusters/cluster-02/metrics/felix`); `/clusters` lists the names.
//!
//! ```
//! use calicoscope_sim::{fleet, Config};
//! let members = fleet::members(&Config::demo(40), 3);
//! assert_eq!(members[1].name, "cluster-02");
//! assert!(members.iter().all(|m| m.config.pools[0].name == "default-ipv4-ippool"));
//! assert_ne!(members[0].config.nodes, members[1].config.nodes);
//! ```

use crate::config::Config;
use crate::server::router;
use axum::http::header;
use axum::routing::get;
use axum::Router;
use calicoscope_model::calico::{Dataplane, Release};

/// Clusters a fleet serves at most (each renders its own pages on every scrape).
pub const MAX_CLUSTERS: usize = 200;

/// One cluster of a fleet.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub name: String,
    pub config: Config,
}

/// `count` clusters made from `base`: named `cluster-01`, `cluster-02`, ...; sizes cycle
/// through 1, ½, ¾ and ¼ of `base.nodes`, releases step down from `base.release` (not below
/// the oldest the simulator serves), dataplanes cycle through `base.dataplane`, iptables,
/// nftables and eBPF (nftables only where the release has it), seeds differ.
pub fn members(base: &Config, count: usize) -> Vec<Member> {
    (0..count)
        .map(|i| {
            let nodes = (base.nodes * [4, 2, 3, 1][i % 4] / 4).max(1);
            let release = Release(
                base.release
                    .0
                    .saturating_sub((i % 4) as u8)
                    .max(Release::OLDEST.0),
            );
            let wanted = [
                base.dataplane,
                Dataplane::Iptables,
                Dataplane::Nftables,
                Dataplane::Bpf,
            ][i % 4];
            let dataplane = match release >= wanted.since() {
                true => wanted,
                false => Dataplane::Iptables,
            };
            Member {
                name: name(i),
                config: Config {
                    seed: base.seed + i as u64,
                    nodes,
                    // Sized for the node count, as `Config::demo` does; the names stay.
                    pools: Config::demo(nodes).pools,
                    release,
                    dataplane,
                    ..base.clone()
                },
            }
        })
        .collect()
}

/// The `i`th (0-based) cluster's name.
pub fn name(i: usize) -> String {
    format!("cluster-{:02}", i + 1)
}

/// Where cluster `name`'s endpoint `path` (`/metrics/felix`) is served.
pub fn path(name: &str, path: &str) -> String {
    format!("/clusters/{name}{path}")
}

/// Every member's endpoints under `/clusters/<name>/`, and the list of names at `/clusters`.
pub fn fleet_router(members: Vec<Member>) -> Router {
    let names: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
    let listed = Router::new()
        .route(
            "/clusters",
            get(move || async move {
                let body = serde_json::to_string(&names).unwrap_or_default();
                ([(header::CONTENT_TYPE, "application/json")], body)
            }),
        )
        .route("/healthz", get(|| async { "ok" }));
    members
        .into_iter()
        .fold(listed, |r, m| r.nest(&path(&m.name, ""), router(m.config)))
}

/// Serves the fleet on an already bound listener until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, members: Vec<Member>) -> std::io::Result<()> {
    axum::serve(listener, fleet_router(members)).await
}

/// `cluster-01 (200 nodes, Calico 3.33, iptables)`.
pub fn describe(m: &Member) -> String {
    format!(
        "{} ({} nodes, Calico {}, {})",
        m.name, m.config.nodes, m.config.release, m.config.dataplane
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_differ_where_fleets_differ_and_share_what_templates_share() {
        let m = members(&Config::demo(200), 8);
        let nodes: Vec<usize> = m.iter().map(|m| m.config.nodes).collect();
        assert_eq!(nodes, [200, 100, 150, 50, 200, 100, 150, 50]);
        let releases: Vec<u8> = m.iter().map(|m| m.config.release.0).collect();
        assert_eq!(releases[..4], [33, 32, 31, 30]);
        let planes: Vec<Dataplane> = m.iter().map(|m| m.config.dataplane).collect();
        assert_eq!(
            planes[..4],
            [
                Dataplane::Iptables,
                Dataplane::Iptables,
                Dataplane::Nftables,
                Dataplane::Bpf
            ]
        );
        assert!(m.iter().all(|m| m.config.validate().is_ok()));
        let pool_names = |m: &Member| {
            m.config
                .pools
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
        };
        assert!(m.iter().all(|x| pool_names(x) == pool_names(&m[0])));
        assert_eq!(
            m[4].config.speed,
            Config::demo(200).speed,
            "the base's clock"
        );
        let old = members(
            &Config::profile(10, Release::OLDEST, Dataplane::Iptables),
            3,
        );
        assert!(old
            .iter()
            .all(|m| m.config.release == Release::OLDEST
                && m.config.dataplane != Dataplane::Nftables));
    }

    #[tokio::test]
    async fn serves_each_cluster_under_its_name() {
        let mut base = Config::demo(8);
        base.speed = 0.0;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, members(&base, 3)));
        let get = crate::server::tests::get;
        let (_, list) = get(addr, "/clusters").await;
        assert_eq!(list, r#"["cluster-01","cluster-02","cluster-03"]"#);
        let (head, kc) = get(addr, &path("cluster-02", "/metrics/kube-controllers")).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(
            kc.contains("ipam_ippool_size{ippool=\"default-ipv4-ippool\"}"),
            "{kc}"
        );
        let (_, felix) = get(addr, &path("cluster-02", "/metrics/felix")).await;
        let nodes = felix
            .lines()
            .filter(|l| l.starts_with("felix_resync_state"))
            .count();
        assert_eq!(nodes, 4, "cluster-02 has half of the base's 8 nodes");
        let (head, _) = get(addr, &path("cluster-09", "/metrics/felix")).await;
        assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    }
}
