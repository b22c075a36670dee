use super::*;
use crate::frames::{Field, Frame, Values};

fn num(name: &str, v: &[f64]) -> Field {
    Field {
        name: name.into(),
        labels: vec![],
        display_name: None,
        unit: None,
        values: Values::Number(v.to_vec()),
    }
}

fn text(name: &str, v: &[&str]) -> Field {
    Field {
        name: name.into(),
        labels: vec![],
        display_name: None,
        unit: None,
        values: Values::Text(v.iter().map(|s| s.to_string()).collect()),
    }
}

fn frame(name: &str, fields: Vec<Field>) -> Frame {
    Frame {
        name: name.into(),
        ref_id: "A".into(),
        fields,
    }
}

fn topology_frames() -> Vec<Frame> {
    vec![
        frame(
            "pools",
            vec![
                text("pool", &["default-ipv4-ippool", "no_ippool"]),
                text("family", &["ipv4", "unknown"]),
                num("size", &[65536.0, 0.0]),
                num("in_use", &[100.0, 3.0]),
                num("free", &[65436.0, f64::NAN]),
                num("borrowed", &[2.0, 0.0]),
                num("leaked", &[1.0, 0.0]),
                num("blocks", &[4.0, 1.0]),
                num("utilization", &[100.0 / 65536.0, f64::NAN]),
                num("days_to_full", &[12.4, f64::NAN]),
            ],
        ),
        frame(
            "nodes",
            vec![
                text("pool", &["default-ipv4-ippool", "default-ipv4-ippool"]),
                text("node", &["node-1", "no_affinity"]),
                num("blocks", &[3.0, 1.0]),
                num("capacity", &[192.0, 64.0]),
                num("in_use", &[90.0, 10.0]),
                num("borrowed", &[2.0, 0.0]),
                num("leaked", &[1.0, 0.0]),
                num("utilization", &[90.0 / 192.0, 10.0 / 64.0]),
            ],
        ),
    ]
}

fn series(node: &str, times: &[f64], values: &[f64]) -> Frame {
    let mut v = num("Value", values);
    v.labels = vec![("ippool".into(), "p".into()), ("node".into(), node.into())];
    frame(
        "",
        vec![
            Field {
                name: "Time".into(),
                labels: vec![],
                display_name: None,
                unit: None,
                values: Values::Time(times.to_vec()),
            },
            v,
        ],
    )
}

#[test]
fn topology_reads_pools_and_nodes() {
    let Model::Topology(t) = read(&topology_frames(), ViewKind::Auto, "node").unwrap() else {
        panic!()
    };
    assert_eq!(t.pools.len(), 2);
    assert_eq!(t.pools[0].family, Family::Ipv4);
    assert_eq!(t.pools[0].days_to_full, Some(12.4));
    assert!(t.pools[1].is_orphan() && t.pools[1].days_to_full.is_none());
    assert!(t.nodes[1].is_unowned());
    assert_eq!(t.nodes[0].capacity, 192.0);
}

#[test]
fn errors_name_the_problem_and_the_fix() {
    let mut no_nodes = topology_frames();
    no_nodes.pop();
    let mut wrong_type = topology_frames();
    wrong_type[1].fields[1] = num("node", &[1.0, 2.0]);
    let mut missing_field = topology_frames();
    missing_field[0].fields.retain(|f| f.name != "utilization");
    let cases: Vec<(Vec<Frame>, ViewKind, &str)> = vec![
        (no_nodes, ViewKind::Topology, "frame `nodes` is missing"),
        (
            wrong_type,
            ViewKind::Auto,
            "Field `node` of frame `nodes` holds number values; the panel expects strings",
        ),
        (
            missing_field,
            ViewKind::Auto,
            "Frame `pools` has no `utilization` field",
        ),
        (
            vec![frame("x", vec![text("a", &["b"])])],
            ViewKind::Auto,
            "This panel needs the `ipam_topology` query",
        ),
        (
            vec![frame("x", vec![text("a", &["b"])])],
            ViewKind::Heatmap,
            "needs a time series query",
        ),
        (vec![], ViewKind::Auto, "No data"),
        (vec![frame("", vec![])], ViewKind::Heatmap, "No data"),
    ];
    for (frames, kind, want) in cases {
        let err = read(&frames, kind, "node").unwrap_err();
        assert!(err.contains(want), "{err:?} should contain {want:?}");
    }
}

#[test]
fn heatmap_aligns_series_on_one_grid() {
    let frames = vec![
        series("node-1", &[0.0, 1000.0, 2000.0], &[0.1, 0.2, 0.3]),
        series("node-2", &[1000.0, 3000.0], &[0.5, f64::NAN]),
    ];
    let Model::Heatmap(h) = read(&frames, ViewKind::Auto, "node").unwrap() else {
        panic!()
    };
    assert_eq!(h.times, [0.0, 1000.0, 2000.0, 3000.0]);
    assert_eq!(h.rows[0].name, "node-1");
    assert_eq!(h.rows[0].values[..3], [0.1, 0.2, 0.3]);
    assert!(h.rows[0].values[3].is_nan());
    assert_eq!(h.rows[1].values[1], 0.5);
    assert!(h.rows[1].values[0].is_nan() && h.rows[1].values[2].is_nan());
    assert_eq!(h.rows[1].peak(), 0.5);
    assert_eq!(h.rows[1].pool.as_deref(), Some("p"));
}

#[test]
fn heatmap_row_names_fall_back_to_legend_then_labels() {
    let mut f = series("n", &[0.0], &[1.0]);
    let Model::Heatmap(h) = read(std::slice::from_ref(&f), ViewKind::Heatmap, "missing").unwrap()
    else {
        panic!()
    };
    assert_eq!(h.rows[0].name, "ippool=p, node=n");
    f.fields[1].display_name = Some("legend".into());
    let Model::Heatmap(h) = read(&[f], ViewKind::Heatmap, "missing").unwrap() else {
        panic!()
    };
    assert_eq!(h.rows[0].name, "legend");
}

#[test]
fn huge_and_hostile_inputs_are_refused_or_capped_not_panicking() {
    // A million points one millisecond apart over a huge span: too many columns.
    let times: Vec<f64> = (0..1_000_000).map(|i| i as f64).collect();
    let err = read(
        &[series("n", &times, &vec![0.5; 1_000_000])],
        ViewKind::Auto,
        "node",
    )
    .unwrap_err();
    assert!(err.contains("raise the query's min interval"), "{err}");
    // NaN and infinite times, ragged fields.
    let odd = series("n", &[f64::NAN, f64::INFINITY, 5.0], &[1.0]);
    assert!(read(&[odd], ViewKind::Auto, "node").is_ok());
    // Ragged topology columns read missing cells as NaN / empty.
    let mut ragged = topology_frames();
    ragged[1].fields[2] = num("blocks", &[3.0]);
    let Model::Topology(t) = read(&ragged, ViewKind::Auto, "node").unwrap() else {
        panic!()
    };
    assert!(t.nodes[1].blocks.is_nan());
}

#[test]
fn reserved_and_unknown_node_read_as_what_they_are() {
    let mut frames = topology_frames();
    frames[0].fields.push(num("reserved", &[256.0, 0.0]));
    if let Values::Text(nodes) = &mut frames[1].fields[1].values {
        nodes[1] = "unknown_node".into();
    }
    let Model::Topology(t) = read(&frames, ViewKind::Auto, "").unwrap() else {
        panic!("not a topology");
    };
    assert_eq!(t.pools[0].reserved, 256.0);
    let unknown = &t.nodes[1];
    assert!(unknown.is_unknown() && unknown.is_placeholder() && !unknown.is_real_node());
    assert_eq!(unknown.label(), "no node recorded");
    assert!(unknown.description().contains("without a node"));
    assert!(t.nodes[0].is_real_node());
    // Frames from a backend before reservations read as none reserved.
    let Model::Topology(old) = read(&topology_frames(), ViewKind::Auto, "").unwrap() else {
        panic!("not a topology");
    };
    assert_eq!(old.pools[0].reserved, 0.0);
}

#[test]
fn a_fleet_topology_keeps_each_rows_cluster() {
    let mut frames = topology_frames();
    frames[0].fields.push(text("cluster", &["east", "west"]));
    frames[1].fields.push(text("cluster", &["west", "west"]));
    let Ok(Model::Topology(t)) = read(&frames, ViewKind::Auto, "") else {
        panic!("a topology")
    };
    assert_eq!(t.clusters(), ["east", "west"]);
    assert!(t.is_fleet());
    assert_eq!(t.pools[0].said(), "east/default-ipv4-ippool");
    assert!(
        !t.nodes[0].is_of(&t.pools[0]),
        "west's node-1 is not east's"
    );
    let one = read(&topology_frames(), ViewKind::Auto, "");
    let Ok(Model::Topology(one)) = one else {
        panic!("a topology")
    };
    assert!(!one.is_fleet() && one.pools[0].said() == "default-ipv4-ippool");
}

#[test]
fn heatmap_rows_of_several_clusters_are_named_cluster_slash_node() {
    let t = [0.0, 1000.0];
    let in_cluster = |cluster: &str, node: &str| {
        let mut f = series(node, &t, &[1.0, 2.0]);
        f.fields[1].labels.push(("cluster".into(), cluster.into()));
        f
    };
    let frames = [
        in_cluster("east", "worker-1"),
        in_cluster("west", "worker-1"),
    ];
    let Ok(Model::Heatmap(h)) = read(&frames, ViewKind::Heatmap, "node") else {
        panic!("a heatmap")
    };
    let rows: Vec<(&str, &str, Option<&str>)> = h
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.key.as_str(), r.cluster.as_deref()))
        .collect();
    assert_eq!(
        rows,
        [
            ("east/worker-1", "worker-1", Some("east")),
            ("west/worker-1", "worker-1", Some("west"))
        ]
    );
    let frames = [
        in_cluster("east", "worker-1"),
        in_cluster("east", "worker-2"),
    ];
    let Ok(Model::Heatmap(h)) = read(&frames, ViewKind::Heatmap, "node") else {
        panic!("a heatmap")
    };
    assert_eq!(
        (h.rows[0].name.as_str(), &h.rows[0].cluster),
        ("worker-1", &None),
        "one cluster: names as today, and a click sets no cluster"
    );
}
