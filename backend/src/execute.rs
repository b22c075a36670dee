//! The data path of one query: query JSON → PromQL → fetch → frames.

use std::time::Duration;

use crate::client::{Client, ClientError};
use crate::frames::convert::{to_frames, Shape};
use crate::frames::Frame;
use crate::promql::{self, Vars};
use crate::query::catalog;
use crate::query::model::{Mode, QueryModel};
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
    pub expr: String,
    pub window: Window,
    /// Evaluate once, at `at_ms`: the range's end as sent, not rounded down to the step
    /// (there is no cache to help, and rounding would drop the freshest scrape).
    pub instant: bool,
    pub at_ms: i64,
    pub unit: Option<&'static str>,
    pub legend: String,
}

/// A per-query failure: Grafana shows `message` on that query only.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub status: u16,
    pub message: String,
}

impl QueryError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: 400,
            message: message.into(),
        }
    }
}

impl From<ClientError> for QueryError {
    fn from(e: ClientError) -> Self {
        Self {
            status: e.status(),
            message: e.to_string(),
        }
    }
}

/// Translates a query into PromQL without running it.
pub fn plan(req: &Request, settings: &Settings) -> Result<Plan, QueryError> {
    let q = QueryModel::from_json(&req.json).map_err(QueryError::bad_request)?;
    plan_model(req, &q, settings)
}

/// [`plan`] for a query JSON already read.
fn plan_model(req: &Request, q: &QueryModel, settings: &Settings) -> Result<Plan, QueryError> {
    let min_step = if q.interval.trim().is_empty() {
        settings.scrape_interval()
    } else {
        parse_duration(&q.interval).ok_or_else(|| {
            QueryError::bad_request(format!(
                "min step {:?} is not a duration such as 30s or 1m",
                q.interval
            ))
        })?
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
    let (expr, unit, default_legend) = match q.mode {
        Mode::Raw => {
            let expr = promql::raw_expr(&q.expr, &vars)
                .map_err(|e| QueryError::bad_request(e.to_string()))?;
            (expr, None, "")
        }
        Mode::Catalog if crate::topology::is_topology(&q) => {
            let parts = crate::topology::exprs(&q, settings)?;
            return Err(QueryError::bad_request(format!(
                "{} is a table of several instant queries, not one PromQL: {}",
                q.catalog,
                parts.join(" ; ")
            )));
        }
        Mode::Catalog => {
            let entry = catalog::find(&q.catalog)
                .ok_or_else(|| QueryError::bad_request(catalog::unknown(&q.catalog)))?;
            let expr = promql::catalog_expr(entry, &q, settings, &vars)
                .map_err(QueryError::bad_request)?;
            (expr, Some(entry.unit), entry.legend)
        }
    };
    let legend = if q.legend.is_empty() {
        default_legend.to_string()
    } else {
        q.legend.clone()
    };
    Ok(Plan {
        at_ms: req.to_ms,
        expr,
        window,
        instant: q.instant,
        unit,
        legend,
    })
}

/// Runs one query end to end.
pub async fn execute(
    req: &Request,
    settings: &Settings,
    client: &Client,
) -> Result<Vec<Frame>, QueryError> {
    let q = QueryModel::from_json(&req.json).map_err(QueryError::bad_request)?;
    if crate::topology::is_topology(&q) {
        return crate::topology::run(req, &q, settings, client).await;
    }
    let plan = plan_model(req, &q, settings)?;
    let mut frames = run_plan(&plan, client).await?;
    if q.mode == Mode::Catalog && frames.iter().all(|f| f.fields.is_empty()) {
        explain_empty(&q.catalog, &mut frames[0], settings, client).await;
    }
    Ok(frames)
}

/// An empty answer from an entry this cluster cannot have (another dataplane, an older
/// release, a component not scraped) gets a notice saying so: no data, but not an error.
async fn explain_empty(id: &str, frame: &mut Frame, settings: &Settings, client: &Client) {
    let Some(entry) = catalog::find(id) else {
        return;
    };
    // Detection failing only costs the explanation, never the query.
    if let Ok(detected) = crate::detect::detect(settings, client).await {
        if let Some(why) = crate::detect::not_applicable(entry, &detected) {
            frame.add_notice("info", why);
        }
    }
}

pub async fn run_plan(plan: &Plan, client: &Client) -> Result<Vec<Frame>, QueryError> {
    let w = &plan.window;
    let resp = if plan.instant {
        client
            .instant(&plan.expr, plan.at_ms as f64 / 1000.0)
            .await?
    } else {
        client
            .range(
                &plan.expr,
                w.start_ms as f64 / 1000.0,
                w.end_ms as f64 / 1000.0,
                w.step,
            )
            .await?
    };
    let shape = Shape {
        expr: &plan.expr,
        step: (!plan.instant).then_some(w.step),
        unit: plan.unit,
        legend: &plan.legend,
    };
    Ok(to_frames(resp, &shape))
}
