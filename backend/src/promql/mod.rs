//! Query → PromQL: catalog entries become validated PromQL through the AST; raw PromQL is
//! validated before it is sent.

pub mod dataplane;
pub mod labels;
pub mod rewrite;
pub mod validate;

use std::time::Duration;

use crate::query::catalog::Entry;
use crate::query::model::QueryModel;
use crate::query::time::{format_duration, interpolate_builtins, Window};
use crate::settings::{is_label_name, Settings};
pub use validate::PromqlError;

/// Why a catalog entry's PromQL could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The query groups by a label the entry does not allow.
    #[error("{entry:?} cannot be grouped by {label:?}: allowed are [{allowed}]")]
    GroupBy {
        entry: &'static str,
        label: String,
        allowed: String,
    },
    /// A filter or the job setting cannot become a matcher.
    #[error(transparent)]
    Rewrite(#[from] rewrite::RewriteError),
    /// The entry's template does not parse: a bug in the catalog.
    #[error("internal error in catalog entry {entry}: {source}")]
    Template {
        entry: &'static str,
        source: PromqlError,
    },
    /// The rewritten expression does not print back to valid PromQL: a bug here.
    #[error("internal error printing {entry}: {source}")]
    Printed {
        entry: &'static str,
        source: PromqlError,
    },
}

/// The values that fill a template's variables for one query.
#[derive(Clone, Debug)]
pub struct Vars {
    pub window: Window,
    /// The dashboard range (`$__range`), before step alignment.
    pub range: Duration,
    pub scrape: Duration,
}

/// Builds the PromQL of a catalog entry with the query's filters and group-by: one expression,
/// or one per part of a tables entry, named as its part.
pub fn catalog_exprs(
    entry: &Entry,
    q: &QueryModel,
    settings: &Settings,
    vars: &Vars,
) -> Result<Vec<(&'static str, String)>, BuildError> {
    for label in &q.group_by {
        if !entry.group_by.contains(&label.as_str()) || !is_label_name(label) {
            return Err(BuildError::GroupBy {
                entry: entry.id,
                label: label.clone(),
                allowed: entry.group_by.join(", "),
            });
        }
    }
    entry
        .query
        .templates()
        .into_iter()
        .map(|(part, template)| Ok((part, template_expr(entry, template, q, settings, vars)?)))
        .collect()
}

/// One template of `entry` → validated PromQL.
fn template_expr(
    entry: &Entry,
    template: &str,
    q: &QueryModel,
    settings: &Settings,
    vars: &Vars,
) -> Result<String, BuildError> {
    let text = fill_template(&dataplane::fill(template, entry.dataplane), settings, vars);
    let mut expr = validate::parse(&text).map_err(|source| BuildError::Template {
        entry: entry.id,
        source,
    })?;
    rewrite::Rewrite::new(settings, entry.component)
        .filters(&q.filters)
        .group_by(&q.group_by)
        .apply(&mut expr)?;
    let printed = expr.to_string();
    // Validate what we send, not only what we built.
    validate::parse(&printed).map_err(|source| BuildError::Printed {
        entry: entry.id,
        source,
    })?;
    Ok(printed)
}

/// Validates a raw expression after Grafana's built-in variables are replaced.
pub fn raw_expr(expr: &str, vars: &Vars) -> Result<String, PromqlError> {
    let text = interpolate_builtins(expr, &vars.window, vars.range, vars.scrape);
    match validate::parse(&text) {
        Ok(_) => Ok(text),
        // Report the position in the text the user wrote, not in the interpolated one.
        Err(e) => Err(validate::parse(&same_length_builtins(expr))
            .err()
            .unwrap_or(e)),
    }
}

/// Replaces each built-in variable with a valid value of exactly its own length
/// (`$__interval` → `0000000001s`), so error columns match the user's text.
fn same_length_builtins(expr: &str) -> String {
    const NUMBERS: [&str; 3] = ["__interval_ms", "__range_ms", "__range_s"];
    const DURATIONS: [&str; 4] = ["__rate_interval", "__interval", "__range", "__step"];
    let mut out = expr.to_string();
    for name in NUMBERS.iter().chain(DURATIONS.iter()) {
        for var in [format!("${{{name}}}"), format!("${name}")] {
            let pad = "0".repeat(var.len() - 2);
            let value = if NUMBERS.contains(name) {
                format!("{pad}01")
            } else {
                format!("{pad}1s")
            };
            out = out.replace(&var, &value);
        }
    }
    out
}

impl Vars {
    /// The first hour of the epoch at a 15 s step and scrape interval: fixed values for
    /// golden files and tests.
    pub fn fixed_hour() -> Vars {
        let step = Duration::from_secs(15);
        Vars {
            window: Window {
                start_ms: 0,
                end_ms: 3_600_000,
                step,
                interval: step,
            },
            range: Duration::from_secs(3600),
            scrape: step,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forecast_resolution_is_bounded() {
        // (forecast window, scrape interval) → $res
        let cases = [
            ("6h", 15, 15),
            ("2m", 2, 2),
            ("7d", 15, 420),
            ("90d", 30, 5400),
            ("6h", 60, 60),
        ];
        for (window, scrape, want) in cases {
            let json = crate::settings::JsonData {
                forecast_window: window.into(),
                ..Default::default()
            };
            let settings =
                Settings::new("http://prometheus:9090", None, json, Default::default()).unwrap();
            let res = resolution(&settings, Duration::from_secs(scrape));
            assert_eq!(res, Duration::from_secs(want), "{window} at {scrape}s");
        }
    }

    #[test]
    fn raw_errors_point_into_the_users_text() {
        let vars = Vars::fixed_hour();
        let e = raw_expr("sum(rate(x[$__rate_interval])) by", &vars).unwrap_err();
        assert_eq!((e.line, e.column), (1, 32), "{e}");
        assert_eq!(
            raw_expr("rate(x[$__rate_interval])", &vars).unwrap(),
            "rate(x[1m])"
        );
    }
}

/// Our own template variables; every value is a number or a validated duration.
fn fill_template(template: &str, settings: &Settings, vars: &Vars) -> String {
    let text = interpolate_builtins(template, &vars.window, vars.range, vars.scrape);
    text.replace("$window", &settings.json.forecast_window)
        .replace("$res", &format_duration(resolution(settings, vars.scrape)))
        .replace("$block", &settings.json.block_addresses.max(1).to_string())
}

/// Most points a forecast's subquery evaluates per series: the default 6-hour window at a
/// 15 s scrape interval. A line fitted through 1,440 points is as good as one through 40,320,
/// and the capacity report's 7-day window at 15 s over 5,000 nodes would otherwise pass
/// Prometheus's default limit of 50 million samples per query.
const FORECAST_POINTS: u32 = 1440;

/// The forecast subquery's resolution (`$res`): the scrape interval, or coarser for long
/// windows (whole seconds, so the PromQL stays readable).
fn resolution(settings: &Settings, scrape: Duration) -> Duration {
    let window = crate::query::time::parse_duration(&settings.json.forecast_window)
        .unwrap_or(Duration::ZERO);
    let per_point = Duration::from_secs((window / FORECAST_POINTS).as_secs());
    scrape.max(per_point)
}

/// Golden files: every catalog entry's PromQL for a set of filter and setting combinations,
/// pinned in `testdata/catalog.golden`. Regenerate with `UPDATE_GOLDEN=1 cargo test`.
#[cfg(test)]
mod golden {
    use super::*;
    use crate::query::catalog::CATALOG;
    use crate::query::model::{Filters, QueryModel};
    use crate::settings::JsonData;

    fn combos() -> Vec<(&'static str, Filters, JsonData)> {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let renamed = JsonData {
            node_label: "exported_node".into(),
            kube_controllers_job: "calico-kube-controllers".into(),
            felix_job: "felix|calico-node".into(),
            typha_job: "typha".into(),
            ..JsonData::default()
        };
        vec![
            ("no filters", Filters::default(), JsonData::default()),
            (
                "one pool",
                Filters {
                    pools: list(&["default-ipv4-ippool"]),
                    ..Default::default()
                },
                JsonData::default(),
            ),
            (
                "two pools, one node, one instance, one syncer",
                Filters {
                    pools: list(&["default-ipv4-ippool", "v6.pool"]),
                    nodes: list(&["node-0001"]),
                    instances: list(&["10.0.0.1:9091"]),
                    syncers: list(&["felix"]),
                    ..Filters::default()
                },
                JsonData::default(),
            ),
            (
                "exported_node and job selectors",
                Filters {
                    nodes: list(&["n1"]),
                    ..Default::default()
                },
                renamed,
            ),
        ]
    }

    fn render_all() -> String {
        let vars = Vars::fixed_hour();
        let mut out = String::new();
        for entry in CATALOG {
            for (name, filters, json) in combos() {
                let settings =
                    Settings::new("http://prometheus:9090", None, json, Default::default())
                        .unwrap();
                let q = QueryModel {
                    catalog: entry.id.into(),
                    filters,
                    ..Default::default()
                };
                for (part, expr) in catalog_exprs(entry, &q, &settings, &vars).unwrap() {
                    let part = if part.is_empty() {
                        String::new()
                    } else {
                        format!(" [{part}]")
                    };
                    out.push_str(&format!("## {}{part} / {name}\n{expr}\n", entry.id));
                }
            }
        }
        out
    }

    #[test]
    fn catalog_promql_matches_golden_file() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/promql/testdata/catalog.golden"
        );
        let got = render_all();
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(path, &got).unwrap();
        }
        let want =
            std::fs::read_to_string(path).expect("golden file missing: run with UPDATE_GOLDEN=1");
        for (g, w) in got.lines().zip(want.lines()) {
            assert_eq!(
                g, w,
                "catalog PromQL changed; if intended, regenerate with UPDATE_GOLDEN=1"
            );
        }
        assert_eq!(got.lines().count(), want.lines().count());
    }
}
