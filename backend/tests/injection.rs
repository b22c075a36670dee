//! Hostile filter values in every catalog query: the generated PromQL must differ from the
//! benign query only in the matcher value, and the value must round-trip exactly.
//! Prints the count tried and failed (issue: hardening, injection).

use calicoscope_backend::promql::{catalog_exprs, Vars};
use calicoscope_backend::query::catalog::CATALOG;
use calicoscope_backend::query::model::{Filters, QueryModel};
use calicoscope_backend::settings::Settings;
use promql_parser::parser::{parse, Expr};
use promql_parser::util::visitor::{walk_expr_mut, ExprVisitorMut};

const BENIGN: &str = "benign-value";
/// The filters [`with`] sets: pools, nodes, instances, syncers, clusters.
const DIMENSIONS: usize = 5;

/// At least 500 deterministic hostile strings: fragments alone, in pairs and wrapped.
fn corpus() -> Vec<String> {
    let fragments = [
        "\"",
        "\\",
        "\\\"",
        "}",
        "{",
        "\"}",
        "'",
        "`",
        "\n",
        "\r",
        "\t",
        "\"})",
        "\"} or vector(1) #",
        "a\"}) or vector(1) #",
        ".*",
        ".+",
        "|",
        "(",
        ")",
        "[",
        "]",
        "^",
        "$",
        "+",
        "?",
        "\\d",
        "(?i)",
        "or",
        "and",
        "unless",
        "by",
        "without",
        "offset 5m",
        "@ 0",
        "bool",
        "on()",
        "group_left",
        "vector(1)",
        "#",
        "=~",
        "!=",
        ",",
        "=",
        "é",
        "日本語",
        "🐱",
        "\u{202e}",
        "\u{200b}",
        "\\u0022",
        "$__interval",
        "${pool}",
        "[5m]",
        "{{node}}",
    ];
    let mut out: Vec<String> = fragments.iter().map(|f| f.to_string()).collect();
    for a in &fragments {
        for b in fragments.iter().step_by(5) {
            out.push(format!("{a}{b}"));
        }
        out.push(format!("node-{a}-01"));
    }
    out.push("x".repeat(10_000));
    out.push(format!("{}\"}}", "\\".repeat(101)));
    out.sort();
    out.dedup();
    out
}

fn with(filter: usize, value: &str) -> Filters {
    let v = vec![value.to_string()];
    let mut f = Filters::default();
    *[
        &mut f.pools,
        &mut f.nodes,
        &mut f.instances,
        &mut f.syncers,
        &mut f.clusters,
    ][filter] = v;
    f
}

/// Replaces every matcher value equal to `from` by `to`, counting the replacements.
struct ReplaceValues<'a> {
    from: &'a str,
    to: &'a str,
    replaced: usize,
}

impl ExprVisitorMut for ReplaceValues<'_> {
    type Error = std::convert::Infallible;

    fn pre_visit(&mut self, expr: &mut Expr) -> Result<bool, Self::Error> {
        let vs = match expr {
            Expr::VectorSelector(vs) => vs,
            Expr::MatrixSelector(ms) => &mut ms.vs,
            _ => return Ok(true),
        };
        for m in vs
            .matchers
            .matchers
            .iter_mut()
            .filter(|m| m.value == self.from)
        {
            m.value = self.to.to_string();
            self.replaced += 1;
        }
        Ok(true)
    }
}

/// Replaces every matcher value equal to `from` by `to`; returns how many it replaced.
fn replace_values(expr: &mut Expr, from: &str, to: &str) -> usize {
    let mut visitor = ReplaceValues {
        from,
        to,
        replaced: 0,
    };
    walk_expr_mut(&mut visitor, expr).unwrap_or_else(|never| match never {});
    visitor.replaced
}

#[test]
fn hostile_filter_values_never_change_the_expression() {
    let settings = Settings::for_url("http://prometheus:9090").unwrap();
    let corpus = corpus();
    assert!(corpus.len() >= 500, "corpus has {}", corpus.len());
    let (mut tried, mut clustered, mut failed) = (0usize, 0usize, Vec::new());
    for entry in CATALOG {
        for dim in 0..DIMENSIONS {
            let build = |value: &str| {
                let q = QueryModel {
                    catalog: entry.id.into(),
                    filters: with(dim, value),
                    ..Default::default()
                };
                // Every part of a tables entry, one per line.
                catalog_exprs(entry, &q, &settings, &Vars::fixed_hour()).map(|parts| {
                    let exprs: Vec<String> = parts.into_iter().map(|(_, e)| e).collect();
                    exprs.join("\n")
                })
            };
            let benign = build(BENIGN).unwrap();
            if !benign.contains(BENIGN) {
                continue; // this entry has no selector with that dimension
            }
            let uses = benign.matches(BENIGN).count();
            if dim == DIMENSIONS - 1 {
                clustered += corpus.len();
            }
            for hostile in &corpus {
                tried += 1;
                let printed = match build(hostile) {
                    Ok(p) => p,
                    Err(e) => {
                        failed.push(format!("{} {hostile:?}: refused: {e}", entry.id));
                        continue;
                    }
                };
                // One expression per line (a tables entry's parts); values print escaped.
                let mut asts = match printed.lines().map(parse).collect::<Result<Vec<_>, _>>() {
                    Ok(asts) => asts,
                    Err(e) => {
                        failed.push(format!("{} {hostile:?}: unparsable: {e}", entry.id));
                        continue;
                    }
                };
                let replaced: usize = asts
                    .iter_mut()
                    .map(|ast| replace_values(ast, hostile, BENIGN))
                    .sum();
                let reprinted: Vec<String> = asts.iter().map(Expr::to_string).collect();
                if replaced != uses || reprinted.join("\n") != benign {
                    failed.push(format!(
                        "{} {hostile:?}: structure changed: {printed}",
                        entry.id
                    ));
                }
            }
        }
    }
    println!(
        "injection: {tried} hostile values tried in catalog queries ({clustered} with the \
         cluster filter), {} failed",
        failed.len()
    );
    // The cluster filter reaches the entries' selectors too (every IPAM entry has one).
    assert!(clustered > 0, "no catalog entry takes the cluster filter");
    assert!(
        failed.is_empty(),
        "{} failures, first: {}",
        failed.len(),
        failed[..failed.len().min(5)].join("\n")
    );
}
