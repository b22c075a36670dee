//! The data path of one query: query JSON → PromQL → fetch → frames.

use std::time::Duration;

use crate::client::{Client, ClientError};
use crate::frames::convert::{executed_query_string, to_frames, Shape};
use crate::frames::frame::Severity;
use crate::frames::{topology, Frame};
use crate::promql::rewrite::RewriteError;
use crate::promql::{self, BuildError, PromqlError, Vars};
use crate::query::catalog::{self, Query};
use crate::query::model::{Mode, QueryJsonError, QueryModel};
use crate::query::time::{parse_duration, StepInput, Window};
use crate::settings::Settings;

/// One query as Grafana sends it.
#[derive(Clone, Debug)]
pub struct Request {
    pub ref_id: String,
    pub json: Vec<u8>,
    pub from_ms: i64,
    pub to_ms: i64,
    pub interval_ms: i64,
    pub max_data_points: i64,
}

impl Request {
    /// A query over the `range_ms` before now, as a dashboard would send it.
    pub fn ending_now(json: &[u8], range_ms: i64, max_data_points: i64) -> Request {
        let to_ms = (crate::client::now_s() * 1000.0) as i64;
        Request {
            ref_id: "A".into(),
            json: json.to_vec(),
            from_ms: to_ms - range_ms,
            to_ms,
            interval_ms: 0,
            max_data_points,
        }
    }
}

/// What will be sent to Prometheus, and how the answer is shaped.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The PromQL: one expression, or a tables entry's parts, each named by the field it
    /// fills and run as an instant query.
    pub exprs: Vec<(&'static str, String)>,
    /// Whether the answers are assembled into tables (`frames::topology`).
    pub tables: bool,
    pub window: Window,
    /// Evaluate once, at `at_ms`: the range's end as sent, not rounded down to the step
    /// (there is no cache to help, and rounding would drop the freshest scrape).
    pub instant: bool,
    pub at_ms: i64,
    pub unit: Option<&'static str>,
    pub legend: String,
    /// The cluster label, when the legend is the entry's own: it then names the cluster of
    /// an answer that holds more than one. Empty otherwise.
    pub cluster: String,
}

impl Plan {
    /// How this plan's answer to `expr` becomes frames.
    pub fn shape<'a>(&'a self, expr: &'a str) -> Shape<'a> {
        Shape {
            expr,
            step: (!self.instant).then_some(self.window.step),
            unit: self.unit,
            legend: &self.legend,
            cluster: &self.cluster,
        }
    }

    /// The PromQL as Grafana shows it (`executedQueryString`): one expression per line.
    pub fn promql(&self) -> String {
        let exprs: Vec<&str> = self.exprs.iter().map(|(_, e)| e.as_str()).collect();
        exprs.join("\n")
    }
}

/// Why one query failed: Grafana shows it on that query only. The protocol edge maps each
/// kind to its status (`plugin::PluginError`): the query's own faults before anything is
/// sent, then the store's.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Json(#[from] QueryJsonError),
    #[error("{}", catalog::unknown(.0))]
    UnknownEntry(String),
    #[error("min step {0:?} is not a duration such as 30s or 1m")]
    MinStep(String),
    /// Raw PromQL that does not parse, with its position.
    #[error(transparent)]
    Promql(#[from] PromqlError),
    /// A catalog entry that cannot be built with these filters, group-by or settings.
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("the query has no time range: Grafana always sends one")]
    NoTimeRange,
    #[error("the time range ends before it starts (from {from_ms} to {to_ms} ms since the epoch): pick a range that ends after it starts")]
    TimeRange { from_ms: i64, to_ms: i64 },
    /// The data source failed or refused to answer.
    #[error(transparent)]
    Store(#[from] ClientError),
    /// A flow entry's Goldmane failed, refused, or is not set up.
    #[error(transparent)]
    Goldmane(#[from] crate::goldmane::GoldmaneError),
}

impl From<RewriteError> for QueryError {
    fn from(e: RewriteError) -> Self {
        QueryError::Build(e.into())
    }
}

/// Translates a query into PromQL without running it.
pub fn plan(req: &Request, settings: &Settings) -> Result<Plan, QueryError> {
    let q = QueryModel::from_json(&req.json)?;
    plan_model(req, &q, settings)
}

/// [`plan`] for a query JSON already read.
fn plan_model(req: &Request, q: &QueryModel, settings: &Settings) -> Result<Plan, QueryError> {
    let min_step = if q.interval.trim().is_empty() {
        settings.scrape_interval()
    } else {
        parse_duration(&q.interval).ok_or_else(|| QueryError::MinStep(q.interval.clone()))?
    };
    let window = Window::compute(StepInput {
        from_ms: req.from_ms,
        to_ms: req.to_ms,
        interval_ms: req.interval_ms,
        max_data_points: req.max_data_points,
        min_step,
    });
    let vars = Vars {
        window,
        range: Duration::from_millis((req.to_ms - req.from_ms).max(0) as u64),
        scrape: settings.scrape_interval(),
    };
    let (exprs, tables, unit, default_legend) = match q.mode {
        Mode::Raw => {
            let expr = promql::raw_expr(&q.expr, &vars)?;
            (vec![("", expr)], false, None, "")
        }
        Mode::Catalog => {
            let entry = catalog::find(&q.catalog)
                .ok_or_else(|| QueryError::UnknownEntry(q.catalog.clone()))?;
            let exprs = promql::catalog_exprs(entry, q, settings, &vars)?;
            let tables = matches!(entry.query, Query::Tables(_));
            (exprs, tables, Some(entry.unit), entry.legend)
        }
    };
    let legend = if q.legend.is_empty() {
        default_legend.to_string()
    } else {
        q.legend.clone()
    };
    let own_legend = q.legend.is_empty() && q.mode == Mode::Catalog;
    let cluster = match own_legend {
        true => settings.json.cluster_label.clone(),
        false => String::new(),
    };
    Ok(Plan {
        at_ms: req.to_ms,
        exprs,
        tables,
        window,
        // Tables are a snapshot at the range's end.
        instant: q.instant || tables,
        unit,
        legend,
        cluster,
    })
}

/// Runs one query end to end.
pub async fn execute(
    req: &Request,
    settings: &Settings,
    client: &Client,
) -> Result<Vec<Frame>, QueryError> {
    let q = QueryModel::from_json(&req.json)?;
    if let Some(entry) = crate::goldmane::catalog::find(&q.catalog) {
        return Ok(crate::goldmane::query::run(entry, req, &q, client).await?);
    }
    let plan = plan_model(req, &q, settings)?;
    let mut frames = if plan.tables {
        run_tables(&plan, settings, client).await?
    } else {
        run_plan(&plan, client).await?
    };
    if q.mode == Mode::Catalog && frames.iter().all(|f| f.fields.is_empty()) {
        explain_empty(&q, &mut frames[0], settings, client).await;
    }
    Ok(frames)
}

/// An empty answer from an entry this cluster cannot have (another dataplane, an older
/// release, a component not scraped) gets a notice saying so: no data, but not an error.
async fn explain_empty(q: &QueryModel, frame: &mut Frame, settings: &Settings, client: &Client) {
    let Some(entry) = catalog::find(&q.catalog) else {
        return;
    };
    // Detection failing only costs the explanation, never the query.
    if let Ok(clusters) = crate::detect::detect(settings, client).await {
        // With the cluster dimension off, the rewrite ignores the cluster filter too.
        let filter: &[String] = match settings.json.cluster_label.is_empty() {
            true => &[],
            false => &q.filters.clusters,
        };
        if let Some(why) = crate::detect::not_applicable_in(entry, &clusters, filter) {
            frame.add_notice(Severity::Info, why);
        }
    }
}

/// Runs a one-expression plan and shapes its answer like Grafana's Prometheus datasource.
pub async fn run_plan(plan: &Plan, client: &Client) -> Result<Vec<Frame>, QueryError> {
    let w = &plan.window;
    let expr = plan.promql();
    let resp = if plan.instant {
        client.instant(&expr, plan.at_ms as f64 / 1000.0).await?
    } else {
        client
            .range(
                &expr,
                w.start_ms as f64 / 1000.0,
                w.end_ms as f64 / 1000.0,
                w.step,
            )
            .await?
    };
    Ok(to_frames(resp, &plan.shape(&expr)))
}

/// Runs a tables plan's parts concurrently, as instant queries, and assembles the tables.
async fn run_tables(
    plan: &Plan,
    settings: &Settings,
    client: &Client,
) -> Result<Vec<Frame>, QueryError> {
    let time_s = plan.at_ms as f64 / 1000.0;
    let answers = futures::future::join_all(plan.exprs.iter().map(|(part, e)| async move {
        Ok::<_, ClientError>((*part, client.instant(e, time_s).await?))
    }))
    .await;
    let answers = answers.into_iter().collect::<Result<Vec<_>, _>>()?;
    let mut frames = topology::assemble(&answers, settings);
    frames[0].meta_mut().executed_query_string = Some(executed_query_string(&plan.promql(), None));
    Ok(frames)
}
