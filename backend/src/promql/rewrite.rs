//! Rewrites a parsed catalog expression: adds the query's filters and job selectors as label
//! matchers, renames the IPAM labels to the configured names and widens `by (...)` clauses.
//! The cluster label is kept through every aggregation and vector match, so a store holding
//! many clusters answers per cluster; grouping by a label the series lack changes nothing,
//! so a store of one cluster answers as before.
//!
//! Everything happens on the AST from `promql-parser`, and the string sent to Prometheus is
//! printed from that AST, so a user's filter value can only ever be a matcher value: a pool
//! named `a"}) or vector(1) #` is printed escaped inside its quotes.

use promql_parser::label::{Labels, MatchOp, Matcher};
use promql_parser::parser::{Expr, LabelModifier, VectorSelector};
use promql_parser::util::visitor::{walk_expr_mut, ExprVisitorMut};

use super::labels::{dimensions, label_for, Dimension};
use crate::query::catalog::Component;
use crate::query::model::Filters;
use crate::settings::Settings;

/// A filter or setting that cannot become a label matcher.
#[derive(Clone, Debug, thiserror::Error)]
pub enum RewriteError {
    #[error("the job setting {job:?} is not a valid regex: {source}")]
    JobRegex { job: String, source: regex::Error },
    #[error("the {label} filter's values cannot be matched: {source}")]
    Values { label: String, source: regex::Error },
}

/// What to change in an expression: built by [`Rewrite::new`] for a component, then given
/// the query's filters and group-by, or told to keep Calico's label names.
pub struct Rewrite<'a> {
    filters: &'a Filters,
    /// `job` regex for every selector, from the component's job setting (empty: any job).
    job: &'a str,
    node_label: &'a str,
    pool_label: &'a str,
    /// Kept in every aggregation and `on (...)`; empty: not kept.
    cluster_label: &'a str,
    group_by: &'a [String],
}

/// No filter on any dimension.
static NO_FILTERS: Filters = Filters {
    clusters: Vec::new(),
    pools: Vec::new(),
    nodes: Vec::new(),
    instances: Vec::new(),
    syncers: Vec::new(),
    source_namespaces: Vec::new(),
    dest_namespaces: Vec::new(),
    actions: Vec::new(),
    policies: Vec::new(),
    ports: Vec::new(),
};

impl<'a> Rewrite<'a> {
    /// The selectors of `component` as the settings configure them: its job setting as a
    /// `job` matcher, Calico's `node` and `ippool` renamed to the configured labels; no
    /// filters, nothing added to `by (...)`.
    pub fn new(settings: &'a Settings, component: Component) -> Self {
        Rewrite {
            filters: &NO_FILTERS,
            job: settings.job(component),
            node_label: &settings.json.node_label,
            pool_label: &settings.json.pool_label,
            cluster_label: &settings.json.cluster_label,
            group_by: &[],
        }
    }

    /// The query's filters, as matchers on the selectors that carry each dimension.
    pub fn filters(self, filters: &'a Filters) -> Self {
        Rewrite { filters, ..self }
    }

    /// Extra labels to keep in the `by (...)` clauses.
    pub fn group_by(self, group_by: &'a [String]) -> Self {
        Rewrite { group_by, ..self }
    }

    /// Keep Calico's own `node` and `ippool` (probes, which name them themselves, and
    /// count per cluster).
    pub fn calico_labels(self) -> Self {
        Rewrite {
            node_label: "node",
            pool_label: "ippool",
            ..self
        }
    }
}

impl Rewrite<'_> {
    /// Rewrites every node of `expr`, walked by promql-parser's visitor.
    pub fn apply(&self, expr: &mut Expr) -> Result<(), RewriteError> {
        walk_expr_mut(&mut { self }, expr).map(|_| ())
    }

    fn selector(&self, vs: &mut VectorSelector) -> Result<(), RewriteError> {
        let metric = vs.name.clone().unwrap_or_default();
        for m in &mut vs.matchers.matchers {
            m.name = self.rename(&m.name);
        }
        for &dim in dimensions(&metric) {
            let values = self.values(dim);
            if !values.is_empty() {
                let label = label_for(&metric, dim, self.node_label, self.pool_label);
                vs.matchers.matchers.push(value_matcher(label, values)?);
            }
        }
        if let Some(m) = job_matcher(self.job)? {
            vs.matchers.matchers.push(m);
        }
        if !self.filters.clusters.is_empty() && !self.cluster_label.is_empty() {
            let m = value_matcher(self.cluster_label, &self.filters.clusters)?;
            vs.matchers.matchers.push(m);
        }
        Ok(())
    }

    /// `by (...)`: renamed, widened by the cluster label (first) and the query's group-by.
    /// `without (...)` keeps the cluster label already.
    fn grouping(&self, modifier: &mut LabelModifier) {
        let LabelModifier::Include(labels) = modifier else {
            return;
        };
        self.rename_all(&mut labels.labels);
        self.keep_cluster(&mut labels.labels);
        for extra in self.group_by {
            if !labels.labels.contains(extra) {
                labels.labels.push(extra.clone());
            }
        }
    }

    fn keep_cluster(&self, labels: &mut Vec<String>) {
        let cluster = self.cluster_label;
        if !cluster.is_empty() && !labels.iter().any(|l| l == cluster) {
            labels.insert(0, cluster.to_string());
        }
    }

    /// An aggregation over everything (`sum(...)`) becomes one per cluster.
    fn per_cluster(&self) -> Option<LabelModifier> {
        (!self.cluster_label.is_empty())
            .then(|| LabelModifier::Include(Labels::new(vec![self.cluster_label])))
    }

    fn rename_all(&self, labels: &mut [String]) {
        for l in labels {
            *l = self.rename(l);
        }
    }

    /// Catalog templates are written with Calico's own label names.
    fn rename(&self, label: &str) -> String {
        match label {
            "node" => self.node_label.to_string(),
            "ippool" => self.pool_label.to_string(),
            other => other.to_string(),
        }
    }

    fn values(&self, dim: Dimension) -> &[String] {
        match dim {
            Dimension::Pool => &self.filters.pools,
            Dimension::Node => &self.filters.nodes,
            Dimension::Instance => &self.filters.instances,
            Dimension::Syncer => &self.filters.syncers,
        }
    }
}

/// One node at a time, before its children: selectors get matchers, `by (...)` and vector
/// matching get renamed labels.
impl ExprVisitorMut for &Rewrite<'_> {
    type Error = RewriteError;

    fn pre_visit(&mut self, expr: &mut Expr) -> Result<bool, RewriteError> {
        match expr {
            Expr::VectorSelector(vs) => self.selector(vs)?,
            // The walk does not enter a matrix selector's vector selector.
            Expr::MatrixSelector(ms) => self.selector(&mut ms.vs)?,
            Expr::Aggregate(agg) => {
                match &mut agg.modifier {
                    Some(modifier) => self.grouping(modifier),
                    None => agg.modifier = self.per_cluster(),
                }
                // The walk enters the aggregated expression but not the parameter
                // (`topk(k, ...)`, `quantile(q, ...)`), which may hold a selector too.
                if let Some(param) = &mut agg.param {
                    walk_expr_mut(self, param)?;
                }
            }
            Expr::Binary(bin) => {
                if let Some(m) = &mut bin.modifier {
                    if let Some(matching) = &mut m.matching {
                        self.rename_all(matching_labels(matching));
                        // `on (...)` matches within one cluster; `ignoring` already does.
                        if let LabelModifier::Include(labels) = matching {
                            self.keep_cluster(&mut labels.labels);
                        }
                    }
                    if let Some(labels) = card_labels(&mut m.card) {
                        self.rename_all(labels);
                    }
                }
            }
            _ => {}
        }
        Ok(true)
    }
}

/// `job=~"<setting>"` for a component's job setting; `None` when the setting is empty.
pub fn job_matcher(job: &str) -> Result<Option<Matcher>, RewriteError> {
    if job.is_empty() {
        return Ok(None);
    }
    let re =
        regex::Regex::new(&format!("^(?:{job})$")).map_err(|source| RewriteError::JobRegex {
            job: job.to_string(),
            source,
        })?;
    Ok(Some(Matcher::new(MatchOp::Re(re), "job", job)))
}

/// `label="v"` for one value; `label=~"v1|v2"` with every value regex-escaped for several.
pub fn value_matcher(label: &str, values: &[String]) -> Result<Matcher, RewriteError> {
    if let [one] = values {
        return Ok(Matcher::new(MatchOp::Equal, label, one));
    }
    let alternation = values
        .iter()
        .map(|v| regex::escape(v))
        .collect::<Vec<_>>()
        .join("|");
    let re = regex::Regex::new(&format!("^(?:{alternation})$")).map_err(|source| {
        RewriteError::Values {
            label: label.to_string(),
            source,
        }
    })?;
    Ok(Matcher::new(MatchOp::Re(re), label, &alternation))
}

fn matching_labels(m: &mut LabelModifier) -> &mut Vec<String> {
    match m {
        LabelModifier::Include(l) | LabelModifier::Exclude(l) => &mut l.labels,
    }
}

fn card_labels(
    card: &mut promql_parser::parser::VectorMatchCardinality,
) -> Option<&mut Vec<String>> {
    use promql_parser::parser::VectorMatchCardinality::*;
    match card {
        ManyToOne(l) | OneToMany(l) => Some(&mut l.labels),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use promql_parser::parser::{parse, Expr};
    use promql_parser::util::{walk_expr, ExprVisitor};

    use super::*;
    use crate::settings::JsonData;

    fn settings(json: JsonData) -> Settings {
        Settings::new("http://prometheus:9090", None, json, Default::default()).unwrap()
    }

    /// Every (label, value) of the equality and regex matchers in an expression.
    struct Matchers(Vec<(String, String)>);

    impl ExprVisitor for Matchers {
        type Error = std::convert::Infallible;

        fn pre_visit(&mut self, expr: &Expr) -> Result<bool, Self::Error> {
            let vs = match expr {
                Expr::VectorSelector(vs) => vs,
                Expr::MatrixSelector(ms) => &ms.vs,
                // As in the rewrite: the walk skips aggregation parameters.
                Expr::Aggregate(agg) => {
                    if let Some(param) = &agg.param {
                        walk_expr(self, param)?;
                    }
                    return Ok(true);
                }
                _ => return Ok(true),
            };
            let pairs = vs.matchers.matchers.iter();
            self.0
                .extend(pairs.map(|m| (m.name.clone(), m.value.clone())));
            Ok(true)
        }
    }

    fn matchers(expr: &Expr) -> Vec<(String, String)> {
        let mut found = Matchers(Vec::new());
        walk_expr(&mut found, expr).unwrap_or_else(|never| match never {});
        found.0
    }

    #[test]
    fn hostile_values_stay_matcher_values() {
        // (filter value, what a naive string paste would have turned it into)
        let hostile = [
            r#"a"}) or vector(1) #"#,
            r#"\"}"#,
            "line\nbreak",
            "} or up{",
            "x\\",
            "ünïcødé-🐱",
            ".*",
        ];
        let settings = settings(JsonData::default());
        for value in hostile {
            let filters = Filters {
                pools: vec![value.to_string()],
                ..Default::default()
            };
            let rw = Rewrite::new(&settings, Component::KubeControllers).filters(&filters);
            let mut expr = parse(
                "sum by (ippool) (ipam_allocations_in_use) / max by (ippool) (ipam_ippool_size)",
            )
            .unwrap();
            rw.apply(&mut expr).unwrap();
            let printed = expr.to_string();
            let reparsed = parse(&printed)
                .unwrap_or_else(|e| panic!("{value:?} broke the expression: {e}\n{printed}"));
            assert_eq!(reparsed.to_string(), printed, "{value:?}");
            let found = matchers(&reparsed);
            let pool_values: Vec<_> = found
                .iter()
                .filter(|(n, _)| n == "ippool")
                .map(|(_, v)| v.as_str())
                .collect();
            assert_eq!(
                pool_values,
                [value, value],
                "{value:?} must round-trip as the ippool value of both selectors"
            );
        }
    }

    #[test]
    fn every_selector_is_reached_aggregation_parameters_too() {
        let filters = Filters {
            nodes: vec!["n1".into()],
            ..Default::default()
        };
        let settings = settings(JsonData {
            node_label: "exported_node".into(),
            kube_controllers_job: "kc".into(),
            ..JsonData::default()
        });
        let rw = Rewrite::new(&settings, Component::KubeControllers).filters(&filters);
        let mut expr = parse(
            "topk(scalar(max(ipam_blocks)), -rate(ipam_allocations_in_use[5m])) \
             + on (node) group_left (ippool) max_over_time(ipam_blocks[1h:5m])",
        )
        .unwrap();
        rw.apply(&mut expr).unwrap();
        let found = matchers(&expr);
        let jobs = found
            .iter()
            .filter(|(n, v)| n == "job" && v == "kc")
            .count();
        let nodes = found.iter().filter(|(n, _)| n == "exported_node").count();
        assert_eq!((jobs, nodes), (3, 3), "{expr}");
        assert!(
            expr.to_string().contains("on (cluster, exported_node)"),
            "{expr}"
        );
    }

    #[test]
    fn the_cluster_label_is_kept_through_every_aggregation_and_match() {
        let filters = Filters {
            clusters: vec!["east".into(), "we\"st".into()],
            ..Default::default()
        };
        let cases = [
            (
                "sum by (ippool) (max by (ippool, node) (ipam_allocations_in_use))",
                "sum by (cluster, ippool) (max by (cluster, ippool, node) (ipam_allocations_in_use{cluster=~\"east|we\\\"st\"}))",
            ),
            (
                "sum(rate(felix_int_dataplane_failures[5m])) / on () group_left count(felix_host)",
                "sum by (cluster) (rate(felix_int_dataplane_failures{cluster=~\"east|we\\\"st\"}[5m])) / on (cluster) group_left () count by (cluster) (felix_host{cluster=~\"east|we\\\"st\"})",
            ),
            (
                "sum without (instance) (typha_connections_active) and ignoring (job) up",
                "sum without (instance) (typha_connections_active{cluster=~\"east|we\\\"st\"}) and ignoring (job) up{cluster=~\"east|we\\\"st\"}",
            ),
        ];
        let fleet = settings(JsonData::default());
        for (template, want) in cases {
            let mut expr = parse(template).unwrap();
            Rewrite::new(&fleet, Component::Felix)
                .filters(&filters)
                .apply(&mut expr)
                .unwrap();
            assert_eq!(expr.to_string(), want);
        }
        // Turned off: the expression as written; probes keep Calico's names, per cluster.
        let one = settings(JsonData {
            cluster_label: String::new(),
            ..JsonData::default()
        });
        let cases = [
            (
                Rewrite::new(&one, Component::Felix),
                "sum(max by (ippool) (ipam_blocks))",
            ),
            (
                Rewrite::new(&fleet, Component::Felix).calico_labels(),
                "sum by (cluster) (max by (cluster, ippool) (ipam_blocks))",
            ),
        ];
        for (rw, want) in cases {
            let mut expr = parse("sum(max by (ippool) (ipam_blocks))").unwrap();
            rw.apply(&mut expr).unwrap();
            assert_eq!(expr.to_string(), want);
        }
    }

    #[test]
    fn several_values_become_an_escaped_alternation() {
        let values = vec!["a.b".to_string(), "c|d".to_string()];
        let m = value_matcher("ippool", &values).unwrap();
        assert_eq!(m.value, r"a\.b|c\|d");
        for (candidate, matches) in [("a.b", true), ("c|d", true), ("axb", false), ("c", false)] {
            assert_eq!(m.is_match(candidate), matches, "{candidate}");
        }
    }
}
