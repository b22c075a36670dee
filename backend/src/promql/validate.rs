//! Parsing and validating PromQL before anything is sent to Prometheus.
//!
//! `promql-parser` reports grammar errors without a position, so [`parse`] locates the
//! error itself: it finds the longest prefix that parses once its open brackets are closed;
//! the problem is right after it. That names the spot a person must look at.

use promql_parser::parser::{self, Expr};

/// A PromQL error with a 1-based line and column, e.g. `1:17: unexpected "by"`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid PromQL at {line}:{column}: {message}")]
pub struct PromqlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Longest expression we try to locate errors in; beyond it we report column 1.
const LOCATE_LIMIT: usize = 4_096;

pub fn parse(expr: &str) -> Result<Expr, PromqlError> {
    if expr.trim().is_empty() {
        return Err(PromqlError {
            line: 1,
            column: 1,
            message: "the expression is empty".into(),
        });
    }
    parser::parse(expr).map_err(|message| locate(expr, &message))
}

fn locate(expr: &str, message: &str) -> PromqlError {
    let offset = if expr.len() > LOCATE_LIMIT {
        0
    } else {
        first_bad_offset(expr)
    };
    let (line, column) = line_column(expr, offset);
    let near: String = expr[offset..].chars().take(12).collect();
    let detail = if near.trim().is_empty() {
        "unexpected end of expression".to_string()
    } else {
        format!("unexpected {:?}", near.trim_end())
    };
    PromqlError {
        line,
        column,
        message: format!("{detail} ({message})"),
    }
}

/// Byte offset just after the longest prefix that parses once its brackets are closed.
fn first_bad_offset(expr: &str) -> usize {
    let cuts: Vec<usize> = expr
        .char_indices()
        .map(|(i, _)| i)
        .chain([expr.len()])
        .collect();
    for &cut in cuts.iter().rev() {
        let prefix = expr[..cut].trim_end();
        if prefix.is_empty() {
            continue;
        }
        if let Some(closed) = close_brackets(prefix) {
            if parser::parse(&closed).is_ok() {
                return skip_space(expr, prefix.len());
            }
        }
    }
    skip_space(expr, 0)
}

fn skip_space(expr: &str, from: usize) -> usize {
    expr[from..]
        .find(|c: char| !c.is_whitespace())
        .map_or(expr.len(), |i| from + i)
}

/// Appends the closers of unbalanced brackets; `None` inside an unterminated string.
fn close_brackets(prefix: &str) -> Option<String> {
    let mut stack = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in prefix.chars() {
        if let Some(q) = quote {
            match (escaped, c) {
                (false, '\\') if q != '`' => escaped = true,
                (false, c) if c == q => quote = None,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' => stack.push(')'),
            '[' => stack.push(']'),
            '{' => stack.push('}'),
            ')' | ']' | '}' if stack.pop() != Some(c) => return None,
            _ => {}
        }
    }
    if quote.is_some() {
        return None;
    }
    Some(prefix.to_string() + &stack.iter().rev().collect::<String>())
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_expressions_parse() {
        for ok in ["up", "sum by (ippool) (ipam_blocks)", "rate(x[5m]) > 0"] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn errors_name_the_position() {
        // (input, line, column)
        let cases = [
            ("sum(rate(x[5m])) by", 1, 18),
            ("rate(x[5m]", 1, 11),
            ("sum(x) +", 1, 8),
            ("up{job=\"a\"\n  ,}} * 2", 2, 5),
            ("", 1, 1),
        ];
        for (input, line, column) in cases {
            let e = parse(input).unwrap_err();
            assert_eq!((e.line, e.column), (line, column), "{input:?}: {e}");
            assert!(e.to_string().starts_with("invalid PromQL at"), "{e}");
        }
    }
}
