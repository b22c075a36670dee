//! The Prometheus text exposition writer (format 0.0.4): HELP and TYPE lines, samples,
//! summaries, label value escaping and number formatting. It knows nothing of the
//! components; the one Calico fact it holds is which families a profile exports, so
//! that the renderers can write every family they know and the profile decides.
//!
//! Everything goes straight into one pre-sized String: a 5000-node Felix page is ~30 MB
//! and is scraped every second, so no per-sample allocation.

use crate::felix::Summary;
use calicoscope_model::calico::{present, Dataplane, Release};
use std::fmt::Write;

/// A sample value: counters and counts stay exact integers.
#[derive(Clone, Copy)]
pub enum Value {
    Int(u64),
    Float(f64),
}

impl From<u64> for Value {
    fn from(v: u64) -> Value {
        Value::Int(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}

/// One exposition page. Families the Calico release and dataplane do not export
/// (`calicoscope_model::calico`) are dropped with their samples.
pub struct Writer {
    out: String,
    release: Release,
    dataplane: Dataplane,
    /// The current family is not exported by this profile.
    skipping: bool,
}

impl Writer {
    /// `bytes` pre-sizes the page; a good guess saves the copies of a growing String.
    pub fn new(release: Release, dataplane: Dataplane, bytes: usize) -> Writer {
        Writer {
            out: String::with_capacity(bytes),
            release,
            dataplane,
            skipping: false,
        }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// HELP and TYPE lines; every family gets exactly one, before its samples.
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        self.skipping = !present(name, self.release, self.dataplane);
        if self.skipping {
            return;
        }
        let _ = writeln!(
            self.out,
            "# HELP {name} {}",
            help.replace('\\', "\\\\").replace('\n', "\\n")
        );
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }

    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Into<Value>) {
        if self.skipping {
            return;
        }
        self.series(name, "", labels, None, value.into());
    }

    /// The five lines of a summary: three quantiles, _sum and _count.
    pub fn summary(&mut self, name: &str, labels: &[(&str, &str)], s: &Summary) {
        if self.skipping {
            return;
        }
        for (q, v) in [("0.5", s.p50), ("0.9", s.p90), ("0.99", s.p99)] {
            self.series(name, "", labels, Some(("quantile", q)), Value::Float(v));
        }
        self.series(name, "_sum", labels, None, Value::Float(s.sum));
        self.series(name, "_count", labels, None, Value::Int(s.count));
    }

    fn series(
        &mut self,
        name: &str,
        suffix: &str,
        labels: &[(&str, &str)],
        extra: Option<(&str, &str)>,
        v: Value,
    ) {
        self.out.push_str(name);
        self.out.push_str(suffix);
        let mut sep = '{';
        for (k, val) in labels.iter().chain(extra.as_ref()) {
            self.out.push(sep);
            self.out.push_str(k);
            self.out.push_str("=\"");
            push_escaped(&mut self.out, val);
            self.out.push('"');
            sep = ',';
        }
        if sep == ',' {
            self.out.push('}');
        }
        self.out.push(' ');
        push_value(&mut self.out, v);
        self.out.push('\n');
    }
}

/// Label value escaping per the exposition format: backslash, quote, newline.
pub fn push_escaped(out: &mut String, value: &str) {
    if !value.bytes().any(|b| matches!(b, b'\\' | b'"' | b'\n')) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

fn push_value(out: &mut String, v: Value) {
    let _ = match v {
        Value::Int(u) => {
            push_u64(out, u);
            Ok(())
        }
        Value::Float(f) if f.is_nan() => write!(out, "NaN"),
        Value::Float(f) if f.is_infinite() => {
            write!(out, "{}Inf", if f > 0.0 { '+' } else { '-' })
        }
        Value::Float(f) if f.fract() == 0.0 && (0.0..1e15).contains(&f) => {
            push_u64(out, f as u64);
            Ok(())
        }
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => write!(out, "{}", f as i64),
        // Debug switches to exponent form for large and tiny values (1.2089258196146292e24),
        // which Prometheus parses and which keeps the line short.
        Value::Float(f) => write!(out, "{f:?}"),
    };
}

/// Decimal digits without going through `fmt` (the hot path of a 20 MB page).
fn push_u64(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::check_exposition;

    #[test]
    fn integers_print_exactly() {
        let mut out = String::new();
        for v in [0, 7, 10, 1234567890, u64::MAX] {
            out.clear();
            push_u64(&mut out, v);
            assert_eq!(out, v.to_string());
        }
    }

    #[test]
    fn floats_print_as_prometheus_reads_them() {
        let cases = [
            (3.0, "3"),
            (-2.0, "-2"),
            (1.5, "1.5"),
            // Past the integer fast path, Debug keeps plain digits up to 1e16.
            (1e15, "1000000000000000.0"),
            (2f64.powi(80), "1.2089258196146292e24"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for (v, want) in cases {
            let mut out = String::new();
            push_value(&mut out, Value::Float(v));
            assert_eq!(out, want, "{v}");
        }
    }

    #[test]
    fn escapes_label_values() {
        let mut e = Writer::new(Release::NEWEST, Dataplane::Iptables, 64);
        e.family("x", "gauge", "help");
        e.sample("x", &[("a", "q\"b\\s\nn")], 1.5);
        let text = e.finish();
        assert!(text.ends_with("x{a=\"q\\\"b\\\\s\\nn\"} 1.5\n"), "{text}");
        check_exposition(&text).unwrap();
    }
}
