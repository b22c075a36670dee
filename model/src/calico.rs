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
        let (major, minor) = (parts.next(), parts.next().and_then(|m| m.parse::<u8>().ok()));
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
            Dataplane::Nftables => "FelixConfiguration spec.nftablesMode: Enabled, Calico 3.29 or later",
            Dataplane::Bpf => "FelixConfiguration spec.bpfEnabled: true",
        }
    }

    /// The family every Felix on this dataplane exports from its first sync, and no Felix on
    /// another dataplane does: the one detection reads.
    pub fn marker(self) -> &'static str {
        match self {
            Dataplane::Iptables => "felix_iptables_chains",
            Dataplane::Nftables => "felix_nft_chains",
            Dataplane::Bpf => "felix_bpf_num_ip_sets",
        }
    }
}

impl fmt::Display for Dataplane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A metric family that is not exported by every release or dataplane. Families not listed
/// here are exported by every supported release on every dataplane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Family {
    pub name: &'static str,
    /// First release that exports it.
    pub since: Release,
    /// First release that no longer exports it.
    pub until: Option<Release>,
    /// Dataplanes on which Felix exports it; empty means every one.
    pub dataplanes: &'static [Dataplane],
    /// Exported as soon as the component runs (a plain metric, or a labelled one set on the
    /// first sync), so its absence says something: usable for telling the release.
    pub always: bool,
}

const IPT: &[Dataplane] = &[Dataplane::Iptables];
const NFT: &[Dataplane] = &[Dataplane::Nftables];
const BPF: &[Dataplane] = &[Dataplane::Bpf];
const ANY: &[Dataplane] = &[];

const fn fam(
    name: &'static str,
    since: u8,
    until: Option<u8>,
    dataplanes: &'static [Dataplane],
    always: bool,
) -> Family {
    Family {
        name,
        since: Release(since),
        until: match until {
            Some(u) => Some(Release(u)),
            None => None,
        },
        dataplanes,
        always,
    }
}

/// The families that vary. Provisional rows are replaced by the verified ones below.
pub static FAMILIES: &[Family] = &[
    fam("felix_iptables_chains", 26, None, IPT, true),
    fam("felix_nft_chains", 29, None, NFT, true),
    fam("felix_bpf_num_ip_sets", 26, None, BPF, true),
    fam("ipam_ippool_reserved", 33, None, ANY, true),
];

/// The row for a family, if it varies.
pub fn family(name: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.name == name)
}

impl Family {
    pub fn in_release(&self, release: Release) -> bool {
        release >= self.since && self.until.is_none_or(|u| release < u)
    }

    pub fn on(&self, dataplane: Dataplane) -> bool {
        self.dataplanes.is_empty() || self.dataplanes.contains(&dataplane)
    }

    /// Why a cluster may lack this family, in words, for notices.
    pub fn needs(&self) -> String {
        let mut parts = Vec::new();
        if let [d] = self.dataplanes {
            parts.push(format!("the {} dataplane ({})", d.title(), d.how()));
        }
        match (self.since > Release::OLDEST, self.until) {
            (true, Some(u)) => parts.push(format!("Calico {} to {}", self.since, Release(u.0 - 1))),
            (true, None) => parts.push(format!("Calico {} or later", self.since)),
            (false, Some(u)) => parts.push(format!("Calico before {u}")),
            (false, None) => {}
        }
        parts.join(" on ")
    }
}

/// Does `release` on `dataplane` export the family `name`?
pub fn exported(name: &str, release: Release, dataplane: Dataplane) -> bool {
    family(name).is_none_or(|f| f.in_release(release) && f.on(dataplane))
}

/// The releases consistent with what a cluster exports. `observed(f)` says whether family
/// `f` is present, or `None` when its component is not scraped (an absent Felix says nothing
/// about Felix's release). Only `always` families count, and dataplane-bound ones only when
/// that dataplane is in use.
pub fn releases_consistent(
    observed: impl Fn(&Family) -> Option<bool>,
    dataplanes: &[Dataplane],
) -> Vec<Release> {
    let telling: Vec<(&Family, bool)> = FAMILIES
        .iter()
        .filter(|f| f.always)
        .filter(|f| f.dataplanes.is_empty() || dataplanes.iter().any(|d| f.on(*d)))
        .filter_map(|f| observed(f).map(|present| (f, present)))
        .collect();
    Release::all()
        .filter(|&r| telling.iter().all(|(f, present)| f.in_release(r) == *present))
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
    fn each_dataplane_marker_is_its_own() {
        for d in Dataplane::ALL {
            let f = family(d.marker()).expect("marker listed");
            assert_eq!(f.dataplanes, &[d]);
            assert!(f.always && f.since <= d.since());
        }
    }

    #[test]
    fn families_are_unique_and_ordered() {
        let mut names: Vec<_> = FAMILIES.iter().map(|f| f.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), FAMILIES.len());
        for f in FAMILIES {
            assert!(f.until.is_none_or(|u| u > f.since), "{}", f.name);
        }
    }
}
