//! The panel's numbers: counts and percentages are the model's (the CLI report prints the
//! same), plus values in the Grafana units the heatmap shows.

pub use calicoscope_model::format::{count, percent};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_units() {
        let cases = [
            (value(0.25, Some("percentunit")), "25%"),
            (value(42.34, Some("percent")), "42.3%"),
            (value(0.0042, Some("s")), "4 ms"),
            (value(2.5, Some("s")), "2.50 s"),
            (value(3.5, None), "3.500"),
            (value(11520.0, Some("short")), "11,520"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }
}
