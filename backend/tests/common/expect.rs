//! What the simulated cluster's state implies for every catalog query, and the check that a
//! store's answers through the backend's data path match it (exact for IPAM numbers).

use std::collections::BTreeMap;

use calicoscope_backend::frames::{Frame, Values};
use calicoscope_backend::query::catalog::CATALOG;
use calicoscope_backend::settings::Settings;
use calicoscope_model::calico;
use calicoscope_model::topology::{self, field};
use calicoscope_sim::Cluster;

use super::{by, instant, instant_filtered, request};

type Rows = BTreeMap<String, f64>;

fn sum_by<T>(items: &[T], key: impl Fn(&T) -> Option<String>, value: impl Fn(&T) -> f64) -> Rows {
    let mut out = Rows::new();
    for item in items {
        if let Some(k) = key(item) {
            *out.entry(k).or_default() += value(item);
        }
    }
    out
}

fn assert_rows(what: &str, got: &Rows, want: &Rows) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{what}: series differ"
    );
    for (k, w) in want {
        let g = got[k];
        assert!(
            (g - w).abs() <= 1e-9 * w.abs().max(1.0),
            "{what} {k}: got {g}, want {w}"
        );
    }
}

/// The IPAM figures the simulator's state implies, per catalog entry.
fn ipam_expectations(c: &Cluster) -> Vec<(&'static str, &'static str, Rows)> {
    let real_pool = |p: &str| (p != "no_ippool").then(|| p.to_string());
    let in_use = sum_by(&c.allocations, |a| real_pool(&a.pool), |a| a.in_use as f64);
    let size: Rows = c.pools.iter().map(|p| (p.name.clone(), p.size)).collect();
    // Reservations count only where the release reports them (3.33+); before, Calicoscope
    // cannot know them and reports the whole CIDR as assignable.
    let reported = calico::exported("ipam_ippool_reserved", c.release, c.dataplane);
    let reserved: Rows = c
        .pools
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                if reported { p.reserved as f64 } else { 0.0 },
            )
        })
        .collect();
    let utilization: Rows = in_use
        .iter()
        .map(|(p, u)| (p.clone(), 100.0 * u / (size[p] - reserved[p])))
        .collect();
    let free: Rows = in_use
        .iter()
        .map(|(p, u)| (p.clone(), size[p] - reserved[p] - u))
        .collect();
    let node_in_use = sum_by(
        &c.allocations,
        |a| real_pool(&a.pool).map(|_| a.node.clone()),
        |a| a.in_use as f64,
    );
    let node_borrowed = sum_by(
        &c.allocations,
        |a| real_pool(&a.pool).map(|_| a.node.clone()),
        |a| a.borrowed as f64,
    );
    let borrowers = sum_by(
        &c.allocations,
        |a| (a.borrowed > 0).then(|| a.pool.clone()),
        |_| 1.0,
    );
    let leaked = sum_by(
        &c.allocations,
        |a| real_pool(&a.pool),
        |a| a.gc_candidates as f64,
    );
    let node_blocks = sum_by(
        &c.blocks,
        |b| (b.pool != "no_ippool" && b.node != "no_affinity").then(|| b.node.clone()),
        |b| b.blocks as f64,
    );
    let pool_blocks = sum_by(&c.blocks, |b| real_pool(&b.pool), |b| b.blocks as f64);
    let orphans = sum_by(
        &c.blocks,
        |b| (b.pool == "no_ippool").then(|| b.node.clone()),
        |b| b.blocks as f64,
    );
    let unaffine = sum_by(
        &c.blocks,
        |b| (b.node == "no_affinity" && b.pool != "no_ippool").then(|| b.pool.clone()),
        |b| b.blocks as f64,
    );
    let mut rows = vec![
        ("ipam_pool_in_use", "ippool", in_use),
        ("ipam_pool_size", "ippool", size),
        ("ipam_pool_utilization", "ippool", utilization),
        ("ipam_pool_free", "ippool", free),
        ("ipam_node_in_use", "node", node_in_use),
        ("ipam_node_borrowed", "node", node_borrowed),
        ("ipam_borrowing_nodes", "ippool", borrowers),
        ("ipam_leaked", "ippool", leaked),
        ("ipam_node_blocks", "node", node_blocks),
        ("ipam_pool_blocks", "ippool", pool_blocks),
        ("ipam_orphan_blocks", "node", orphans),
        ("ipam_unaffine_blocks", "ippool", unaffine),
    ];
    if reported {
        rows.push(("ipam_pool_reserved", "ippool", reserved));
    }
    rows
}

fn felix_expectations(c: &Cluster) -> Vec<(&'static str, &'static str, Rows)> {
    let per_host = |f: fn(&calicoscope_sim::FelixNode) -> f64| -> Rows {
        c.felix.iter().map(|n| (n.host.clone(), f(n))).collect()
    };
    let one = |label: &str, v: f64| Rows::from([(label.to_string(), v)]);
    let worst = c.felix.iter().map(|n| n.apply_p99).fold(f64::MIN, f64::max);
    let not_in_sync = c.felix.iter().filter(|n| n.resync_state != 3).count() as f64;
    vec![
        ("felix_apply_p99_by_node", "host", per_host(|n| n.apply_p99)),
        (
            "felix_resync_state",
            "host",
            per_host(|n| n.resync_state as f64),
        ),
        (
            "felix_active_endpoints",
            "host",
            per_host(|n| n.active_local_endpoints as f64),
        ),
        (
            "felix_active_policies",
            "host",
            per_host(|n| n.active_local_policies as f64),
        ),
        ("felix_calc_graph_p99", "host", per_host(|n| n.calc_p99)),
        ("felix_apply_p99_worst", "", one("", worst)),
        ("felix_nodes_not_in_sync", "", one("", not_in_sync)),
        (
            "felix_cluster_hosts",
            "",
            one("", c.felix[0].cluster_num_hosts as f64),
        ),
        (
            "felix_cluster_policies",
            "",
            one("", c.felix[0].cluster_num_policies as f64),
        ),
    ]
}

fn typha_expectations(c: &Cluster) -> Vec<(&'static str, &'static str, Rows)> {
    let active: Rows = c
        .typha
        .iter()
        .map(|t| (t.instance.clone(), t.connections_active as f64))
        .collect();
    let p99: Rows = c
        .typha
        .iter()
        .map(|t| (t.instance.clone(), t.client_latency_p99))
        .collect();
    let syncers = c.typha.iter().flat_map(|t| t.syncers.iter());
    let mut cache = Rows::new();
    let mut streaming = Rows::new();
    for s in syncers {
        let e = cache.entry(s.syncer.clone()).or_insert(f64::MIN);
        *e = e.max(s.cache_size as f64);
        *streaming.entry(s.syncer.clone()).or_default() += s.connections_streaming as f64;
    }
    vec![
        ("typha_connections_active", "instance", active),
        ("typha_client_latency_p99", "instance", p99),
        ("typha_cache_size", "syncer", cache),
        ("typha_streaming_connections", "syncer", streaming),
    ]
}

/// Entries whose answer needs a moving cluster: a growth rate, or a ratio of rates (0/0 is
/// NaN on a frozen one, which VictoriaMetrics drops). The dashboards test, on a moving
/// cluster, checks them.
pub const EMPTY_WHEN_FROZEN: [&str; 2] = ["ipam_days_to_exhaustion", "felix_apply_mean"];

/// The notice texts on a frame.
pub fn notices(frame: &Frame) -> Vec<String> {
    frame
        .meta
        .iter()
        .flat_map(|m| &m.notices)
        .map(|n| n.text.clone())
        .collect()
}

pub async fn check_store(settings: &Settings, cluster: &Cluster) {
    let cluster = cluster.clone();
    // 1. Every catalog entry runs without error, instant and range; the entries this
    //    release and dataplane export data for have data, the others an empty frame with a
    //    notice saying why.
    for entry in CATALOG {
        let client = calicoscope_backend::client::Client::new(settings).unwrap();
        let req = request(serde_json::json!({ "catalog": entry.id, "instant": true }));
        let frames = calicoscope_backend::execute::execute(&req, settings, &client)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", entry.id));
        let has_data = frames.iter().any(|f| f.rows() > 0);
        let applies = entry.applies_to(cluster.release, cluster.dataplane);
        if applies {
            assert!(
                has_data || EMPTY_WHEN_FROZEN.contains(&entry.id),
                "{} applies to Calico {} on {} but has no data",
                entry.id,
                cluster.release,
                cluster.dataplane
            );
        } else {
            assert!(!has_data, "{} has data on {}", entry.id, cluster.dataplane);
            let notices = notices(&frames[0]);
            assert!(
                notices
                    .iter()
                    .any(|n| n.starts_with("Not used by this cluster")
                        && (n.contains(entry.needs)
                            || entry.dataplane.is_some_and(
                                |d| n.contains(&format!("the {} dataplane", d.title()))
                            ))),
                "{}: no notice saying why it is empty: {notices:?}",
                entry.id
            );
        }
        let req = request(serde_json::json!({ "catalog": entry.id }));
        calicoscope_backend::execute::execute(&req, settings, &client)
            .await
            .unwrap_or_else(|e| panic!("range {}: {e}", entry.id));
    }
    // 2. The values are the ones the simulated cluster implies.
    let expectations = [
        ipam_expectations(&cluster),
        felix_expectations(&cluster),
        typha_expectations(&cluster),
    ];
    for (id, label, want) in expectations.iter().flatten() {
        let got = by(label, &instant(settings, id).await.unwrap());
        assert_rows(id, &got, want);
    }
    check_topology(settings, &cluster).await;
    // 3. Non-trivial scenarios are really present, so the checks above mean something.
    let ipam = ipam_expectations(&cluster);
    for id in [
        "ipam_node_borrowed",
        "ipam_leaked",
        "ipam_orphan_blocks",
        "ipam_unaffine_blocks",
    ] {
        let rows = &ipam.iter().find(|(i, _, _)| *i == id).unwrap().2;
        assert!(
            rows.values().any(|v| *v > 0.0),
            "scenario behind {id} is absent from the simulator"
        );
    }
}

/// A column of a table frame by field name.
fn column<'a>(frame: &'a Frame, name: &str) -> &'a Values {
    &frame
        .fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name}"))
        .values
}

fn texts(frame: &Frame, name: &str) -> Vec<String> {
    match column(frame, name) {
        Values::Text(v) => v.clone(),
        other => panic!("{name} is not text: {other:?}"),
    }
}

fn numbers(frame: &Frame, name: &str) -> Vec<f64> {
    match column(frame, name) {
        Values::Number(v) => v.clone(),
        other => panic!("{name} is not numeric: {other:?}"),
    }
}

/// The topology tables (with `filters`).
async fn topology_tables(settings: &Settings, filters: serde_json::Value) -> Vec<Frame> {
    let client = calicoscope_backend::client::Client::new(settings).unwrap();
    let req = request(
        serde_json::json!({ "catalog": topology::QUERY, "instant": true, "filters": filters }),
    );
    calicoscope_backend::execute::execute(&req, settings, &client)
        .await
        .unwrap()
}

/// The topology tables match the simulated cluster, pool by pool and node by node.
async fn check_topology(settings: &Settings, c: &Cluster) {
    check_topology_of(settings, c, serde_json::json!({})).await;
}

async fn check_topology_of(settings: &Settings, c: &Cluster, filters: serde_json::Value) {
    let frames = topology_tables(settings, filters).await;
    let (pools, nodes) = (&frames[0], &frames[1]);
    assert_eq!(
        (pools.name.as_str(), nodes.name.as_str()),
        (topology::POOLS, topology::NODES)
    );

    let by_pool = |part: fn(&calicoscope_sim::Allocation) -> u64| {
        sum_by(&c.allocations, |a| Some(a.pool.clone()), |a| part(a) as f64)
    };
    let mut want_blocks = sum_by(&c.blocks, |b| Some(b.pool.clone()), |b| b.blocks as f64);
    let names = texts(pools, field::POOL);
    let mut expected_names: Vec<String> = want_blocks
        .keys()
        .cloned()
        .chain(c.pools.iter().map(|p| p.name.clone()))
        .collect();
    expected_names.sort();
    expected_names.dedup();
    assert_eq!(names, expected_names);
    let row = |values: Vec<f64>| -> Rows { names.iter().cloned().zip(values).collect() };
    let mut want_in_use = by_pool(|a| a.in_use);
    want_in_use.entry(topology::NO_IPPOOL.into()).or_default();
    assert_rows(
        "pools.in_use",
        &row(numbers(pools, field::IN_USE)),
        &want_in_use,
    );
    let mut want_borrowed = by_pool(|a| a.borrowed);
    want_borrowed.entry(topology::NO_IPPOOL.into()).or_default();
    assert_rows(
        "pools.borrowed",
        &row(numbers(pools, field::BORROWED)),
        &want_borrowed,
    );
    for p in &c.pools {
        want_blocks.entry(p.name.clone()).or_default();
    }
    assert_rows(
        "pools.blocks",
        &row(numbers(pools, field::BLOCKS)),
        &want_blocks,
    );
    let families = texts(pools, field::FAMILY);
    for p in &c.pools {
        let i = names.iter().position(|n| *n == p.name).unwrap();
        assert_eq!(families[i], p.family, "{}", p.name);
        let reported = calico::exported("ipam_ippool_reserved", c.release, c.dataplane);
        let reserved = if reported { p.reserved as f64 } else { 0.0 };
        assert_eq!(numbers(pools, field::RESERVED)[i], reserved, "{}", p.name);
        let used = want_in_use[&p.name];
        let free = numbers(pools, field::FREE)[i];
        assert!(
            (free - (p.size - reserved - used)).abs() <= 1e-9 * p.size,
            "{} free {free}",
            p.name
        );
        let utilization = numbers(pools, field::UTILIZATION)[i];
        assert!(
            (utilization - used / (p.size - reserved)).abs() < 1e-12,
            "{}",
            p.name
        );
        let size = numbers(pools, field::SIZE)[i];
        // VictoriaMetrics keeps about 15 significant digits of an IPv6 pool's 1.2e24.
        assert!(
            (size / p.size - 1.0).abs() < 1e-9,
            "{}: {size} vs {}",
            p.name,
            p.size
        );
    }

    // Nodes: one row per (pool, node) that has allocations or blocks, `no_affinity` included.
    let mut keys: Vec<(String, String)> = c
        .allocations
        .iter()
        .map(|a| (a.pool.clone(), a.node.clone()))
        .chain(c.blocks.iter().map(|b| (b.pool.clone(), b.node.clone())))
        .collect();
    keys.sort();
    keys.dedup();
    let got_keys: Vec<(String, String)> = texts(nodes, field::POOL)
        .into_iter()
        .zip(texts(nodes, field::NODE))
        .collect();
    assert_eq!(got_keys, keys);
    let blocks = numbers(nodes, field::BLOCKS);
    let capacity = numbers(nodes, field::CAPACITY);
    for b in &c.blocks {
        let i = keys
            .iter()
            .position(|k| *k == (b.pool.clone(), b.node.clone()))
            .unwrap();
        assert_eq!(blocks[i], b.blocks as f64, "{b:?}");
        assert_eq!(capacity[i], b.blocks as f64 * 64.0, "{b:?}");
    }
    assert!(numbers(nodes, field::UTILIZATION)
        .iter()
        .all(|u| (0.0..=1.0).contains(u)));
}

/// A store holding several clusters: every IPAM, Felix and Typha figure per cluster, exactly
/// each cluster's own, both unfiltered (keyed `cluster/label`) and filtered to one cluster.
pub async fn check_fleet(settings: &Settings, fleet: &[(&str, Cluster)]) {
    let per_cluster = |c: &Cluster| {
        [
            ipam_expectations(c),
            felix_expectations(c),
            typha_expectations(c),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
    };
    let (first, _) = fleet[0];
    for (id, label, _) in per_cluster(&fleet[0].1) {
        let mut want = Rows::new();
        for (name, c) in fleet {
            let rows = per_cluster(c).into_iter().find(|(i, _, _)| *i == id);
            let rows = rows.map(|r| r.2).unwrap_or_default();
            let one = instant_filtered(settings, id, serde_json::json!({ "clusters": [name] }));
            assert_rows(
                &format!("{id} in {name}"),
                &by(label, &one.await.unwrap()),
                &rows,
            );
            want.extend(rows.into_iter().map(|(k, v)| (format!("{name}/{k}"), v)));
        }
        let all = instant(settings, id).await.unwrap();
        assert!(
            all.iter().all(|(l, _)| l.contains_key("cluster")),
            "{id}: every series names its cluster ({first} first)"
        );
        let got: Rows = all
            .iter()
            .map(|(l, v)| {
                (
                    format!(
                        "{}/{}",
                        l["cluster"],
                        l.get(label).cloned().unwrap_or_default()
                    ),
                    *v,
                )
            })
            .collect();
        assert_rows(id, &got, &want);
    }
    // The topology: each cluster's tables are its own; together they hold every row once,
    // each naming its cluster.
    let mut rows = (0, 0);
    for (name, c) in fleet {
        let filter = serde_json::json!({ "clusters": [name] });
        check_topology_of(settings, c, filter.clone()).await;
        let one = topology_tables(settings, filter).await;
        assert!(texts(&one[0], field::CLUSTER).iter().all(|n| n == name));
        rows = (rows.0 + one[0].rows(), rows.1 + one[1].rows());
    }
    let all = topology_tables(settings, serde_json::json!({})).await;
    assert_eq!(
        (all[0].rows(), all[1].rows()),
        rows,
        "every cluster's rows, once"
    );
    let names: std::collections::BTreeSet<String> =
        texts(&all[1], field::CLUSTER).into_iter().collect();
    assert_eq!(names.len(), fleet.len());
}
