//! The report's numbers as CSV (`report.csv`), one line per pool, unformatted so that a
//! spreadsheet can compute with them: utilization as a share (0..1), days as decimals, the
//! date as ISO 8601, empty cells where there is no figure. The cluster comes last (empty for a
//! store of one cluster), so the columns before it stay where they were.

use super::Report;

/// The header line; the columns of [`to_csv`].
pub const HEADER: &str =
    "pool,family,size,reserved,in_use,free,utilization,days_to_full,full_by,borrowing_nodes,leaked,action,cluster";

pub fn to_csv(report: &Report) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    for p in &report.pools {
        let cells = [
            cell(&p.name),
            cell(p.family),
            number(Some(p.size)),
            number(Some(p.reserved)),
            number(Some(p.in_use)),
            number(Some(p.free)),
            number(p.utilization),
            number(p.days_to_full),
            p.full_by.clone().unwrap_or_default(),
            p.borrowing.len().to_string(),
            number(Some(p.leaked)),
            cell(
                &serde_json::to_value(p.action.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
            ),
            cell(&p.cluster),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// RFC 4180: quoted when it holds a comma, a quote or a line break (Kubernetes names cannot,
/// but a relabelled `ippool` label can hold anything). A leading `=`, `+`, `-` or `@` is
/// prefixed with `'` so a spreadsheet never runs a label value as a formula.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Shortest decimal that reads back as the same number; empty for none or not finite.
fn number(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        let cases = [
            ("default-ipv4-ippool", "default-ipv4-ippool"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("-1", "'-1"),
        ];
        for (value, want) in cases {
            assert_eq!(cell(value), want);
        }
        assert_eq!(number(Some(0.5234)), "0.5234");
        assert_eq!(number(Some(65536.0)), "65536");
        assert_eq!(number(Some(f64::NAN)), "");
        assert_eq!(number(None), "");
    }
}
