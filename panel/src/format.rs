//! Numbers as people read them: `11,520`, `3.4 million`, `82.5%`, `1.2×10^24`.

/// Whole counts with thousands separators up to a million, then words, then powers of ten.
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
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// A 0..1 ratio as a percentage with one decimal below 10%.
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

/// A value in a Grafana unit (only the units the catalog uses get special treatment).
pub fn value(v: f64, unit: Option<&str>) -> String {
    match unit {
        Some("percentunit") => percent(v),
        Some("percent") => format!("{v:.1}%"),
        Some("s") if v.is_finite() && v < 1.0 => format!("{:.0} ms", v * 1000.0),
        Some("s") if v.is_finite() => format!("{v:.2} s"),
        _ if v.is_finite() && v.fract() != 0.0 && v.abs() < 1000.0 => format!("{v:.3}"),
        _ => count(v),
    }
}

/// "1 node" / "3 nodes".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n as f64), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            (count(0.0), "0"),
            (count(11520.0), "11,520"),
            (count(-1234567.0), "-1.2 million"),
            (count(999_999.0), "999,999"),
            (count(1.2089e24), "1.2×10^24"),
            (count(f64::NAN), "–"),
            (percent(0.825), "82%"),
            (percent(0.0512), "5.1%"),
            (percent(1.0), "100%"),
            (percent(7e-21), "<0.1%"),
            (percent(0.0), "0%"),
            (value(0.25, Some("percentunit")), "25%"),
            (value(0.0042, Some("s")), "4 ms"),
            (value(3.5, None), "3.500"),
            (plural(1, "node", "nodes"), "1 node"),
            (plural(3, "node", "nodes"), "3 nodes"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }
}
