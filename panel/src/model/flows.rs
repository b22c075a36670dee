//! The flow view's model: Goldmane's `flows` table (`calicoscope_model::flows`) summed into a
//! namespace-to-namespace matrix. A row is where traffic comes from, a column where it goes;
//! a cell holds the flows of that pair, their packets by verdict and the policies that
//! decided. Endpoints with no namespace (hosts, global network sets, networks outside the
//! cluster) are grouped by kind after the namespaces, so the matrix stays square and small.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

use crate::frames::Frame;
use calicoscope_model::flows::{field, FLOWS};

use super::Columns;

/// Names past this many (the busiest kept) are left out, and the status line says so.
pub const MAX_NAMES: usize = 1_000;
/// Policies a cell keeps for its tooltip (the first seen; the rest are counted).
const MAX_POLICIES: usize = 6;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flows {
    /// Row and column names: namespaces (sorted), then the groups of endpoints without one.
    pub names: Vec<String>,
    /// `names[..namespaces]` are namespaces: a click can set a variable to them.
    pub namespaces: usize,
    /// The pairs with flows, sorted by (source, destination).
    pub cells: Vec<Cell>,
    /// Connections, each once however many ends reported it (the cells' flows summed).
    pub flows: usize,
    /// Names left out past [`MAX_NAMES`].
    pub dropped: usize,
}

/// The flows from `names[src]` to `names[dst]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    pub src: usize,
    pub dst: usize,
    /// Connections (a workload pair, port and protocol), however many ends reported them.
    pub flows: usize,
    /// Packets in and out, by the connection's verdict: denied when either end denied it.
    pub allowed: f64,
    pub denied: f64,
    pub passed: f64,
    /// Packets allowed now that a staged policy would deny.
    pub staged_denied: f64,
    /// The policies that decided (`tier/kind:name action`), the first [`MAX_POLICIES`].
    pub policies: Vec<String>,
    /// Policies past those.
    pub more_policies: usize,
}

/// What a cell's colour says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Allowed now; a staged policy would deny some of it.
    StagedDeny,
    Denied,
    /// Some allowed, some denied.
    Mixed,
    /// Only passed to the next tier (no final verdict reported).
    Passed,
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Verdict::Allowed,
        Verdict::StagedDeny,
        Verdict::Mixed,
        Verdict::Denied,
        Verdict::Passed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::StagedDeny => "staged policy would deny",
            Verdict::Denied => "denied",
            Verdict::Mixed => "allowed and denied",
            Verdict::Passed => "passed",
        }
    }
}

impl Cell {
    pub fn packets(&self) -> f64 {
        self.allowed + self.denied + self.passed
    }

    pub fn verdict(&self) -> Verdict {
        match (self.allowed > 0.0, self.denied > 0.0) {
            (true, true) => Verdict::Mixed,
            (false, true) => Verdict::Denied,
            (true, false) if self.staged_denied > 0.0 => Verdict::StagedDeny,
            (true, false) => Verdict::Allowed,
            (false, false) => Verdict::Passed,
        }
    }
}

impl Flows {
    /// The cell of a pair, if it has flows.
    pub fn cell(&self, src: usize, dst: usize) -> Option<&Cell> {
        let i = self
            .cells
            .binary_search_by(|c| (c.src, c.dst).cmp(&(src, dst)))
            .ok()?;
        Some(&self.cells[i])
    }

    /// Whether `names[i]` is a namespace (not a group of endpoints without one).
    pub fn is_namespace(&self, i: usize) -> bool {
        i < self.namespaces
    }

    /// Most packets in a cell (the colour's full strength).
    pub fn max_packets(&self) -> f64 {
        self.cells.iter().map(Cell::packets).fold(0.0, f64::max)
    }
}

/// Where an endpoint belongs in the matrix: its namespace, or its group.
pub fn key<'a>(namespace: &'a str, kind: &str, name: &str) -> &'a str {
    if !namespace.is_empty() {
        return namespace;
    }
    match (kind, name) {
        ("network", "pub") => "[internet]",
        ("network", _) => "[private networks]",
        ("host", _) => "[hosts]",
        ("networkset", _) => "[global network sets]",
        _ => "[no namespace]",
    }
}

/// Whether a matrix name is a group rather than a namespace (groups are bracketed, and a
/// Kubernetes namespace name cannot hold a bracket).
pub fn is_group(name: &str) -> bool {
    name.starts_with('[')
}

/// One connection: source and destination cells, then the endpoints' names, the port (as
/// bits: a float is no hash key) and the protocol.
type Connection<'a> = (&'a str, &'a str, (&'a str, &'a str, u64, &'a str));

/// What the reports of one connection say together.
#[derive(Default)]
struct Report<'a> {
    /// 2 deny, 1 allow, 0 pass: the strongest verdict either end reported.
    verdict: u8,
    packets: f64,
    staged: bool,
    policies: Vec<&'a str>,
}

/// Reads the `flows` frame.
pub fn read<'a>(frames: &'a [Frame]) -> Result<Flows, String> {
    let frame = frames.iter().find(|f| f.name == FLOWS).ok_or_else(|| {
        format!(
            "The flow view needs a Goldmane flows query (\"Flows\" or \"Denied flows\"): frame `{FLOWS}` is missing (got {}).",
            super::describe(frames)
        )
    })?;
    let c = Columns {
        frame,
        query: FLOWS,
    };
    // Each column once: a refresh of 10,000 flows reads 100,000 cells.
    let text = |name| c.texts(name);
    let [src_ns, src_type, src_name, dst_ns, dst_type, dst_name, action, enforced] = [
        field::SOURCE_NAMESPACE,
        field::SOURCE_TYPE,
        field::SOURCE_NAME,
        field::DEST_NAMESPACE,
        field::DEST_TYPE,
        field::DEST_NAME,
        field::ACTION,
        field::ENFORCED,
    ]
    .map(text);
    let (src_ns, src_type, src_name) = (src_ns?, src_type?, src_name?);
    let (dst_ns, dst_type, dst_name) = (dst_ns?, dst_type?, dst_name?);
    let (action, enforced) = (action?, enforced?);
    let pending = c.texts(field::PENDING_ACTION).unwrap_or_default();
    let protocol = c.texts(field::PROTOCOL).unwrap_or_default();
    let port = c.numbers(field::DEST_PORT).unwrap_or_default();
    let (packets_in, packets_out) = (
        c.numbers(field::PACKETS_IN)?,
        c.numbers(field::PACKETS_OUT)?,
    );
    let at = |v: &'a [String], i: usize| v.get(i).map_or("", String::as_str);
    let number = |v: &[f64], i: usize| v.get(i).copied().filter(|x| x.is_finite()).unwrap_or(0.0);
    // Both ends' Felix report a flow (reporter `src` and `dst`), each with its own verdict:
    // one connection is denied when either end denied it, and its packets count once.
    // Fx rather than SipHash: the sums are most of a refresh's cost, and the keys come from
    // the datasource's answer, not from a network peer.
    let mut connections: FxHashMap<Connection, Report<'a>> = FxHashMap::default();
    for i in 0..frame.len() {
        let src = key(at(src_ns, i), at(src_type, i), at(src_name, i));
        let dst = key(at(dst_ns, i), at(dst_type, i), at(dst_name, i));
        let endpoints = (
            at(src_name, i),
            at(dst_name, i),
            number(port, i).to_bits(),
            at(protocol, i),
        );
        let packets = number(packets_in, i) + number(packets_out, i);
        let action = at(action, i);
        let report = connections.entry((src, dst, endpoints)).or_default();
        report.packets = report.packets.max(packets);
        report.verdict = report.verdict.max(match action {
            "deny" => 2,
            "allow" => 1,
            _ => 0,
        });
        report.staged |= at(pending, i) == "deny" && action != "deny";
        for p in at(enforced, i).split("; ").filter(|p| !p.is_empty()) {
            if !report.policies.contains(&p) {
                report.policies.push(p);
            }
        }
    }
    let mut sums: FxHashMap<(&str, &str), Cell> = FxHashMap::default();
    for ((src, dst, _), report) in connections {
        let cell = sums.entry((src, dst)).or_default();
        cell.flows += 1;
        match report.verdict {
            2 => cell.denied += report.packets,
            1 if report.staged => {
                cell.allowed += report.packets;
                cell.staged_denied += report.packets;
            }
            1 => cell.allowed += report.packets,
            _ => cell.passed += report.packets,
        }
        for p in report.policies {
            if cell.policies.iter().any(|q| q == p) {
                continue;
            }
            match cell.policies.len() < MAX_POLICIES {
                true => cell.policies.push(p.to_string()),
                false => cell.more_policies += 1,
            }
        }
    }
    let flows = sums.values().map(|c| c.flows).sum();
    Ok(matrix(sums, flows))
}

/// The summed pairs as a matrix: names sorted (namespaces first), the busiest
/// [`MAX_NAMES`] kept.
fn matrix<'a>(sums: FxHashMap<(&'a str, &'a str), Cell>, flows: usize) -> Flows {
    let mut traffic: FxHashMap<&'a str, f64> = FxHashMap::default();
    for ((s, d), cell) in &sums {
        *traffic.entry(*s).or_default() += cell.packets() + 1.0;
        *traffic.entry(*d).or_default() += cell.packets() + 1.0;
    }
    let mut busiest: Vec<(&str, f64)> = traffic.into_iter().collect();
    busiest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let dropped = busiest.len().saturating_sub(MAX_NAMES);
    let kept: BTreeSet<(bool, &str)> = busiest
        .iter()
        .take(MAX_NAMES)
        .map(|(n, _)| (is_group(n), *n))
        .collect();
    let names: Vec<String> = kept.iter().map(|(_, n)| n.to_string()).collect();
    let namespaces = kept.iter().filter(|(g, _)| !g).count();
    let index: FxHashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut cells: Vec<Cell> = sums
        .into_iter()
        .filter_map(|((s, d), cell)| {
            let (src, dst) = (*index.get(s)?, *index.get(d)?);
            Some(Cell { src, dst, ..cell })
        })
        .collect();
    cells.sort_by_key(|c| (c.src, c.dst));
    Flows {
        names,
        namespaces,
        cells,
        flows,
        dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frames::{Field, Values};

    type Row<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        f64,
        &'a str,
    );

    fn field_of(name: &str, values: Values) -> Field {
        Field {
            name: name.into(),
            labels: vec![],
            display_name: None,
            unit: None,
            values,
        }
    }

    /// A `flows` frame of rows (source namespace, type and name, destination namespace,
    /// action, pending action, packets, policies).
    pub fn frame(rows: &[Row]) -> Frame {
        let text = |name: &str, f: fn(&Row) -> String| {
            field_of(name, Values::Text(rows.iter().map(f).collect()))
        };
        let number = |name: &str, v: Vec<f64>| field_of(name, Values::Number(v));
        Frame {
            name: FLOWS.into(),
            ref_id: "A".into(),
            fields: vec![
                text(field::SOURCE_NAMESPACE, |r| r.0.into()),
                text(field::SOURCE_TYPE, |r| r.1.into()),
                text(field::SOURCE_NAME, |r| r.2.into()),
                text(field::DEST_NAMESPACE, |r| r.3.into()),
                text(field::DEST_TYPE, |_| "workload".into()),
                text(field::DEST_NAME, |_| "api-".into()),
                text(field::ACTION, |r| r.4.into()),
                text(field::PENDING_ACTION, |r| r.5.into()),
                text(field::ENFORCED, |r| r.7.into()),
                number(field::PACKETS_IN, rows.iter().map(|r| r.6).collect()),
                number(field::PACKETS_OUT, vec![f64::NAN; rows.len()]),
            ],
        }
    }

    #[test]
    fn rows_sum_into_pairs_with_groups_after_the_namespaces() {
        let f = read(&[frame(&[
            (
                "shop",
                "workload",
                "web-",
                "payments",
                "allow",
                "allow",
                10.0,
                "default/knp:payments/api allow",
            ),
            (
                "shop",
                "workload",
                "worker-",
                "payments",
                "deny",
                "deny",
                4.0,
                "default/knp:payments/api allow; default/knp:payments/deny-all deny",
            ),
            (
                "",
                "network",
                "pub",
                "shop",
                "allow",
                "deny",
                7.0,
                "default/gnp:ingress allow",
            ),
            ("", "host", "node-1", "shop", "pass", "pass", 1.0, ""),
            // One connection, reported by both ends: the source allowed it, the
            // destination denied it. It is one denied flow, its packets counted once.
            (
                "payments", "workload", "cart-", "payments", "allow", "allow", 6.0, "",
            ),
            (
                "payments", "workload", "cart-", "payments", "deny", "deny", 6.0, "",
            ),
        ])])
        .unwrap();
        assert_eq!(f.names, ["payments", "shop", "[hosts]", "[internet]"]);
        assert_eq!(
            (f.namespaces, f.flows, f.dropped),
            (2, 5, 0),
            "six reports, five flows"
        );
        let both_ends = f.cell(0, 0).unwrap();
        assert_eq!(
            (both_ends.flows, both_ends.denied, both_ends.allowed),
            (1, 6.0, 0.0)
        );
        assert_eq!(both_ends.verdict(), Verdict::Denied);
        let shop_pay = f.cell(1, 0).unwrap();
        assert_eq!(
            (shop_pay.flows, shop_pay.allowed, shop_pay.denied),
            (2, 10.0, 4.0)
        );
        assert_eq!(shop_pay.verdict(), Verdict::Mixed);
        assert_eq!(
            shop_pay.policies,
            [
                "default/knp:payments/api allow",
                "default/knp:payments/deny-all deny"
            ],
            "each policy once"
        );
        let internet = f.cell(3, 1).unwrap();
        assert_eq!(
            (internet.verdict(), internet.staged_denied),
            (Verdict::StagedDeny, 7.0)
        );
        assert_eq!(f.cell(2, 1).unwrap().verdict(), Verdict::Passed);
        assert_eq!(f.cell(0, 1), None, "no flows back");
        assert!(f.is_namespace(1) && !f.is_namespace(2));
        assert_eq!(f.max_packets(), 14.0);
    }

    #[test]
    fn the_quietest_names_past_the_cap_are_dropped_and_counted() {
        let names: Vec<String> = (0..MAX_NAMES + 10).map(|i| format!("ns-{i:04}")).collect();
        let rows: Vec<_> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    n.as_str(),
                    "workload",
                    "a-",
                    "hub",
                    "allow",
                    "allow",
                    i as f64,
                    "",
                )
            })
            .collect();
        let f = read(&[frame(&rows)]).unwrap();
        assert_eq!(
            (f.names.len(), f.dropped),
            (MAX_NAMES, 11),
            "1,011 names with the hub"
        );
        assert!(
            !f.names.contains(&"ns-0000".to_string()),
            "the quietest goes"
        );
        assert!(f.names.contains(&"hub".to_string()));
        assert!(f
            .cells
            .iter()
            .all(|c| c.src < f.names.len() && c.dst < f.names.len()));
    }

    #[test]
    fn a_missing_frame_or_field_is_named() {
        let e = read(&[]).unwrap_err();
        assert!(
            e.contains("Goldmane flows query") && e.contains("`flows`"),
            "{e}"
        );
        let mut broken = frame(&[("a", "workload", "x", "b", "allow", "allow", 1.0, "")]);
        broken.fields.retain(|f| f.name != field::ACTION);
        let e = read(&[broken]).unwrap_err();
        assert!(
            e.contains("no `action` field") && e.contains("`flows` query"),
            "{e}"
        );
    }
}
