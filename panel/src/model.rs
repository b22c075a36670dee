//! Frames → model: pick the view the data fits and read it, or say plainly what is missing.
//!
//! The topology view reads the `pools` and `nodes` tables of the backend's `ipam_topology`
//! query (field names from `calicoscope_model::topology`); the heatmap view reads any range
//! result in Grafana's time-series shape (one frame per series, a time field and a number
//! field with labels); the flow view reads Goldmane's `flows` table ([`flows`]).

pub mod flows;

use crate::frames::{Field, Frame, Values};
use calicoscope_model::topology::{self, field};
use calicoscope_model::Family;

/// Which view the panel options ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ViewKind {
    #[default]
    Auto,
    Topology,
    Heatmap,
    Flows,
}

impl ViewKind {
    pub fn parse(s: &str) -> ViewKind {
        match s {
            "topology" => ViewKind::Topology,
            "heatmap" => ViewKind::Heatmap,
            "flows" => ViewKind::Flows,
            _ => ViewKind::Auto,
        }
    }
}

/// What the panel draws.
#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    Topology(Topology),
    Heatmap(Heatmap),
    Flows(flows::Flows),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Topology {
    pub pools: Vec<Pool>,
    pub nodes: Vec<NodeRow>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pool {
    /// The cluster, in a store of several; empty otherwise.
    pub cluster: String,
    pub name: String,
    pub family: Family,
    pub size: f64,
    /// Addresses an IPReservation covers (0 before Calico 3.33 reports them).
    pub reserved: f64,
    pub in_use: f64,
    pub free: f64,
    pub borrowed: f64,
    pub leaked: f64,
    pub blocks: f64,
    pub utilization: f64,
    /// `None` when the pool is not growing (the backend sends NaN).
    pub days_to_full: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeRow {
    /// The cluster, in a store of several; empty otherwise.
    pub cluster: String,
    pub pool: String,
    pub node: String,
    pub blocks: f64,
    pub capacity: f64,
    pub in_use: f64,
    pub borrowed: f64,
    pub leaked: f64,
    pub utilization: f64,
}

impl Topology {
    /// The clusters the pools belong to, in name order; empty for a store of one cluster.
    pub fn clusters(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .pools
            .iter()
            .map(|p| p.cluster.as_str())
            .filter(|c| !c.is_empty())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// More than one cluster: the topology draws clusters as its outer level.
    pub fn is_fleet(&self) -> bool {
        self.clusters().len() > 1
    }
}

impl Pool {
    pub fn is_orphan(&self) -> bool {
        self.name == topology::NO_IPPOOL
    }

    /// The pool as sentences name it (`cluster/pool` in a fleet).
    pub fn said(&self) -> String {
        topology::qualified(&self.cluster, &self.name)
    }
}

impl NodeRow {
    /// Whether this row is of `pool` (its name and cluster).
    pub fn is_of(&self, pool: &Pool) -> bool {
        self.pool == pool.name && self.cluster == pool.cluster
    }

    pub fn is_unowned(&self) -> bool {
        self.node == topology::NO_AFFINITY
    }

    /// Allocations with no node attribute (`unknown_node`): counted in the pool, owned by
    /// no node a click could select.
    pub fn is_unknown(&self) -> bool {
        self.node == topology::UNKNOWN_NODE
    }

    /// Blocks of a pool that no longer exists (`no_ippool`): not capacity anyone can use.
    pub fn is_orphan(&self) -> bool {
        self.pool == topology::NO_IPPOOL
    }

    /// Drawn hatched in the no-data colour rather than by utilization.
    pub fn is_placeholder(&self) -> bool {
        self.is_unowned() || self.is_orphan() || self.is_unknown()
    }

    /// A node a click can select (a real node, not one of Calico's placeholders).
    pub fn is_real_node(&self) -> bool {
        !self.is_unowned() && !self.is_unknown()
    }

    /// The tile's name: Calico's placeholders named as what they are.
    pub fn label(&self) -> &str {
        if self.is_unowned() {
            "no affinity"
        } else if self.is_unknown() {
            "no node recorded"
        } else {
            &self.node
        }
    }

    /// The tooltip's name, with what the placeholder means.
    pub fn description(&self) -> &str {
        if self.is_unowned() {
            "no affinity (blocks no node owns)"
        } else if self.is_unknown() {
            "unknown_node (addresses allocated without a node)"
        } else {
            &self.node
        }
    }
}

/// Rows of series over a common time grid.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Heatmap {
    /// Column start times, epoch ms, evenly spaced.
    pub times: Vec<f64>,
    pub rows: Vec<Row>,
    /// The value field's unit (`percentunit`, `short`, ...), from the first series.
    pub unit: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What the row is called: `cluster/node` when the rows come from several clusters.
    pub name: String,
    /// What a click on the row selects: the row label's value (the node), else the name.
    pub key: String,
    /// The series' cluster label, when the rows come from several clusters.
    pub cluster: Option<String>,
    /// The series' `ippool` label, for sorting by pool.
    pub pool: Option<String>,
    /// One value per column; NaN where the series has no sample.
    pub values: Vec<f64>,
}

impl Row {
    /// A row of one cluster, selected by its name.
    pub fn new(name: String, pool: Option<String>, values: Vec<f64>) -> Row {
        Row {
            key: name.clone(),
            name,
            cluster: None,
            pool,
            values,
        }
    }

    /// Highest finite value (NaN when there is none).
    pub fn peak(&self) -> f64 {
        self.values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::NAN, f64::max)
    }
}

/// Columns beyond this are not a time series a panel can show; refuse rather than allocate.
pub const MAX_COLUMNS: usize = 20_000;

/// Read the frames for the requested view. `row_label` names the label that gives heatmap
/// rows their name (`node`, `ippool`); empty, or absent from a series, means its legend.
pub fn read(frames: &[Frame], kind: ViewKind, row_label: &str) -> Result<Model, String> {
    let has_tables =
        find(frames, topology::POOLS).is_some() && find(frames, topology::NODES).is_some();
    let has_flows = find(frames, calicoscope_model::flows::FLOWS).is_some();
    match kind {
        ViewKind::Topology => read_topology(frames).map(Model::Topology),
        ViewKind::Heatmap => read_heatmap(frames, row_label).map(Model::Heatmap),
        ViewKind::Flows => flows::read(frames).map(Model::Flows),
        ViewKind::Auto if has_tables => read_topology(frames).map(Model::Topology),
        ViewKind::Auto if has_flows => flows::read(frames).map(Model::Flows),
        ViewKind::Auto if frames.iter().any(is_series) => {
            read_heatmap(frames, row_label).map(Model::Heatmap)
        }
        ViewKind::Auto if frames.iter().all(|f| f.is_empty()) => Err(no_data()),
        ViewKind::Auto => Err(format!(
            "This panel needs the `{}` query (topology), a time series query (heatmap) or a \
             Goldmane flows query (flow view); it got frames {}.",
            topology::QUERY,
            describe(frames)
        )),
    }
}

fn no_data() -> String {
    "No data: the query returned no series for this time range.".to_string()
}

fn find<'a>(frames: &'a [Frame], name: &str) -> Option<&'a Frame> {
    frames.iter().find(|f| f.name == name)
}

fn describe(frames: &[Frame]) -> String {
    if frames.is_empty() {
        return "none".into();
    }
    let names: Vec<String> = frames
        .iter()
        .take(5)
        .map(|f| {
            if f.name.is_empty() {
                "(unnamed)".to_string()
            } else {
                format!("`{}`", f.name)
            }
        })
        .collect();
    let more = frames.len().saturating_sub(5);
    if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else {
        names.join(", ")
    }
}

fn read_topology(frames: &[Frame]) -> Result<Topology, String> {
    let need = |name: &str| {
        find(frames, name).ok_or_else(|| {
            format!(
                "The topology view needs the `{}` query: frame `{name}` is missing \
                 (got {}). Pick the \"IPAM topology\" query in the editor.",
                topology::QUERY,
                describe(frames)
            )
        })
    };
    let pools = need(topology::POOLS)?;
    let nodes = need(topology::NODES)?;
    let p = Columns {
        frame: pools,
        query: topology::QUERY,
    };
    let n = Columns {
        frame: nodes,
        query: topology::QUERY,
    };
    let pool_rows = (0..pools.len())
        .map(|i| {
            let name = p.text(field::POOL, i)?;
            let size = p.number(field::SIZE, i)?;
            let family = match p.opt_text(field::FAMILY, i) {
                Some(f) => Family::parse(f),
                None => Family::of_pool(name, size),
            };
            Ok(Pool {
                cluster: p.opt_text(field::CLUSTER, i).unwrap_or("").to_string(),
                name: name.to_string(),
                family,
                size,
                reserved: p.opt_number(field::RESERVED, i).unwrap_or(0.0),
                in_use: p.number(field::IN_USE, i)?,
                free: p.opt_number(field::FREE, i).unwrap_or(f64::NAN),
                borrowed: p.opt_number(field::BORROWED, i).unwrap_or(0.0),
                leaked: p.opt_number(field::LEAKED, i).unwrap_or(0.0),
                blocks: p.opt_number(field::BLOCKS, i).unwrap_or(f64::NAN),
                utilization: p.number(field::UTILIZATION, i)?,
                days_to_full: p
                    .opt_number(field::DAYS_TO_FULL, i)
                    .filter(|d| d.is_finite() && *d >= 0.0),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let node_rows = (0..nodes.len())
        .map(|i| {
            Ok(NodeRow {
                cluster: n.opt_text(field::CLUSTER, i).unwrap_or("").to_string(),
                pool: n.text(field::POOL, i)?.to_string(),
                node: n.text(field::NODE, i)?.to_string(),
                blocks: n.number(field::BLOCKS, i)?,
                capacity: n.number(field::CAPACITY, i)?,
                in_use: n.number(field::IN_USE, i)?,
                borrowed: n.opt_number(field::BORROWED, i).unwrap_or(0.0),
                leaked: n.opt_number(field::LEAKED, i).unwrap_or(0.0),
                utilization: n.number(field::UTILIZATION, i)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if pool_rows.is_empty() {
        return Err(
            "No IP pools: the `pools` frame is empty (is kube-controllers scraped?).".into(),
        );
    }
    Ok(Topology {
        pools: pool_rows,
        nodes: node_rows,
    })
}

/// Typed access to a frame's columns with errors that name the frame, field and fix.
struct Columns<'a> {
    frame: &'a Frame,
    /// The query whose output the frame should be (named in the errors).
    query: &'static str,
}

impl<'a> Columns<'a> {
    fn field(&self, name: &str) -> Result<&'a Field, String> {
        self.frame.field(name).ok_or_else(|| {
            format!(
                "Frame `{}` has no `{name}` field: it is not the `{}` query's output \
                 (is the backend older than the panel?).",
                self.frame.name, self.query
            )
        })
    }

    fn wrong_type(&self, f: &Field, want: &str) -> String {
        format!(
            "Field `{}` of frame `{}` holds {} values; the panel expects {want}.",
            f.name,
            self.frame.name,
            f.values.type_name()
        )
    }

    /// A whole text column (readers of many rows resolve each column once).
    fn texts(&self, name: &str) -> Result<&'a [String], String> {
        let f = self.field(name)?;
        match &f.values {
            Values::Text(v) => Ok(v),
            _ => Err(self.wrong_type(f, "strings")),
        }
    }

    fn numbers(&self, name: &str) -> Result<&'a [f64], String> {
        let f = self.field(name)?;
        match &f.values {
            Values::Number(v) => Ok(v),
            _ => Err(self.wrong_type(f, "numbers")),
        }
    }

    fn text(&self, name: &str, i: usize) -> Result<&'a str, String> {
        let f = self.field(name)?;
        match &f.values {
            Values::Text(v) => Ok(v.get(i).map(String::as_str).unwrap_or("")),
            _ => Err(self.wrong_type(f, "strings")),
        }
    }

    fn opt_text(&self, name: &str, i: usize) -> Option<&'a str> {
        self.text(name, i).ok()
    }

    fn number(&self, name: &str, i: usize) -> Result<f64, String> {
        let f = self.field(name)?;
        match &f.values {
            Values::Number(v) => Ok(v.get(i).copied().unwrap_or(f64::NAN)),
            _ => Err(self.wrong_type(f, "numbers")),
        }
    }

    fn opt_number(&self, name: &str, i: usize) -> Option<f64> {
        self.number(name, i).ok()
    }
}

/// A frame in Grafana's time-series shape: a time field and at least one number field.
fn is_series(frame: &Frame) -> bool {
    let has = |t: &str| frame.fields.iter().any(|f| f.values.type_name() == t);
    has("time") && has("number")
}

fn read_heatmap(frames: &[Frame], row_label: &str) -> Result<Heatmap, String> {
    let series: Vec<(&[f64], &Field)> = frames
        .iter()
        .filter_map(|f| {
            let time = f.fields.iter().find_map(|x| match &x.values {
                Values::Time(t) => Some(t.as_slice()),
                _ => None,
            })?;
            Some(
                f.fields
                    .iter()
                    .filter(|x| matches!(x.values, Values::Number(_)))
                    .map(move |v| (time, v)),
            )
        })
        .flatten()
        .collect();
    if series.is_empty() {
        if frames.iter().all(|f| f.is_empty()) {
            return Err(no_data());
        }
        return Err(format!(
            "The heatmap view needs a time series query (a time field and a number field \
             per frame); it got frames {}. Set the query type to Range.",
            describe(frames)
        ));
    }
    let (start, end, step) = grid(&series);
    // In f64 first: a wild time (1e55 in a malformed frame) must give an error, not an
    // integer overflow (found by the panel_model fuzz target).
    let span = if step > 0.0 {
        ((end - start) / step).round() + 1.0
    } else {
        1.0
    };
    // NaN (a broken time column) is refused too.
    if span.is_nan() || span > MAX_COLUMNS as f64 {
        return Err(format!(
            "{} time columns is more than the heatmap draws ({MAX_COLUMNS}); \
             raise the query's min interval.",
            crate::format::count(span)
        ));
    }
    let columns = span as usize;
    let rows = series
        .iter()
        .map(|(time, field)| {
            let mut values = vec![f64::NAN; columns];
            if let Values::Number(v) = &field.values {
                for (t, x) in time.iter().zip(v) {
                    let c = if step > 0.0 {
                        ((t - start) / step).round()
                    } else {
                        0.0
                    };
                    if c >= 0.0 && (c as usize) < columns {
                        values[c as usize] = *x;
                    }
                }
            }
            let key = row_name(field, row_label);
            let row = Row {
                name: key.clone(),
                key,
                cluster: field.label(topology::field::CLUSTER).map(str::to_string),
                pool: field.label("ippool").map(str::to_string),
                values,
            };
            (
                row,
                !row_label.is_empty() && field.label(row_label).is_some(),
            )
        })
        .collect();
    Ok(Heatmap {
        times: (0..columns).map(|c| start + c as f64 * step).collect(),
        rows: name_clusters(rows),
        unit: series[0].1.unit.clone(),
    })
}

/// The common grid: earliest and latest finite time, and the smallest positive step seen
/// (Prometheus range answers share one step).
fn grid(series: &[(&[f64], &Field)]) -> (f64, f64, f64) {
    let (mut start, mut end, mut step) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY);
    for (time, _) in series {
        let finite = || time.iter().copied().filter(|t| t.is_finite());
        if let (Some(a), Some(b)) = (finite().next(), finite().next_back()) {
            start = start.min(a);
            end = end.max(b);
        }
        for w in time.windows(2).take(64) {
            let d = w[1] - w[0];
            if d > 0.0 && d.is_finite() {
                step = step.min(d);
            }
        }
    }
    if !start.is_finite() {
        return (0.0, 0.0, 0.0);
    }
    (start, end, if step.is_finite() { step } else { 0.0 })
}

/// Rows from several clusters: a row named by its label (`host`) is named `cluster/host`, as
/// node names repeat across clusters (a legend already says the cluster: the backend leads it
/// with the cluster when an answer holds several). Rows of one cluster keep their names and
/// forget the cluster, so a click sets no cluster variable. The cluster is the series'
/// `cluster` label: under another `clusterLabel` rows are named by the backend's legend.
/// `rows` are paired with whether the row label named them.
fn name_clusters(rows: Vec<(Row, bool)>) -> Vec<Row> {
    let first = rows.iter().find_map(|(r, _)| r.cluster.clone());
    let several = rows
        .iter()
        .any(|(r, _)| r.cluster.is_some() && r.cluster != first);
    rows.into_iter()
        .map(|(mut row, by_label)| {
            match (several, &row.cluster) {
                (true, Some(c)) if by_label => row.name = topology::qualified(c, &row.key),
                (true, _) => {}
                (false, _) => row.cluster = None,
            }
            row
        })
        .collect()
}

/// The chosen label's value; with none chosen, the backend's legend; else all labels.
fn row_name(field: &Field, row_label: &str) -> String {
    if let Some(v) = field.label(row_label).filter(|_| !row_label.is_empty()) {
        return v.to_string();
    }
    if let Some(d) = &field.display_name {
        return d.clone();
    }
    if field.labels.is_empty() {
        return field.name.clone();
    }
    let parts: Vec<String> = field
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests;
