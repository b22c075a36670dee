//! Panel options, as set in Grafana's panel editor (`module.js` declares the editor).

use crate::draw::colour::{Palette, Scale};
use crate::layout::heatmap::Sort;
use crate::model::ViewKind;

#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub view: ViewKind,
    /// Label that names heatmap rows (`node`, `ippool`); empty means the series' legend.
    pub row_label: String,
    pub sort: Sort,
    pub scale: Scale,
    /// Colour domain; `None` means from the unit (0..1 for `percentunit`) or the data.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Heatmap cells drawn at most (rows are dropped past it, with a warning).
    pub max_cells: usize,
    /// Dashboard variable a click sets (`var-<name>`), empty for none.
    pub filter_variable: String,
    /// Pools the topology and summary show; empty for all (`All` from a variable).
    pub pools: Vec<String>,
    /// Dashboard variables a flow-view click sets to the source and destination namespace
    /// (the Policy & flows dashboard's), empty for none.
    pub source_variable: String,
    pub dest_variable: String,
}

pub const DEFAULT_MAX_CELLS: usize = 4_000_000;

impl Default for Options {
    fn default() -> Self {
        Options {
            view: ViewKind::Auto,
            row_label: String::new(),
            sort: Sort::Peak,
            scale: Scale::Continuous(Palette::Viridis),
            min: None,
            max: None,
            max_cells: DEFAULT_MAX_CELLS,
            filter_variable: "node".into(),
            pools: Vec::new(),
            source_variable: "source_namespace".into(),
            dest_variable: "dest_namespace".into(),
        }
    }
}

impl Options {
    /// Read options by name through `get` (values as strings); absent or unparsable
    /// values keep their defaults, so an old dashboard never breaks the panel.
    pub fn read(get: &dyn Fn(&str) -> Option<String>) -> Options {
        let d = Options::default();
        let number = |k: &str| {
            get(k)
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite())
        };
        let scale = match get("colorMode").as_deref() {
            Some("thresholds") => Scale::Thresholds {
                warn: number("warn").unwrap_or(0.8),
                critical: number("critical").unwrap_or(0.95),
            },
            _ => Scale::Continuous(Palette::parse(&get("palette").unwrap_or_default())),
        };
        Options {
            view: ViewKind::parse(&get("view").unwrap_or_default()),
            row_label: get("rowLabel")
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(d.row_label),
            sort: Sort::parse(&get("sort").unwrap_or_default()),
            scale,
            min: number("min"),
            max: number("max"),
            max_cells: number("maxCells")
                .filter(|v| *v >= 1.0)
                .map_or(d.max_cells, |v| v as usize),
            filter_variable: get("filterVariable").unwrap_or(d.filter_variable),
            pools: get("pools").map(|s| pool_list(&s)).unwrap_or_default(),
            source_variable: get("sourceVariable").unwrap_or(d.source_variable),
            dest_variable: get("destVariable").unwrap_or(d.dest_variable),
        }
    }
}

impl Options {
    /// Whether the pool named `name` is shown (all pools are when the list is empty).
    pub fn shows_pool(&self, name: &str) -> bool {
        self.pools.is_empty() || self.pools.iter().any(|p| p == name)
    }
}

/// `a,b`, `{a,b}` (Grafana's multi-value format) or `All`/`$__all` → pool names.
fn pool_list(s: &str) -> Vec<String> {
    let s = s.trim().trim_start_matches('{').trim_end_matches('}');
    if s.is_empty() || s == "All" || s == "$__all" || s == "*" {
        return Vec::new();
    }
    s.split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Options {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Options::read(&|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(read(&[]), Options::default());
        let o = read(&[
            ("view", "heatmap"),
            ("sort", "pool"),
            ("colorMode", "thresholds"),
            ("warn", "0.7"),
            ("maxCells", "1000"),
            ("pools", "{a, b}"),
            ("min", "nonsense"),
        ]);
        assert_eq!(o.view, ViewKind::Heatmap);
        assert_eq!(o.sort, Sort::Pool);
        assert_eq!(
            o.scale,
            Scale::Thresholds {
                warn: 0.7,
                critical: 0.95
            }
        );
        assert_eq!(o.max_cells, 1000);
        assert_eq!(o.pools, ["a", "b"]);
        assert_eq!(o.min, None);
        let flows = read(&[
            ("view", "flows"),
            ("sourceVariable", "from"),
            ("destVariable", ""),
        ]);
        assert_eq!(flows.view, ViewKind::Flows);
        assert_eq!(
            (flows.source_variable.as_str(), flows.dest_variable.as_str()),
            ("from", "")
        );
        assert!(read(&[("pools", "$__all")]).pools.is_empty());
    }

    #[test]
    fn pools_shown() {
        assert!(Options::default().shows_pool("any"));
        let o = read(&[("pools", "a,b")]);
        assert!(o.shows_pool("a") && o.shows_pool("b") && !o.shows_pool("c"));
    }
}
