//! A small checker for the Prometheus text exposition format, used by the tests here
//! and usable by other crates' tests against a running simulator.
//!
//! Checks: every sample line is `name[{label="value",...}] value [timestamp]`; names
//! and label names are legal; label values use only the `\\`, `\"`, `\n` escapes;
//! every family has exactly one TYPE line, before its samples; a family's samples
//! are contiguous; summary samples are `name{quantile=..}`, `name_sum`, `name_count`;
//! no series appears twice.

use std::collections::{HashMap, HashSet};

const KINDS: [&str; 5] = ["counter", "gauge", "summary", "histogram", "untyped"];

pub fn check_exposition(text: &str) -> Result<(), String> {
    let mut types: HashMap<String, String> = HashMap::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut current: Option<String> = None;
    let mut seen: HashSet<&str> = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let at = |msg: String| format!("line {}: {msg}: {line:?}", i + 1);
        if let Some(rest) = line.strip_prefix('#') {
            check_comment(rest, &mut types, &finished).map_err(at)?;
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let (series, labels) = parse_sample(line).map_err(at)?;
        let family = family_of(&series, &labels, &types).map_err(at)?;
        if current.as_deref() != Some(family.as_str()) {
            if finished.contains(&family) {
                return Err(at(format!("family {family} is not contiguous")));
            }
            if let Some(prev) = current.replace(family.clone()) {
                finished.insert(prev);
            }
        }
        let key = line.rsplit_once(' ').map(|(k, _)| k).unwrap_or(line);
        if !seen.insert(key) {
            return Err(at("duplicate series".to_string()));
        }
    }
    Ok(())
}

fn check_comment(
    rest: &str,
    types: &mut HashMap<String, String>,
    finished: &HashSet<String>,
) -> Result<(), String> {
    let mut parts = rest.trim_start().splitn(3, ' ');
    match parts.next() {
        Some("TYPE") => {
            let name = parts.next().ok_or("TYPE without a name")?;
            let kind = parts.next().ok_or("TYPE without a kind")?;
            check_name(name)?;
            if !KINDS.contains(&kind) {
                return Err(format!("unknown type {kind}"));
            }
            if types.insert(name.to_string(), kind.to_string()).is_some() || finished.contains(name)
            {
                return Err(format!("second TYPE line for {name}"));
            }
            Ok(())
        }
        Some("HELP") => check_name(parts.next().ok_or("HELP without a name")?),
        _ => Ok(()),
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
        Ok(())
    } else {
        Err(format!("bad metric name {name:?}"))
    }
}

fn check_label_name(name: &str) -> Result<(), String> {
    check_name(name).map_err(|_| format!("bad label name {name:?}"))?;
    if name.contains(':') {
        return Err(format!("bad label name {name:?}"));
    }
    Ok(())
}

/// Splits a sample line into its metric name and label pairs, checking the value.
fn parse_sample(line: &str) -> Result<(String, Vec<(String, String)>), String> {
    let name_end = line.find(['{', ' ']).ok_or("no value")?;
    let name = &line[..name_end];
    check_name(name)?;
    let (labels, rest) = if line[name_end..].starts_with('{') {
        parse_labels(&line[name_end + 1..])?
    } else {
        (Vec::new(), &line[name_end..])
    };
    let rest = rest.strip_prefix(' ').ok_or("no space before value")?;
    let mut fields = rest.split(' ');
    check_value(fields.next().unwrap_or(""))?;
    if let Some(ts) = fields.next() {
        ts.parse::<i64>()
            .map_err(|_| format!("bad timestamp {ts:?}"))?;
    }
    if fields.next().is_some() {
        return Err("trailing fields".to_string());
    }
    Ok((name.to_string(), labels))
}

type Labels<'a> = (Vec<(String, String)>, &'a str);

/// Parses `a="x",b="y"}` and returns the pairs and the text after `}`.
fn parse_labels(mut s: &str) -> Result<Labels<'_>, String> {
    let mut labels = Vec::new();
    loop {
        if let Some(rest) = s.strip_prefix('}') {
            return Ok((labels, rest));
        }
        let eq = s.find('=').ok_or("label without =")?;
        let name = &s[..eq];
        check_label_name(name)?;
        if labels.iter().any(|(n, _)| n == name) {
            return Err(format!("label {name} repeated"));
        }
        let (value, rest) = parse_quoted(
            s[eq + 1..]
                .strip_prefix('"')
                .ok_or("label value not quoted")?,
        )?;
        labels.push((name.to_string(), value));
        s = rest.strip_prefix(',').unwrap_or(rest);
        if !rest.starts_with([',', '}']) {
            return Err("expected , or } after label value".to_string());
        }
    }
}

fn parse_quoted(s: &str) -> Result<(String, &str), String> {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &s[i + 1..])),
            '\\' => match chars.next() {
                Some((_, '\\')) => value.push('\\'),
                Some((_, '"')) => value.push('"'),
                Some((_, 'n')) => value.push('\n'),
                other => return Err(format!("bad escape {other:?}")),
            },
            c => value.push(c),
        }
    }
    Err("unterminated label value".to_string())
}

fn check_value(v: &str) -> Result<(), String> {
    match v {
        "NaN" | "+Inf" | "-Inf" => Ok(()),
        _ if v.parse::<f64>().is_ok_and(f64::is_finite) => Ok(()),
        _ => Err(format!("bad value {v:?}")),
    }
}

/// The family a sample belongs to; summary samples need the quantile label unless
/// they are `_sum` or `_count`.
fn family_of(
    name: &str,
    labels: &[(String, String)],
    types: &HashMap<String, String>,
) -> Result<String, String> {
    let has_quantile = labels.iter().any(|(n, _)| n == "quantile");
    if let Some(kind) = types.get(name) {
        if kind == "summary" && !has_quantile {
            return Err("summary sample without quantile".to_string());
        }
        if kind != "summary" && has_quantile {
            return Err("quantile label outside a summary".to_string());
        }
        return Ok(name.to_string());
    }
    for suffix in ["_sum", "_count", "_bucket"] {
        if let Some(base) = name.strip_suffix(suffix) {
            if matches!(
                types.get(base).map(String::as_str),
                Some("summary" | "histogram")
            ) {
                return Ok(base.to_string());
            }
        }
    }
    Err(format!("sample {name} before its TYPE line"))
}

#[cfg(test)]
mod tests {
    use super::check_exposition;

    #[test]
    fn accepts_valid_text() {
        let text = "# HELP a x\n# TYPE a gauge\na 1\na{b=\"c\\\"d\"} 2.5e-3\n# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 3\ns_count 2\n";
        check_exposition(text).unwrap();
    }

    #[test]
    fn rejects_invalid_text() {
        let bad = [
            "a 1\n",                                                    // no TYPE
            "# TYPE a gauge\n# TYPE a gauge\na 1\n",                    // two TYPE lines
            "# TYPE a gauge\na{b=c} 1\n",                               // unquoted
            "# TYPE a gauge\na{b=\"\\x\"} 1\n",                         // bad escape
            "# TYPE a gauge\na{b=\"x\" 1\n",                            // unterminated
            "# TYPE a gauge\na one\n",                                  // bad value
            "# TYPE a gauge\na 1\na 2\n",                               // duplicate
            "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"1\"} 1\n", // not contiguous
            "# TYPE s summary\ns 1\n",                                  // no quantile
            "# TYPE 1a gauge\n",                                        // bad name
        ];
        for text in bad {
            assert!(check_exposition(text).is_err(), "{text:?}");
        }
    }
}
