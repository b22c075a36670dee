//! Runs the real `promtool check metrics` (Debian's prometheus 2.42 package, installed by
//! `scripts/setup.sh`) on the simulator's pages for every Calico release and dataplane.
//!
//! Calico's own metric names break some of promtool's naming rules, and the simulator
//! must serve the real names, so promtool's findings must be exactly the ones listed in
//! [`CALICO_NAMES`] for the families on the page: nothing else, nothing missing.
//! `CALICOSCOPE_PROMTOOL_BIN` overrides the path.

use calicoscope_model::calico::{Dataplane, Release};
use calicoscope_sim::{check_exposition, Cluster, Config, Scenarios};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const COUNTER: &str = "counter metrics should have \"_total\" suffix";
const NOT_COUNTER: &str = "non-counter metrics should not have \"_total\" suffix";

/// promtool's findings on Calico's real names: (family, finding, why it is Calico's name).
const CALICO_NAMES: &[(&str, &str, &str)] = &[
    ("ipam_allocations_gc_reclamations", COUNTER, "calico-kube-controllers' IPAM GC counter; the catalog queries this name"),
    ("felix_resyncs_started", COUNTER, "Felix's datastore resync counter; the catalog queries this name"),
    ("felix_int_dataplane_failures", COUNTER, "Felix's dataplane failure counter; the catalog queries this name"),
    ("felix_int_dataplane_messages", COUNTER, "Felix's per-type dataplane message counter"),
    ("felix_iptables_restore_calls", COUNTER, "Felix's iptables-restore call counter (felix/iptables)"),
    ("felix_iptables_restore_errors", COUNTER, "Felix's iptables-restore error counter; the catalog queries this name"),
    ("felix_iptables_save_calls", COUNTER, "Felix's iptables-save call counter (felix/iptables)"),
    ("felix_iptables_save_errors", COUNTER, "Felix's iptables-save error counter; the catalog queries this name"),
    ("felix_iptables_lines_executed", COUNTER, "Felix's per-table iptables update counter (felix/iptables/table.go)"),
    ("felix_iptables_lock_retries", COUNTER, "Felix's iptables lock retry counter, until 3.31 (felix/iptables/lock*.go)"),
    ("felix_ipset_calls", COUNTER, "Felix's ipset command counter (felix/ipsets)"),
    ("felix_ipset_errors", COUNTER, "Felix's ipset failure counter; the catalog and the Felix dashboard query this name"),
    ("felix_nft_calls", COUNTER, "Felix's nft transaction counter, 3.29+ (felix/nftables)"),
    ("felix_nft_errors", COUNTER, "Felix's nft error counter, 3.29+; the catalog and the Felix dashboard query this name"),
    ("felix_nft_list_calls", COUNTER, "Felix's nft list counter, 3.29+ (felix/nftables)"),
    ("felix_nft_list_errors", COUNTER, "Felix's nft list error counter, 3.29+; the catalog queries this name"),
    ("felix_nft_set_calls", COUNTER, "Felix's nftables set transaction counter, 3.29+ (felix/nftables)"),
    ("felix_nft_set_errors", COUNTER, "Felix's nftables set failure counter, 3.29+; the catalog queries this name"),
    ("felix_bpf_conntrack_sweeps", COUNTER, "Felix's BPF conntrack sweep counter, 3.30+ (felix/bpf/conntrack)"),
    ("typha_connections_accepted", COUNTER, "Typha's accepted-connection counter; the catalog and the Typha dashboard query this name"),
    ("typha_connections_dropped", COUNTER, "Typha's rebalancing drop counter; the catalog and the Typha dashboard query this name"),
    ("typha_updates_skipped", COUNTER, "Typha's per-syncer duplicate update counter"),
    ("felix_ipsets_total", NOT_COUNTER, "a gauge: Felix's count of active IP sets (\"Total number of active IP sets.\")"),
    ("felix_bpf_conntrack_maglev_entries_total", NOT_COUNTER, "a gauge: Felix's Maglev conntrack entries on BPF, 3.32+ (\"Total number of Maglev entries...\")"),
];

fn promtool() -> PathBuf {
    let bin = std::env::var_os("CALICOSCOPE_PROMTOOL_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/promtool"));
    assert!(
        bin.is_file(),
        "{} not found: run `bash scripts/setup.sh` (Debian's prometheus package has promtool)",
        bin.display()
    );
    bin
}

/// promtool's findings on `text`, one per line; empty when it has none. Err when promtool
/// cannot parse the text (exit 1) or fails otherwise.
fn check_metrics(text: &str) -> Result<Vec<String>, String> {
    let mut child = Command::new(promtool())
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run promtool: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let input = text.to_string();
    // promtool reads all of stdin before it writes; a thread keeps big pages from blocking.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    writer
        .join()
        .map_err(|_| "writer panicked")?
        .map_err(|e| e.to_string())?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let findings: Vec<String> = said.lines().map(str::to_string).collect();
    // 0: clean; 3: lint findings (promtool's lintErrExitCode); anything else is a failure.
    match out.status.code() {
        Some(0 | 3) => Ok(findings),
        _ => Err(format!("promtool {}: {said}", out.status)),
    }
}

/// The findings expected on `page`: those of [`CALICO_NAMES`] whose family it carries.
fn expected(page: &str) -> Vec<String> {
    CALICO_NAMES
        .iter()
        .filter(|(name, _, _)| page.contains(&format!("# TYPE {name} ")))
        .map(|(name, finding, _)| format!("{name} {finding}"))
        .collect()
}

fn pages(cfg: &Config) -> [(&'static str, String); 3] {
    let c = Cluster::at(cfg, 4000.0);
    [
        ("kube-controllers", c.render_kube_controllers()),
        ("felix", c.render_felix()),
        ("typha", c.render_typha()),
    ]
}

fn profiles() -> Vec<Config> {
    let mut all = Vec::new();
    for release in Release::all() {
        for dataplane in Dataplane::ALL.into_iter().filter(|d| d.since() <= release) {
            all.push(Config::profile(5, release, dataplane));
        }
    }
    let mut quiet = Config::demo(200);
    quiet.scenarios = Scenarios::none();
    all.push(quiet);
    all
}

#[test]
fn promtool_finds_only_calicos_own_names() {
    let mut seen = std::collections::BTreeSet::new();
    for cfg in profiles() {
        for (page_name, page) in pages(&cfg) {
            let at = format!(
                "{page_name} page, {} nodes, Calico {} {}",
                cfg.nodes, cfg.release, cfg.dataplane
            );
            let mut found = check_metrics(&page).unwrap_or_else(|e| panic!("{at}: {e}"));
            let mut want = expected(&page);
            found.sort();
            want.sort();
            assert_eq!(
                found, want,
                "{at}: promtool's findings (left) differ from CALICO_NAMES (right)"
            );
            check_exposition(&page).unwrap_or_else(|e| panic!("{at}: {e}"));
            seen.extend(found);
        }
    }
    // Every entry of the table is needed by some profile.
    for (name, finding, _) in CALICO_NAMES {
        assert!(
            seen.contains(&format!("{name} {finding}")),
            "{name} never reported: drop it from CALICO_NAMES"
        );
    }
}

/// One page per check in `calicoscope_sim::lint`, each a fault promtool lets through.
const MISSED_BY_PROMTOOL: [(&str, &str); 5] = [
    ("# HELP a x\na 1\n", "without a TYPE line"),
    (
        "# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na{x=\"1\"} 1\n",
        "not contiguous",
    ),
    (
        "# HELP a x\n# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n",
        "duplicate series",
    ),
    ("# HELP s x\n# TYPE s summary\ns 1\n", "without quantile"),
    (
        "# HELP a x\n# TYPE a gauge\na{x=\"1\"} 1\na{y=\"1\"} 1\n",
        "differ",
    ),
];

#[test]
fn lint_checks_exactly_what_promtool_misses() {
    for (text, why) in MISSED_BY_PROMTOOL {
        assert_eq!(
            check_metrics(text),
            Ok(vec![]),
            "promtool now reports {text:?}: drop the check from lint.rs"
        );
        let err = check_exposition(text).unwrap_err();
        assert!(err.contains(why), "{text:?}: {err}");
    }
}

#[test]
fn promtool_reports_faults() {
    let parse_error = "# HELP a x\n# TYPE a gauge\na{b=\"\\x\"} 1\n";
    assert!(check_metrics(parse_error)
        .unwrap_err()
        .contains("invalid escape sequence"));
    let lint = "# HELP a_total x\n# TYPE a_total gauge\na_total 1\n";
    assert_eq!(
        check_metrics(lint).unwrap(),
        [format!("a_total {NOT_COUNTER}")]
    );
}
