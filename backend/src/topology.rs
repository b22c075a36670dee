//! The IPAM topology query: pools → nodes → blocks as two tables (`pools`, `nodes`) for the
//! panel, assembled from several instant PromQL queries run concurrently.
//!
//! Field names come from `calicoscope_model::topology`, the contract the panel reads.
//! Orphan blocks (`no_ippool`) appear as a pool row of that name; unaffine blocks as node
//! `no_affinity`. Every sub-query de-duplicates across scrape jobs with `max by (ippool, node)`.

use std::collections::{BTreeMap, BTreeSet};

use calicoscope_model::topology::{field, NODES, NO_IPPOOL, POOLS};
use calicoscope_model::Family;
use serde_json::json;

use crate::client::{ApiResponse, Client};
use crate::execute::{self, QueryError, Request};
use crate::frames::{Field, Frame, Values};
use crate::promql::{rewrite::Rewrite, validate};
use crate::query::catalog::{Component, Entry};
use crate::query::model::QueryModel;
use crate::settings::Settings;

/// The catalog entry that lists the topology query in the editor.
pub static ENTRY: Entry = Entry {
    id: calicoscope_model::topology::QUERY,
    title: "IPAM topology (tables for the Calicoscope panel)",
    description:
        "Pools and, per pool, nodes with blocks, capacity, addresses in use, borrowed and leaked: \
                  the data behind the topology view and the summary sentence.",
    component: Component::KubeControllers,
    unit: "short",
    legend: "",
    group_by: &[],
    needs: "",
    dataplane: None,
    template: "",
};

type Key = (String, String);

const PARTS: [(&str, &str); 6] = [
    ("size", "max by (ippool) (ipam_ippool_size)"),
    // Calico 3.33+; absent before, which reads as 0 reserved.
    ("reserved", "max by (ippool) (ipam_ippool_reserved)"),
    ("in_use", "max by (ippool, node) (ipam_allocations_in_use)"),
    (
        "borrowed",
        "max by (ippool, node) (ipam_allocations_borrowed)",
    ),
    (
        "leaked",
        "max by (ippool, node) (ipam_allocations_gc_candidates)",
    ),
    ("blocks", "max by (ippool, node) (ipam_blocks)"),
];

/// The PromQL of each part, with the query's filters and the configured label names.
pub fn exprs(q: &QueryModel, settings: &Settings) -> Result<Vec<String>, QueryError> {
    PARTS
        .iter()
        .map(|(_, template)| {
            let mut expr =
                validate::parse(template).map_err(|e| QueryError::bad_request(e.to_string()))?;
            Rewrite {
                filters: &q.filters,
                job: Some(settings.job(Component::KubeControllers)),
                node_label: &settings.json.node_label,
                pool_label: &settings.json.pool_label,
                group_by: &[],
            }
            .apply(&mut expr)
            .map_err(QueryError::bad_request)?;
            Ok(expr.to_string())
        })
        .collect()
}

/// Runs the parts and the days-to-full forecast concurrently and builds the two tables.
pub async fn run(
    req: &Request,
    q: &QueryModel,
    settings: &Settings,
    client: &Client,
) -> Result<Vec<Frame>, QueryError> {
    let time_s = req.to_ms as f64 / 1000.0;
    let exprs = exprs(q, settings)?;
    let answers = futures::future::join_all(exprs.iter().map(|e| client.instant(e, time_s))).await;
    let answers = answers.into_iter().collect::<Result<Vec<_>, _>>()?;
    let mut forecast = q.clone();
    forecast.catalog = "ipam_days_to_exhaustion".into();
    forecast.instant = true;
    let days_req = Request {
        json: serde_json::to_vec(&forecast).unwrap_or_default(),
        ..req.clone()
    };
    let days_plan = execute::plan(&days_req, settings)?;
    let days_frames = execute::run_plan(&days_plan, client).await?;
    let pool_label = settings.json.pool_label.as_str();
    let days: BTreeMap<String, f64> = days_frames
        .iter()
        .filter_map(|f| {
            let v = f.fields.get(1)?;
            let Values::Number(n) = &v.values else {
                return None;
            };
            Some((v.labels.get(pool_label)?.clone(), *n.last()?))
        })
        .collect();
    let t = Tables::new(&answers, settings);
    let mut frames = vec![t.pools(&days), t.nodes(settings)];
    frames[0].add_meta(
        "executedQueryString",
        json!(format!("Expr: {}", exprs.join("\n"))),
    );
    Ok(frames)
}

/// Sub-query answers keyed by (pool, node); pool-only answers use an empty node.
struct Tables {
    size: BTreeMap<String, f64>,
    reserved: BTreeMap<String, f64>,
    parts: BTreeMap<&'static str, BTreeMap<Key, f64>>,
    keys: BTreeSet<Key>,
}

impl Tables {
    fn new(answers: &[ApiResponse], settings: &Settings) -> Tables {
        let (pool, node) = (&settings.json.pool_label, &settings.json.node_label);
        let mut parts = BTreeMap::new();
        for ((name, _), answer) in PARTS.iter().zip(answers) {
            let rows: BTreeMap<Key, f64> = answer
                .series
                .iter()
                .filter_map(|s| {
                    let key = (
                        s.labels.get(pool)?.clone(),
                        s.labels.get(node).cloned().unwrap_or_default(),
                    );
                    Some((key, *s.values.last()?))
                })
                .collect();
            parts.insert(*name, rows);
        }
        let mut per_pool = |part| -> BTreeMap<String, f64> {
            parts
                .remove(part)
                .unwrap_or_default()
                .into_iter()
                .map(|((p, _), v)| (p, v))
                .collect()
        };
        let (size, reserved) = (per_pool("size"), per_pool("reserved"));
        let keys = ["in_use", "blocks"]
            .iter()
            .flat_map(|p| parts[p].keys().cloned())
            .collect();
        Tables {
            size,
            reserved,
            parts,
            keys,
        }
    }

    fn get(&self, part: &str, key: &Key) -> f64 {
        self.parts
            .get(part)
            .and_then(|m| m.get(key))
            .copied()
            .unwrap_or(0.0)
    }

    fn pool_sum(&self, part: &str, pool: &str) -> f64 {
        self.keys
            .iter()
            .filter(|(p, _)| p == pool)
            .map(|k| self.get(part, k))
            .sum()
    }

    fn pools(&self, days: &BTreeMap<String, f64>) -> Frame {
        let names: BTreeSet<String> = self
            .size
            .keys()
            .cloned()
            .chain(self.keys.iter().map(|(p, _)| p.clone()))
            .collect();
        let names: Vec<String> = names.into_iter().collect();
        let column = |f: &dyn Fn(&str) -> f64| names.iter().map(|p| f(p)).collect::<Vec<f64>>();
        let size = |p: &str| {
            if p == NO_IPPOOL {
                f64::NAN
            } else {
                self.size.get(p).copied().unwrap_or(f64::NAN)
            }
        };
        let in_use = |p: &str| self.pool_sum("in_use", p);
        let reserved = |p: &str| self.reserved.get(p).copied().unwrap_or(0.0);
        // Reserved addresses can never be assigned: neither free nor part of the utilization.
        let assignable = |p: &str| size(p) - reserved(p);
        let mut frame = Frame::new(POOLS);
        frame.fields = vec![
            Field::new(field::POOL, Values::Text(names.clone())),
            Field::new(
                field::FAMILY,
                Values::Text(
                    names
                        .iter()
                        .map(|p| Family::of_pool(p, size(p)).as_str().to_string())
                        .collect(),
                ),
            ),
            number(field::SIZE, column(&size), "short"),
            number(field::RESERVED, column(&reserved), "short"),
            number(field::IN_USE, column(&in_use), "short"),
            // Calico counts a reserved address that is also allocated in both figures, so
            // this can undershoot; never below 0.
            number(
                field::FREE,
                column(&|p| {
                    let free = assignable(p) - in_use(p);
                    // NaN (no size: `no_ippool`) stays NaN.
                    if free < 0.0 {
                        0.0
                    } else {
                        free
                    }
                }),
                "short",
            ),
            number(
                field::BORROWED,
                column(&|p| self.pool_sum("borrowed", p)),
                "short",
            ),
            number(
                field::LEAKED,
                column(&|p| self.pool_sum("leaked", p)),
                "short",
            ),
            number(
                field::BLOCKS,
                column(&|p| self.pool_sum("blocks", p)),
                "short",
            ),
            number(
                field::UTILIZATION,
                column(&|p| in_use(p) / assignable(p)),
                "percentunit",
            ),
            number(
                field::DAYS_TO_FULL,
                column(&|p| days.get(p).copied().unwrap_or(f64::NAN)),
                "d",
            ),
        ];
        frame
    }

    fn nodes(&self, settings: &Settings) -> Frame {
        let keys: Vec<&Key> = self.keys.iter().collect();
        let column = |f: &dyn Fn(&Key) -> f64| keys.iter().map(|k| f(k)).collect::<Vec<f64>>();
        let block = settings.json.block_addresses.max(1) as f64;
        let capacity = |k: &Key| self.get("blocks", k) * block;
        // Borrowed addresses live in other nodes' blocks: they do not fill this node's.
        let own = |k: &Key| self.get("in_use", k) - self.get("borrowed", k);
        let mut frame = Frame::new(NODES);
        frame.fields = vec![
            Field::new(
                field::POOL,
                Values::Text(keys.iter().map(|k| k.0.clone()).collect()),
            ),
            Field::new(
                field::NODE,
                Values::Text(keys.iter().map(|k| k.1.clone()).collect()),
            ),
            number(field::BLOCKS, column(&|k| self.get("blocks", k)), "short"),
            number(field::CAPACITY, column(&capacity), "short"),
            number(field::IN_USE, column(&|k| self.get("in_use", k)), "short"),
            number(
                field::BORROWED,
                column(&|k| self.get("borrowed", k)),
                "short",
            ),
            number(field::LEAKED, column(&|k| self.get("leaked", k)), "short"),
            number(
                field::UTILIZATION,
                column(&|k| {
                    if capacity(k) > 0.0 {
                        (own(k) / capacity(k)).clamp(0.0, 1.0)
                    } else {
                        0.0
                    }
                }),
                "percentunit",
            ),
        ];
        frame
    }
}

fn number(name: &str, values: Vec<f64>, unit: &str) -> Field {
    Field::new(name, Values::Number(values)).with_config(json!({ "unit": unit }))
}

/// Is this the topology query?
pub fn is_topology(q: &QueryModel) -> bool {
    q.mode == crate::query::model::Mode::Catalog && q.catalog == ENTRY.id
}
