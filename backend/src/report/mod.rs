//! The capacity report: per IP pool, the figures and plain sentences a manager or an on-call
//! engineer reads, with the one thing to do. The app's "Capacity report" page shows it (the
//! `report` and `report.csv` resources) and `gpx_calicoscope report` prints its sentences.
//!
//! The figures are the `ipam_topology` entry's tables — the panel's numbers — with the
//! forecast fitted over the report's window, plus each pool's utilization over that window.
//!
//! ```no_run
//! # async fn f(settings: &calicoscope_backend::settings::Settings, client: &calicoscope_backend::client::Client) {
//! let report = calicoscope_backend::report::build(settings, client, "7d").await.unwrap();
//! println!("{}", report.headline); // "2 IP pools. 1 needs action: default-ipv4-ippool."
//! # }
//! ```

pub mod csv;
pub mod denied;
pub mod fleet;
pub mod text;

use std::time::Duration;

use calicoscope_model::topology::{
    field, qualified as said, NODES, NO_AFFINITY, NO_IPPOOL, POOLS, UNKNOWN_NODE,
};
use calicoscope_model::{format, pool, Family};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::client::Client;
use crate::execute::{self, QueryError, Request};
use crate::frames::{Frame, Values};
use crate::query::time::{format_duration, parse_duration};
use crate::settings::Settings;
use text::{Action, NodeCount};

impl PoolReport {
    /// The pool as sentences name it: `cluster/pool` in a store of several clusters.
    pub fn said(&self) -> String {
        said(&self.cluster, &self.name)
    }

    /// The pool's one-sentence summary, as the panel's status line says it.
    pub fn summary(&self) -> pool::PoolSummary<'_> {
        pool::PoolSummary {
            name: &self.name,
            family: Family::of_pool(&self.name, self.size),
            reserved: self.reserved,
            free: self.free,
            utilization: self.utilization.unwrap_or(f64::NAN),
            days_to_full: self.days_to_full,
            borrowers: self.borrowing.len(),
            leaked: self.leaked,
        }
    }
}

/// The report's window when the page does not name one: a week of growth.
pub const DEFAULT_WINDOW: &str = "7d";
/// Shortest and longest windows: under a minute a line is fitted through a handful of
/// scrapes; past 90 days most Prometheus servers have no data (15 days' retention by default).
const WINDOWS: (Duration, Duration) = (Duration::from_secs(60), Duration::from_secs(90 * 86_400));
/// Points of each pool's trend line: every two hours of a week.
const TREND_POINTS: i64 = 84;
/// Steps at which each cluster's last IPAM sample is looked for: in a week, every 7 minutes
/// (the time a quiet cluster is named with is that exact).
const LAST_SEEN_POINTS: i64 = 1_440;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("window {0:?} is not a duration such as 7d or 24h: pass window=7d")]
    Window(String),
    #[error("window {0} is outside 1m to 90d: pick one in that range (7d is the default)")]
    WindowRange(String),
    #[error(transparent)]
    Query(#[from] QueryError),
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// As PromQL writes it (`7d`), and in words (`7 days`).
    pub window: String,
    pub window_text: String,
    /// The instant the figures are for, in ms since the epoch.
    pub at: i64,
    pub headline: String,
    /// In a store of several clusters: each, most urgent first (empty otherwise).
    pub clusters: Vec<fleet::ClusterReport>,
    /// Clusters with IPAM figures within the window but none now.
    pub quiet: Vec<fleet::Quiet>,
    pub pools: Vec<PoolReport>,
    pub orphans: Orphans,
    /// What policy denied in the last hour, when the datasource has a Goldmane.
    pub denied: Option<denied::Denied>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolReport {
    /// The cluster the pool belongs to, in a store of several; empty otherwise.
    pub cluster: String,
    pub name: String,
    /// `IPv4`, `IPv6` or `family unknown`.
    pub family: &'static str,
    pub size: f64,
    pub reserved: f64,
    pub in_use: f64,
    /// See `calicoscope_model::pool::free`.
    pub free: f64,
    /// 0..1; `None` when nothing is assignable.
    pub utilization: Option<f64>,
    /// `None` when the pool did not grow over the window.
    pub days_to_full: Option<f64>,
    /// `2026-12-14`; `None` when not growing or beyond ten years.
    pub full_by: Option<String>,
    pub leaked: f64,
    /// Nodes holding borrowed addresses, most first.
    pub borrowing: Vec<NodeCount>,
    /// Nodes with leaked addresses, most first.
    pub leaking: Vec<NodeCount>,
    /// Blocks of the pool affine to no node.
    pub unaffine_blocks: f64,
    pub trend: Trend,
    pub figures: Figures,
    pub forecast: String,
    pub borrowing_text: String,
    pub leaks_text: String,
    pub action: Action,
}

/// The pool's utilization (0..1) over the window; `None` where Prometheus had no sample.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Trend {
    pub times: Vec<i64>,
    pub utilization: Vec<Option<f64>>,
}

/// The large numbers, formatted as everywhere else in the plugin.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    pub used: String,
    pub free: String,
    pub reserved: String,
    /// `14 December 2026`, `not growing`, `not filling up within ten years`, `full now`.
    pub full_by: String,
}

/// Blocks in no current pool (`no_ippool`), per node.
#[derive(Clone, Debug, Serialize)]
pub struct Orphans {
    pub blocks: f64,
    pub nodes: Vec<NodeCount>,
    pub text: String,
}

/// Runs the report's queries over `window` (a PromQL duration, 1m to 90d) ending now.
pub async fn build(
    settings: &Settings,
    client: &Client,
    window: &str,
) -> Result<Report, ReportError> {
    let span = parse_duration(window).ok_or_else(|| ReportError::Window(window.to_string()))?;
    if span < WINDOWS.0 || span > WINDOWS.1 {
        return Err(ReportError::WindowRange(window.to_string()));
    }
    let window = format_duration(span);
    let mut settings = settings.clone();
    settings.json.forecast_window = window.clone();
    let at_ms = (crate::client::now_s() * 1000.0) as i64;
    let span_ms = span.as_millis() as i64;
    let request = |query: serde_json::Value, points: i64| Request {
        ref_id: "A".into(),
        json: query.to_string().into_bytes(),
        from_ms: at_ms - span_ms,
        to_ms: at_ms,
        interval_ms: span_ms / points,
        max_data_points: points,
    };
    let (tables, trends, seen) = futures::future::join3(
        execute::execute(
            &request(
                json!({ "catalog": calicoscope_model::topology::QUERY }),
                1_000,
            ),
            &settings,
            client,
        ),
        execute::execute(
            &request(json!({ "catalog": "ipam_pool_utilization" }), TREND_POINTS),
            &settings,
            client,
        ),
        last_seen(
            &settings,
            client,
            request(
                json!({ "catalog": "ipam_figures_age", "instant": true }),
                LAST_SEEN_POINTS,
            ),
            at_ms,
        ),
    )
    .await;
    let (tables, trends) = (tables?, trends?);
    let at = DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
    let mut report = assemble(&tables, &trends, &settings, at, &window);
    report.quiet = seen
        .into_iter()
        .filter(|(c, _)| !c.is_empty() && report.pools.iter().all(|p| &p.cluster != c))
        .map(|(c, since)| fleet::Quiet::new(&c, since, at_ms))
        .collect();
    if !report.quiet.is_empty() || !report.clusters.is_empty() {
        report.headline = fleet::headline(&report.clusters, &report.quiet);
    }
    report.denied = denied::last_hour(&settings, client).await;
    Ok(report)
}

/// Each cluster's last IPAM sample within the window (ms), from the `ipam_figures_age`
/// entry; empty with the cluster dimension off or when the store cannot say (the report then
/// only misses the quiet clusters' sentence, never its figures).
async fn last_seen(
    settings: &Settings,
    client: &Client,
    request: Request,
    at_ms: i64,
) -> Vec<(String, i64)> {
    let label = settings.json.cluster_label.as_str();
    if label.is_empty() {
        return vec![];
    }
    let Ok(frames) = execute::execute(&request, settings, client).await else {
        return vec![];
    };
    frames
        .iter()
        .filter_map(|f| {
            let field = f.fields.get(1)?;
            let Values::Number(v) = &field.values else {
                return None;
            };
            let age_s = v.last().copied().filter(|a| a.is_finite())?;
            Some((
                field.labels.get(label)?.clone(),
                at_ms - (age_s * 1000.0) as i64,
            ))
        })
        .collect()
}

fn assemble(
    tables: &[Frame],
    trends: &[Frame],
    settings: &Settings,
    at: DateTime<Utc>,
    window: &str,
) -> Report {
    let empty = Frame::new("");
    let find = |name| tables.iter().find(|f| f.name == name).unwrap_or(&empty);
    let (pools, nodes) = (find(POOLS), find(NODES));
    let words = text::window_text(parse_duration(window).unwrap_or_default());
    let names = texts(pools, field::POOL);
    let rows = (0..names.len())
        .filter(|&i| names[i] != NO_IPPOOL && number(pools, field::SIZE, i).is_finite());
    let reports: Vec<PoolReport> = rows
        .map(|i| pool_report(pools, i, nodes, trends, settings, at, &words))
        .collect();
    let said: Vec<String> = reports.iter().map(PoolReport::said).collect();
    let kinds: Vec<(&str, text::ActionKind)> = reports
        .iter()
        .zip(&said)
        .map(|(p, said)| (said.as_str(), p.action.kind))
        .collect();
    let orphan_nodes = node_counts(nodes, None, NO_IPPOOL, field::BLOCKS, |_| true);
    let blocks = orphan_nodes.iter().map(|n| n.count).fold(0.0, |a, b| a + b);
    let clusters = match reports.iter().any(|p| !p.cluster.is_empty()) {
        true => fleet::clusters(&reports),
        false => vec![],
    };
    Report {
        window: window.to_string(),
        window_text: words,
        at: at.timestamp_millis(),
        headline: match clusters.is_empty() {
            true => text::headline(&kinds),
            false => fleet::headline(&clusters, &[]),
        },
        clusters,
        quiet: vec![],
        denied: None,
        orphans: Orphans {
            blocks,
            text: text::orphans(blocks, &orphan_nodes),
            nodes: orphan_nodes,
        },
        pools: reports,
    }
}

fn pool_report(
    pools: &Frame,
    i: usize,
    nodes: &Frame,
    trends: &[Frame],
    settings: &Settings,
    at: DateTime<Utc>,
    window: &str,
) -> PoolReport {
    let name = texts(pools, field::POOL)[i].clone();
    let cluster = texts(pools, field::CLUSTER)
        .get(i)
        .cloned()
        .unwrap_or_default();
    let rows = |column, keep: &dyn Fn(&str) -> bool| {
        node_counts(nodes, Some(&cluster), &name, column, keep)
    };
    let figure = |f| number(pools, f, i);
    let (size, reserved, in_use) = (
        figure(field::SIZE),
        figure(field::RESERVED),
        figure(field::IN_USE),
    );
    let free = pool::free(size, reserved, in_use);
    let utilization = Some(pool::utilization(size, reserved, in_use)).filter(|u| u.is_finite());
    let days = Some(figure(field::DAYS_TO_FULL)).filter(|d| d.is_finite());
    let by = text::full_by(at, days);
    let owned = |node: &str| node != NO_AFFINITY && node != UNKNOWN_NODE;
    let borrowing = rows(field::BORROWED, &owned);
    let leaking = rows(field::LEAKED, &|_| true);
    let leaked = leaking.iter().map(|n| n.count).fold(0.0, |a, b| a + b);
    let unaffine = rows(field::BLOCKS, &|n| n == NO_AFFINITY);
    let full_by = match by {
        _ if free <= 0.0 => "full now".to_string(),
        Some(by) => text::date(by),
        None => pool::horizon(days),
    };
    PoolReport {
        family: Family::of_pool(&name, size).label(),
        size,
        reserved,
        in_use,
        free,
        utilization,
        days_to_full: days,
        full_by: by.map(|d| d.format("%Y-%m-%d").to_string()),
        leaked,
        unaffine_blocks: unaffine.iter().map(|n| n.count).fold(0.0, |a, b| a + b),
        trend: trend(
            trends,
            [
                (settings.json.pool_label.as_str(), name.as_str()),
                (settings.json.cluster_label.as_str(), cluster.as_str()),
            ],
            at.timestamp_millis(),
            utilization,
        ),
        figures: Figures {
            used: format::percent(utilization.unwrap_or(f64::NAN)),
            free: format::count(free),
            reserved: format::count(reserved),
            full_by,
        },
        forecast: text::forecast(&said(&cluster, &name), window, free, days, by),
        borrowing_text: text::borrowing(&borrowing),
        leaks_text: text::leaks(leaked, &leaking),
        action: text::action(
            &said(&cluster, &name),
            free,
            utilization.unwrap_or(1.0),
            days,
            by,
            &leaking,
        ),
        borrowing,
        leaking,
        name,
        cluster,
    }
}

/// The `nodes` table's rows of `pool` (in `cluster`; any cluster when `None`, the node then
/// named `cluster/node`) with a positive `column`, most first.
fn node_counts(
    nodes: &Frame,
    cluster: Option<&str>,
    pool: &str,
    column: &str,
    keep: impl Fn(&str) -> bool,
) -> Vec<NodeCount> {
    let (pools, names) = (texts(nodes, field::POOL), texts(nodes, field::NODE));
    let clusters = texts(nodes, field::CLUSTER);
    let cluster_of = |i: usize| clusters.get(i).map_or("", String::as_str);
    let name = |i: usize| match (cluster, cluster_of(i)) {
        (None, c) => said(c, &names[i]),
        _ => names[i].clone(),
    };
    let mut out: Vec<NodeCount> = (0..pools.len().min(names.len()))
        .filter(|&i| pools[i] == pool && keep(&names[i]))
        .filter(|&i| cluster.is_none_or(|c| c == cluster_of(i)))
        .map(|i| NodeCount::new(name(i), number(nodes, column, i)))
        .filter(|n| n.count > 0.0)
        .collect();
    out.sort_by(|a, b| {
        b.count
            .total_cmp(&a.count)
            .then_with(|| a.node.cmp(&b.node))
    });
    out
}

/// The pool's series of the utilization entry (percent) as shares, ending with the report's
/// own figure at `at` (the range's steps stop up to a step before it, and a Prometheus with
/// less history than one step has no other point). `labels`: the pool's and its cluster's
/// (an empty value or label matches a series without it).
fn trend(frames: &[Frame], labels: [(&str, &str); 2], at: i64, now: Option<f64>) -> Trend {
    let mut t = series_trend(frames, labels);
    if t.times.last().is_none_or(|last| *last < at) {
        t.times.push(at);
        t.utilization.push(now);
    }
    t
}

fn series_trend(frames: &[Frame], labels: [(&str, &str); 2]) -> Trend {
    let has = |f: &Frame, (label, value): (&str, &str)| {
        let got = f.fields.get(1).and_then(|v| v.labels.get(label));
        got.map_or("", String::as_str) == value
    };
    let series = frames
        .iter()
        .find(|f| f.fields.len() > 1 && labels.iter().all(|l| has(f, *l)));
    let Some(frame) = series else {
        return Trend::default();
    };
    let (Values::Time(times), Values::Number(values)) =
        (&frame.fields[0].values, &frame.fields[1].values)
    else {
        return Trend::default();
    };
    Trend {
        times: times.clone(),
        utilization: values
            .iter()
            .map(|v| Some(v / 100.0).filter(|v| v.is_finite()))
            .collect(),
    }
}

fn texts<'a>(frame: &'a Frame, name: &str) -> &'a [String] {
    match frame
        .fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| &f.values)
    {
        Some(Values::Text(v)) => v,
        _ => &[],
    }
}

/// Row `i` of a number column; NaN when absent.
fn number(frame: &Frame, name: &str, i: usize) -> f64 {
    match frame
        .fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| &f.values)
    {
        Some(Values::Number(v)) => v.get(i).copied().unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}
