//! The IPAM topology entry's answers → the two tables the panel reads (`pools`, `nodes`).
//!
//! The parts (instant queries, see `query::catalog`) arrive named by the field they fill.
//! Field names come from `calicoscope_model::topology`, the contract the panel reads.
//! Orphan blocks (`no_ippool`) appear as a pool row of that name; unaffine blocks as node
//! `no_affinity`. In a store of several clusters every row is one cluster's (the cluster
//! label is part of each key), and both tables lead with a `cluster` column.

use std::collections::{BTreeMap, BTreeSet};

use calicoscope_model::pool::{self as ipam, last_values};
use calicoscope_model::topology::{field, NODES, NO_IPPOOL, POOLS};
use calicoscope_model::Family;
use serde_json::json;

use crate::client::ApiResponse;
use crate::frames::{Field, Frame, Values};
use crate::settings::Settings;

/// (cluster, pool): the cluster is empty where the store has no cluster label.
type Pool = (String, String);
/// (cluster, pool, node); pool-only answers use an empty node.
type Key = (String, String, String);

/// The `pools` and `nodes` tables from each part's answer.
pub fn assemble(answers: &[(&'static str, ApiResponse)], settings: &Settings) -> Vec<Frame> {
    let t = Tables::new(answers, settings);
    vec![t.pools(), t.nodes(settings)]
}

/// Part answers keyed by (cluster, pool, node).
struct Tables {
    size: BTreeMap<Pool, f64>,
    reserved: BTreeMap<Pool, f64>,
    days: BTreeMap<Pool, f64>,
    parts: BTreeMap<&'static str, BTreeMap<Key, f64>>,
    keys: BTreeSet<Key>,
}

impl Tables {
    fn new(answers: &[(&'static str, ApiResponse)], settings: &Settings) -> Tables {
        let (pool, node) = (&settings.json.pool_label, &settings.json.node_label);
        let cluster = &settings.json.cluster_label;
        let mut parts: BTreeMap<&'static str, BTreeMap<Key, f64>> = BTreeMap::new();
        for (name, answer) in answers {
            let series = answer
                .series
                .iter()
                .map(|s| (&s.labels, s.values.as_slice()));
            let rows: BTreeMap<Key, f64> = last_values(series, |labels| {
                let text = |label: &String| labels.get(label).cloned().unwrap_or_default();
                Some((text(cluster), labels.get(pool)?.clone(), text(node)))
            });
            parts.insert(*name, rows);
        }
        let mut per_pool = |part| -> BTreeMap<Pool, f64> {
            parts
                .remove(part)
                .unwrap_or_default()
                .into_iter()
                .map(|((c, p, _), v)| ((c, p), v))
                .collect()
        };
        let (size, reserved, days) = (
            per_pool(field::SIZE),
            per_pool(field::RESERVED),
            per_pool(field::DAYS_TO_FULL),
        );
        let keys = [field::IN_USE, field::BLOCKS]
            .iter()
            .flat_map(|p| parts.get(p).into_iter().flat_map(|m| m.keys().cloned()))
            .collect();
        Tables {
            size,
            reserved,
            days,
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

    fn pool_sum(&self, part: &str, pool: &Pool) -> f64 {
        self.keys
            .iter()
            .filter(|(c, p, _)| (c, p) == (&pool.0, &pool.1))
            .map(|k| self.get(part, k))
            .sum()
    }

    fn pools(&self) -> Frame {
        let names: BTreeSet<Pool> = self
            .size
            .keys()
            .cloned()
            .chain(self.keys.iter().map(|(c, p, _)| (c.clone(), p.clone())))
            .collect();
        let names: Vec<Pool> = names.into_iter().collect();
        let column = |f: &dyn Fn(&Pool) -> f64| names.iter().map(f).collect::<Vec<f64>>();
        let size = |p: &Pool| {
            if p.1 == NO_IPPOOL {
                f64::NAN
            } else {
                self.size.get(p).copied().unwrap_or(f64::NAN)
            }
        };
        let in_use = |p: &Pool| self.pool_sum(field::IN_USE, p);
        let reserved = |p: &Pool| self.reserved.get(p).copied().unwrap_or(0.0);
        let mut frame = Frame::new(POOLS);
        frame.fields = vec![
            text(field::POOL, names.iter().map(|p| &p.1)),
            Field::new(
                field::FAMILY,
                Values::Text(
                    names
                        .iter()
                        .map(|p| Family::of_pool(&p.1, size(p)).as_str().to_string())
                        .collect(),
                ),
            ),
            number(field::SIZE, column(&size), "short"),
            number(field::RESERVED, column(&reserved), "short"),
            number(field::IN_USE, column(&in_use), "short"),
            // Reserved addresses can never be assigned: neither free nor part of the
            // utilization (the model's definitions, which the CLI report uses too).
            number(
                field::FREE,
                column(&|p| ipam::free(size(p), reserved(p), in_use(p))),
                "short",
            ),
            number(
                field::BORROWED,
                column(&|p| self.pool_sum(field::BORROWED, p)),
                "short",
            ),
            number(
                field::LEAKED,
                column(&|p| self.pool_sum(field::LEAKED, p)),
                "short",
            ),
            number(
                field::BLOCKS,
                column(&|p| self.pool_sum(field::BLOCKS, p)),
                "short",
            ),
            number(
                field::UTILIZATION,
                column(&|p| ipam::utilization(size(p), reserved(p), in_use(p))),
                "percentunit",
            ),
            number(
                field::DAYS_TO_FULL,
                column(&|p| self.days.get(p).copied().unwrap_or(f64::NAN)),
                "d",
            ),
        ];
        with_clusters(frame, names.iter().map(|p| &p.0))
    }

    fn nodes(&self, settings: &Settings) -> Frame {
        let keys: Vec<&Key> = self.keys.iter().collect();
        let column = |f: &dyn Fn(&Key) -> f64| keys.iter().map(|k| f(k)).collect::<Vec<f64>>();
        let block = settings.json.block_addresses.max(1) as f64;
        let capacity = |k: &Key| self.get(field::BLOCKS, k) * block;
        // Borrowed addresses live in other nodes' blocks: they do not fill this node's.
        let own = |k: &Key| self.get(field::IN_USE, k) - self.get(field::BORROWED, k);
        let mut frame = Frame::new(NODES);
        frame.fields = vec![
            text(field::POOL, keys.iter().map(|k| &k.1)),
            text(field::NODE, keys.iter().map(|k| &k.2)),
            number(
                field::BLOCKS,
                column(&|k| self.get(field::BLOCKS, k)),
                "short",
            ),
            number(field::CAPACITY, column(&capacity), "short"),
            number(
                field::IN_USE,
                column(&|k| self.get(field::IN_USE, k)),
                "short",
            ),
            number(
                field::BORROWED,
                column(&|k| self.get(field::BORROWED, k)),
                "short",
            ),
            number(
                field::LEAKED,
                column(&|k| self.get(field::LEAKED, k)),
                "short",
            ),
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
        with_clusters(frame, keys.iter().map(|k| &k.0))
    }
}

fn text<'a>(name: &str, values: impl Iterator<Item = &'a String>) -> Field {
    Field::new(name, Values::Text(values.cloned().collect()))
}

/// The `cluster` column first, when any row has a cluster: a store of one cluster without
/// the label keeps the tables it had.
fn with_clusters<'a>(mut frame: Frame, clusters: impl Iterator<Item = &'a String>) -> Frame {
    let clusters: Vec<&String> = clusters.collect();
    if clusters.iter().any(|c| !c.is_empty()) {
        frame
            .fields
            .insert(0, text(field::CLUSTER, clusters.into_iter()));
    }
    frame
}

fn number(name: &str, values: Vec<f64>, unit: &str) -> Field {
    Field::new(name, Values::Number(values)).with_config(json!({ "unit": unit }))
}
