//! The exposition checks that `promtool check metrics` does not make.
//!
//! The tests run the real promtool (Prometheus 2.42, `tests/promtool.rs`) on the pages of
//! every Calico release and dataplane. It parses the text with client_golang's `expfmt`
//! and lints it with `promlint`, so it already rejects malformed lines, bad metric and
//! label names, bad escapes, values and timestamps, unknown types, a second HELP or TYPE
//! line, a TYPE after its samples, repeated label names, a missing HELP, a `quantile`
//! label outside a summary, and names against Prometheus's conventions.
//!
//! Fed a page with one of the faults below, promtool 2.42 exits 0 and says nothing
//! (`tests/promtool.rs` keeps one such page per check and asserts that), so this module
//! checks them:
//!
//! 1. Every family has a TYPE line. `expfmt` takes a family without one as untyped;
//!    Calico's families are all typed (client_golang always writes the TYPE), so an
//!    untyped one is a renderer bug.
//! 2. A family's samples are contiguous. The format asks for one group per family;
//!    `expfmt` merges scattered samples by name.
//! 3. No series appears twice. `expfmt` keeps both; a Prometheus scrape keeps one
//!    and counts the other as a duplicate, so a test reading the page would disagree
//!    with Prometheus.
//! 4. A summary's samples named after the family have a `quantile` label. `expfmt`
//!    drops such a sample without a word.
//! 5. All series of a family have the same label names (besides a summary's `quantile`
//!    and a histogram's `le`). Calico's families are client_golang vectors, whose label
//!    names are fixed when they are registered; the text format itself allows any mix.
//!
//! Lines these checks cannot read are reported too, without the detail promtool gives.

use std::collections::{HashMap, HashSet};

pub fn check_exposition(text: &str) -> Result<(), String> {
    let mut page = Page::default();
    for (i, line) in text.lines().enumerate() {
        page.line(line)
            .map_err(|msg| format!("line {}: {msg}: {line:?}", i + 1))?;
    }
    Ok(())
}

#[derive(Default)]
struct Page<'a> {
    /// TYPE lines: family name -> kind.
    types: HashMap<&'a str, &'a str>,
    /// The family whose samples are being read.
    current: Option<&'a str>,
    /// Families whose samples ended.
    finished: HashSet<&'a str>,
    /// The label names of each family's first series, sorted.
    label_names: HashMap<&'a str, Vec<&'a str>>,
    /// Series (name and labels) seen so far.
    seen: HashSet<&'a str>,
}

impl<'a> Page<'a> {
    fn line(&mut self, line: &'a str) -> Result<(), String> {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            if let Some((name, kind)) = rest.split_once(' ') {
                self.types.insert(name, kind);
            }
            return Ok(());
        }
        if line.is_empty() || line.starts_with('#') {
            return Ok(());
        }
        let sample = Sample::read(line).ok_or("cannot read the sample (promtool says why)")?;
        let family = self.family_of(&sample)?;
        self.contiguous(family)?;
        self.same_label_names(family, &sample)?;
        if !self.seen.insert(sample.series) {
            return Err("duplicate series".to_string());
        }
        Ok(())
    }

    /// The family a sample belongs to: its own name, or the summary or histogram that
    /// its `_sum`, `_count` or `_bucket` suffix points at.
    fn family_of(&self, s: &Sample<'a>) -> Result<&'a str, String> {
        if let Some(kind) = self.types.get(s.name) {
            if *kind == "summary" && !s.label_names.contains(&"quantile") {
                return Err("summary sample without quantile".to_string());
            }
            return Ok(s.name);
        }
        for suffix in ["_sum", "_count", "_bucket"] {
            let Some(base) = s.name.strip_suffix(suffix) else {
                continue;
            };
            if matches!(self.types.get(base), Some(&("summary" | "histogram"))) {
                return Ok(base);
            }
        }
        Err(format!("sample {} without a TYPE line", s.name))
    }

    fn contiguous(&mut self, family: &'a str) -> Result<(), String> {
        if self.current == Some(family) {
            return Ok(());
        }
        if self.finished.contains(family) {
            return Err(format!("family {family} is not contiguous"));
        }
        if let Some(prev) = self.current.replace(family) {
            self.finished.insert(prev);
        }
        Ok(())
    }

    fn same_label_names(&mut self, family: &'a str, s: &Sample<'a>) -> Result<(), String> {
        // `_sum` and `_count` lack the label that tells a summary's or histogram's
        // lines apart.
        let own = match self.types.get(family) {
            Some(&"summary") => "quantile",
            Some(&"histogram") => "le",
            _ => "",
        };
        let mut names: Vec<&str> = s.label_names.clone();
        names.retain(|n| *n != own);
        names.sort_unstable();
        let first = self
            .label_names
            .entry(family)
            .or_insert_with(|| names.clone());
        if *first != names {
            return Err(format!(
                "labels {names:?} differ from the family's first series {first:?}"
            ));
        }
        Ok(())
    }
}

/// What the checks need of a sample line: its name, label names, and the series text
/// (name and labels, without the value).
struct Sample<'a> {
    name: &'a str,
    label_names: Vec<&'a str>,
    series: &'a str,
}

impl<'a> Sample<'a> {
    /// None when the line is not `name[{label="value",...}] value...`.
    fn read(line: &'a str) -> Option<Sample<'a>> {
        let name_end = line.find(['{', ' '])?;
        let mut sample = Sample {
            name: &line[..name_end],
            label_names: Vec::new(),
            series: &line[..name_end],
        };
        if line[name_end..].starts_with('{') {
            let end = sample.read_labels(line, name_end + 1)?;
            sample.series = &line[..end];
        }
        Some(sample)
    }

    /// Reads `a="x",b="y"}` from `at`; returns the offset just past `}`.
    fn read_labels(&mut self, line: &'a str, mut at: usize) -> Option<usize> {
        loop {
            let rest = &line[at..];
            if rest.starts_with('}') {
                return Some(at + 1);
            }
            let eq = rest.find("=\"")?;
            self.label_names.push(&rest[..eq]);
            at += eq + 2;
            at += closing_quote(&line[at..])? + 1;
            if line[at..].starts_with(',') {
                at += 1;
            }
        }
    }
}

/// The offset of the quote that ends a label value, skipping escaped characters.
fn closing_quote(value: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in value.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::check_exposition;

    #[test]
    fn accepts_valid_text() {
        let text = "# HELP a x\n# TYPE a gauge\na{b=\"1\"} 1\na{b=\"c\\\"d,e=\\\"}\"} 2.5e-3\n\
                    # TYPE s summary\ns{i=\"1\",quantile=\"0.5\"} 1\ns_sum{i=\"1\"} 3\ns_count{i=\"1\"} 2\n\
                    # TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n";
        check_exposition(text).unwrap();
    }

    #[test]
    fn reports_lines_it_cannot_read() {
        for text in [
            "# TYPE a gauge\na{b=c} 1\n",
            "# TYPE a gauge\na{b=\"x} 1\n",
            "a\n",
        ] {
            let err = check_exposition(text).unwrap_err();
            assert!(err.contains("cannot read"), "{text:?}: {err}");
        }
    }
}
