//! Which metric families Calico exports, release by release and dataplane by dataplane.
//!
//! One table, read by the simulator (to emit exactly a release's families) and by the backend
//! (to tell which release range and dataplane a cluster runs, and which catalog entries apply).
//! Every row was read in `projectcalico/calico` at the release tags; the source file is named
//! beside each group.
//!
//! ```
//! use calicoscope_model::calico::{exported, Dataplane, Release};
//! let v329 = Release::parse("3.29").unwrap();
//! assert!(exported("felix_nft_chains", v329, Dataplane::Nftables));
//! assert!(!exported("felix_nft_chains", v329, Dataplane::Iptables));
//! // Plain counters are registered at start-up on every dataplane.
//! assert!(exported("felix_nft_errors", v329, Dataplane::Iptables));
//! assert!(exported("felix_resync_state", Release::OLDEST, Dataplane::Bpf));
//! ```

use std::fmt;

/// A Calico minor release, 3.x.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(into = "String", try_from = "String"))]
pub struct Release(pub u8);

impl From<Release> for String {
    fn from(r: Release) -> String {
        r.to_string()
    }
}

impl TryFrom<String> for Release {
    type Error = String;
    fn try_from(s: String) -> Result<Release, String> {
        Release::parse(&s)
    }
}

impl Release {
    /// The oldest release Calicoscope supports.
    pub const OLDEST: Release = Release(26);
    /// The newest release whose metrics are in [`FAMILIES`].
    pub const NEWEST: Release = Release(33);

    /// Every supported release, oldest first.
    pub fn all() -> impl Iterator<Item = Release> {
        (Self::OLDEST.0..=Self::NEWEST.0).map(Release)
    }

    /// Parses `3.29` (a patch, `3.29.2`, or a leading `v` is accepted).
    pub fn parse(text: &str) -> Result<Release, String> {
        let t = text.trim().trim_start_matches('v');
        let mut parts = t.split('.');
        let (major, minor) = (
            parts.next(),
            parts.next().and_then(|m| m.parse::<u8>().ok()),
        );
        match (major, minor) {
            (Some("3"), Some(m)) if (Self::OLDEST.0..=Self::NEWEST.0).contains(&m) => {
                Ok(Release(m))
            }
            _ => Err(format!(
                "Calico version {text:?} is not one of {}..{} (write it as 3.29)",
                Self::OLDEST,
                Self::NEWEST
            )),
        }
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "3.{}", self.0)
    }
}

/// How Felix programs the node: `FelixConfiguration` `bpfEnabled` and `nftablesMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Dataplane {
    Iptables,
    Nftables,
    Bpf,
}

impl Dataplane {
    pub const ALL: [Dataplane; 3] = [Dataplane::Iptables, Dataplane::Nftables, Dataplane::Bpf];

    /// The value users write (`--dataplane`, the `dataplane` label of detection series).
    pub fn as_str(self) -> &'static str {
        match self {
            Dataplane::Iptables => "iptables",
            Dataplane::Nftables => "nftables",
            Dataplane::Bpf => "bpf",
        }
    }

    /// The name people use for it.
    pub fn title(self) -> &'static str {
        match self {
            Dataplane::Iptables => "iptables",
            Dataplane::Nftables => "nftables",
            Dataplane::Bpf => "eBPF",
        }
    }

    pub fn parse(text: &str) -> Result<Dataplane, String> {
        Dataplane::ALL
            .into_iter()
            .find(|d| d.as_str() == text.trim() || (text.trim() == "ebpf" && *d == Dataplane::Bpf))
            .ok_or_else(|| format!("dataplane {text:?} is not one of iptables, nftables, bpf"))
    }

    /// The first release that has this dataplane.
    pub fn since(self) -> Release {
        match self {
            Dataplane::Nftables => Release(29),
            _ => Release::OLDEST,
        }
    }

    /// How a user turns it on, for messages.
    pub fn how(self) -> &'static str {
        match self {
            Dataplane::Iptables => "the default dataplane",
            Dataplane::Nftables => {
                "FelixConfiguration spec.nftablesMode: Enabled, Calico 3.29 or later"
            }
            Dataplane::Bpf => "FelixConfiguration spec.bpfEnabled: true",
        }
    }

    /// The gauge that is above 0 on a Felix node of this dataplane: labelled series appear
    /// only where Felix creates the tables, and plain ones are exported (as 0) everywhere, so
    /// presence alone tells nothing. Detection counts instances with a positive value.
    /// Felix 3.32+ adds an `ip_version="arp"` nftables table on every dataplane, hence the
    /// matcher.
    pub fn marker(self) -> &'static str {
        match self {
            Dataplane::Iptables => "felix_iptables_rules",
            Dataplane::Nftables => "felix_nft_rules{ip_version!=\"arp\"}",
            Dataplane::Bpf => "felix_bpf_dataplane_endpoints",
        }
    }

    /// Does a node on this dataplane program `tables` (iptables or nftables)? BPF mode builds
    /// its remaining iptables/nftables tables through the backend `nftablesMode` selects,
    /// iptables by default (Calico 3.32 made it follow kube-proxy's mode): so a BPF node
    /// programs iptables, and iptables queries apply to it.
    pub fn programs(self, tables: Dataplane) -> bool {
        self == tables || (self == Dataplane::Bpf && tables == Dataplane::Iptables)
    }
}

impl fmt::Display for Dataplane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a family's series appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// Plain, registered when the component starts: on every node, whatever the dataplane
    /// (0 where unused). Its presence or absence tells the release.
    Always,
    /// Labelled: series appear only where Felix creates the table or set, on these dataplanes.
    On(&'static [Dataplane]),
    /// Like `On`, and from release 3.`.1` until 3.`.2` (0: still) on every other dataplane
    /// too, where Felix keeps empty tables to clean up after a dataplane switch (value 0).
    OnWithCleanup(&'static [Dataplane], u8, u8),
}

/// A metric family that is not exported by every supported release, or only on some
/// dataplanes. Families not listed here are exported by every supported release everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Family {
    pub name: &'static str,
    /// First release that exports it.
    pub since: Release,
    /// First release that no longer exports it.
    pub until: Option<Release>,
    pub export: Export,
}

const IPT: &[Dataplane] = &[Dataplane::Iptables, Dataplane::Bpf];
const NFT: &[Dataplane] = &[Dataplane::Nftables];
const BPF: &[Dataplane] = &[Dataplane::Bpf];
const ALWAYS: Export = Export::Always;

const fn fam(name: &'static str, since: u8, until: u8, export: Export) -> Family {
    Family {
        name,
        since: Release(since),
        until: if until == 0 {
            None
        } else {
            Some(Release(until))
        },
        export,
    }
}

/// The families that vary, read at tags v3.26.5, v3.27–v3.28 (.0/.5), v3.29.7, v3.30.7,
/// v3.31.7, v3.32.1 and the release-v3.33 branch. `until` 0 means still exported.
pub static FAMILIES: &[Family] = &[
    // felix/iptables/table.go, felix/ipsets: children made when iptables tables exist (the
    // iptables dataplane, and BPF mode with its default iptables backend).
    // 3.31–3.32 create the iptables tables in every mode (cleanup tables on nftables nodes).
    fam(
        "felix_iptables_chains",
        26,
        0,
        Export::OnWithCleanup(IPT, 31, 33),
    ),
    fam(
        "felix_iptables_rules",
        26,
        0,
        Export::OnWithCleanup(IPT, 31, 33),
    ),
    fam("felix_iptables_lines_executed", 26, 0, Export::On(IPT)),
    fam("felix_ipsets_calico", 26, 0, Export::On(IPT)),
    // felix/iptables/lock*.go, removed by "Remove direct iptables lock support" (3.32).
    fam("felix_iptables_lock_acquire_secs", 26, 32, ALWAYS),
    fam("felix_iptables_lock_retries", 26, 32, ALWAYS),
    // felix/labelindex (3.27).
    fam("felix_label_index_num_endpoints", 27, 0, ALWAYS),
    // felix/routetable/route_table.go: the route-table rewrite of 3.29.
    fam("felix_route_table_list_seconds", 26, 29, ALWAYS),
    fam("felix_route_table_per_iface_sync_seconds", 26, 29, ALWAYS),
    fam("felix_route_table_resync_seconds", 29, 0, ALWAYS),
    fam("felix_route_table_partial_resync_seconds", 29, 0, ALWAYS),
    fam("felix_route_table_conntrack_wait_seconds", 29, 0, ALWAYS),
    fam(
        "felix_route_table_num_routes",
        29,
        0,
        Export::On(&Dataplane::ALL),
    ),
    fam(
        "felix_route_table_num_ifaces",
        29,
        0,
        Export::On(&Dataplane::ALL),
    ),
    // felix/calc/stats_collector.go
    fam("felix_cluster_num_tiers", 29, 0, ALWAYS),
    // felix/nftables: plain counters registered at init on every dataplane; the gauges'
    // children only where the nftables dataplane creates its tables.
    fam("felix_nft_calls", 29, 0, ALWAYS),
    fam("felix_nft_errors", 29, 0, ALWAYS),
    fam("felix_nft_list_calls", 29, 0, ALWAYS),
    fam("felix_nft_list_errors", 29, 0, ALWAYS),
    fam("felix_nft_set_calls", 29, 0, ALWAYS),
    fam("felix_nft_set_errors", 29, 0, ALWAYS),
    // 3.31+ create the nftables root tables in every mode (disabled cleanup tables), and
    // 3.32+ a `calico-arp` table (ip_version="arp") on every node.
    fam("felix_nft_chains", 29, 0, Export::OnWithCleanup(NFT, 31, 0)),
    fam("felix_nft_rules", 29, 0, Export::OnWithCleanup(NFT, 31, 0)),
    fam("felix_nft_sets", 29, 0, Export::OnWithCleanup(NFT, 31, 0)),
    // felix/bpf/conntrack/scanner.go, cleanup.go (3.30); plain, 0 off BPF.
    fam("felix_bpf_conntrack_sweeps", 30, 0, ALWAYS),
    fam("felix_bpf_conntrack_used", 30, 0, ALWAYS),
    fam("felix_bpf_conntrack_cleaned", 30, 0, ALWAYS),
    fam("felix_bpf_conntrack_expired", 30, 0, ALWAYS),
    fam("felix_bpf_conntrack_stale_nat", 30, 0, ALWAYS),
    fam("felix_bpf_conntrack_sweep_duration", 30, 0, ALWAYS),
    fam(
        "felix_bpf_conntrack_maglev_entries_total",
        32,
        0,
        Export::On(BPF),
    ),
    // felix/dataplane/linux/int_dataplane.go (3.31).
    fam(
        "felix_int_dataplane_initial_resync_time_seconds",
        31,
        0,
        ALWAYS,
    ),
    // felix/collector policy re-evaluation (release-v3.33).
    fam("felix_collector_policy_eval_batches_total", 33, 0, ALWAYS),
    // kube-controllers/pkg/controllers/node/ipam.go (3.33).
    fam("ipam_ippool_reserved", 33, 0, ALWAYS),
];

/// The row for a family, if it varies.
pub fn family(name: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.name == name)
}

impl Family {
    pub fn in_release(&self, release: Release) -> bool {
        release >= self.since && self.until.is_none_or(|u| release < u)
    }

    /// Does a node of `dataplane` export it, with values that mean something (not an empty
    /// cleanup table)?
    pub fn on(&self, dataplane: Dataplane) -> bool {
        match self.export {
            Export::Always => true,
            Export::On(dataplanes) | Export::OnWithCleanup(dataplanes, ..) => {
                dataplanes.contains(&dataplane)
            }
        }
    }

    /// Does a node of `dataplane` on `release` export series of it at all (cleanup tables
    /// included)?
    pub fn present(&self, release: Release, dataplane: Dataplane) -> bool {
        let cleanup = match self.export {
            Export::OnWithCleanup(_, since, until) => {
                release.0 >= since && (until == 0 || release.0 < until)
            }
            _ => false,
        };
        self.in_release(release) && (self.on(dataplane) || cleanup)
    }

    /// The releases that export it, in words, for notices.
    pub fn releases(&self) -> String {
        match (self.since > Release::OLDEST, self.until) {
            (true, Some(u)) => format!("Calico {} to {}", self.since, Release(u.0 - 1)),
            (true, None) => format!("Calico {} or later", self.since),
            (false, Some(u)) => format!("Calico before {u}"),
            (false, None) => "every Calico release".to_string(),
        }
    }
}

/// Does `release` on `dataplane` export the family `name` with meaningful values?
pub fn exported(name: &str, release: Release, dataplane: Dataplane) -> bool {
    family(name).is_none_or(|f| f.in_release(release) && f.on(dataplane))
}

/// Does `release` on `dataplane` export series of the family `name` at all, empty cleanup
/// tables included? (What a scrape shows; the simulator writes exactly this.)
pub fn present(name: &str, release: Release, dataplane: Dataplane) -> bool {
    family(name).is_none_or(|f| f.present(release, dataplane))
}

/// The releases consistent with what a cluster exports. `observed(f)` says whether the
/// family `f` is present, or `None` when its component is not scraped (an absent Felix says
/// nothing about Felix's release). Only families exported on every dataplane count.
pub fn releases_consistent(observed: impl Fn(&Family) -> Option<bool>) -> Vec<Release> {
    let telling: Vec<(&Family, bool)> = FAMILIES
        .iter()
        .filter(|f| f.export == Export::Always)
        .filter_map(|f| observed(f).map(|present| (f, present)))
        .collect();
    Release::all()
        .filter(|&r| {
            telling
                .iter()
                .all(|(f, present)| f.in_release(r) == *present)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_releases() {
        assert_eq!(Release::parse("3.29").unwrap(), Release(29));
        assert_eq!(Release::parse("v3.30.4").unwrap(), Release(30));
        assert_eq!(Release(33).to_string(), "3.33");
        for bad in ["3.25", "4.0", "3", "", "3.x"] {
            assert!(Release::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Release::all().count(), 8);
    }

    #[test]
    fn parses_dataplanes() {
        for d in Dataplane::ALL {
            assert_eq!(Dataplane::parse(d.as_str()).unwrap(), d);
        }
        assert_eq!(Dataplane::parse("ebpf").unwrap(), Dataplane::Bpf);
        assert!(Dataplane::parse("vpp").is_err());
    }

    #[test]
    fn every_release_is_told_apart() {
        // With every component scraped, each release exports a different set of
        // dataplane-independent families, except 3.27 and 3.28 (no family differs).
        for r in Release::all() {
            let found = releases_consistent(|f| Some(f.in_release(r)));
            let want = match r.0 {
                27 | 28 => vec![Release(27), Release(28)],
                _ => vec![r],
            };
            assert_eq!(found, want);
        }
        assert_eq!(releases_consistent(|_| None).len(), 8);
    }

    #[test]
    fn bpf_programs_iptables_tables() {
        assert!(Dataplane::Bpf.programs(Dataplane::Iptables));
        assert!(!Dataplane::Nftables.programs(Dataplane::Iptables));
        assert!(!Dataplane::Iptables.programs(Dataplane::Bpf));
        assert!(exported(
            "felix_iptables_rules",
            Release(30),
            Dataplane::Bpf
        ));
        assert!(!exported(
            "felix_nft_rules",
            Release(30),
            Dataplane::Iptables
        ));
        assert!(exported(
            "felix_nft_errors",
            Release(30),
            Dataplane::Iptables
        ));
    }

    #[test]
    fn families_are_unique_and_ordered() {
        let mut names: Vec<_> = FAMILIES.iter().map(|f| f.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), FAMILIES.len());
        for f in FAMILIES {
            assert!(f.until.is_none_or(|u| u > f.since), "{}", f.name);
            assert!(
                f.since >= Release::OLDEST && f.since <= Release::NEWEST,
                "{}",
                f.name
            );
        }
    }
}
