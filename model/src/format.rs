//! Numbers as people read them, the same in the CLI report and the panel: `11,520`,
//! `3.4 million`, `1.2×10^24`, `82%`, `5.1%`, `<0.1%`.

/// Whole counts with thousands separators below a million, then words (`3.4 million`), then
/// powers of ten (`1.2×10^24`: IPv6 pool sizes are far past what digits can show).
/// Non-finite values print as `–`.
pub fn count(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if a >= 1e15 {
        let exp = a.log10().floor() as i32;
        return format!("{:.1}×10^{exp}", v / 10f64.powi(exp));
    }
    for (scale, word) in [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")] {
        if a >= scale {
            return format!("{:.1} {word}", v / scale);
        }
    }
    let n = v.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// A 0..1 ratio as a percentage: whole percents, one decimal below 10%, and `<0.1%` for the
/// tiny shares of IPv6 pools (never `0%` when something is in use). Non-finite is `–`.
pub fn percent(ratio: f64) -> String {
    if !ratio.is_finite() {
        return "–".into();
    }
    let p = ratio * 100.0;
    if p > 0.0 && p < 0.1 {
        return "<0.1%".into();
    }
    if p.abs() < 10.0 && p.fract() != 0.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// A count and its noun: `1 node`, `3 nodes`, `1.2 million addresses`.
pub fn plural(n: f64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1.0 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            (count(0.0), "0"),
            (count(999.0), "999"),
            (count(1000.0), "1,000"),
            (count(11520.0), "11,520"),
            (count(999_999.0), "999,999"),
            (count(1_234_567.0), "1.2 million"),
            (count(-1_234_567.0), "-1.2 million"),
            (count(-4321.0), "-4,321"),
            (count(3.4e9), "3.4 billion"),
            (count(1.2089e24), "1.2×10^24"),
            (count(f64::NAN), "–"),
            (count(f64::INFINITY), "–"),
            (percent(0.825), "82%"),
            (percent(0.0512), "5.1%"),
            (percent(0.05), "5%"),
            (percent(1.0), "100%"),
            (percent(7e-21), "<0.1%"),
            (percent(0.0), "0%"),
            (percent(f64::NAN), "–"),
            (percent(f64::INFINITY), "–"),
            (plural(1.0, "node", "nodes"), "1 node"),
            (plural(3.0, "node", "nodes"), "3 nodes"),
            (plural(0.0, "node", "nodes"), "0 nodes"),
            (plural(12_000.0, "address", "addresses"), "12,000 addresses"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }
}
