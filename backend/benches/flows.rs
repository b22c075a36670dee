//! Benchmark (issue 15): a page of 100,000 Goldmane flows, as `goldmane.Flows/List` answers
//! it, decoded and turned into the flows table, against prost merely decoding the same bytes
//! (what tonic's codec does before we see the page).
//! Goal (printed, not asserted): decode + table ≤ 2× the bare decode. Also printed: the Arrow
//! encoding of the table (not part of the ratio) and the peak extra memory of decode + table.
//!
//! ```text
//! cargo bench -p calicoscope-backend --bench flows
//! cargo test -p calicoscope-backend --bench flows   # 1,000 flows, correctness only, no timing
//! ```
//!
//! The flows are shaped like the simulator's (`simulator/src/flows/`): 100 namespaces,
//! workloads named by their generate-name, two labels per end, 1–3 enforced policy hits
//! (Profile, tiered policies, an EndOfTier with its trigger) and 0–2 pending hits, a
//! service on two flows in three.

use std::time::Duration;

use calicoscope_backend::frames::{arrow, Frame, Values};
use calicoscope_backend::goldmane::frames;
use calicoscope_goldmane::v3_32::{
    Action, EndpointType, Flow, FlowKey, FlowListResult, FlowResult, ListMetadata, PolicyHit,
    PolicyKind, PolicyTrace, Reporter,
};
use calicoscope_model::flows::field;
use prost::Message;

#[path = "common/counting.rs"]
mod counting;
#[path = "common/timing.rs"]
mod timing;
use timing::{median, time};

/// The shop's namespaces, then tenants up to 100.
fn namespaces() -> Vec<String> {
    let shop = [
        "frontend",
        "checkout",
        "payments",
        "catalog",
        "search",
        "monitoring",
        "kube-system",
        "calico-system",
    ];
    let mut all: Vec<String> = shop.iter().map(|s| s.to_string()).collect();
    all.extend((1..=100 - shop.len()).map(|i| format!("tenant-{i:04}")));
    all
}

const APPS: [&str; 4] = ["api", "worker", "web", "cache"];

/// A workload's generate-name and labels, `checkout-7d9f8b6c4-`.
fn workload(namespace: &str, app: usize) -> (String, Vec<String>) {
    let app_name = match namespace {
        "checkout" | "payments" | "catalog" | "search" | "frontend" if app == 0 => namespace,
        _ => APPS[app],
    };
    // A pod-template-hash: 9 or 10 characters of Kubernetes' alphabet.
    let alphabet = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = namespace
        .bytes()
        .fold(app as u64 * 0x9e37_79b9 + 7, |h, b| {
            h.wrapping_mul(31).wrapping_add(b as u64)
        });
    let len = 9 + (h % 2) as usize;
    let hash: String = (0..len)
        .map(|_| {
            h = h
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            alphabet[(h >> 33) as usize % alphabet.len()] as char
        })
        .collect();
    (
        format!("{app_name}-{hash}-"),
        vec![
            format!("app={app_name}"),
            format!("pod-template-hash={hash}"),
        ],
    )
}

fn hit(
    kind: PolicyKind,
    tier: &str,
    ns: &str,
    name: &str,
    action: Action,
    index: i64,
) -> PolicyHit {
    PolicyHit {
        kind: kind as i32,
        namespace: ns.into(),
        name: name.into(),
        tier: tier.into(),
        action: action as i32,
        policy_index: index,
        rule_index: 0,
        trigger: None,
    }
}

/// Enforced hits (1–3) for flow `i` into `dest_ns`; the last hit's action is the verdict.
fn enforced(i: usize, dest_ns: &str) -> Vec<PolicyHit> {
    use Action::*;
    use PolicyKind::*;
    match i % 4 {
        // Nothing selects the destination: its namespace's Profile allows.
        0 => vec![hit(
            Profile,
            "__PROFILE__",
            "",
            &format!("kns.{dest_ns}"),
            Allow,
            0,
        )],
        // Passed by the security tier, allowed in default.
        1 => vec![
            hit(
                GlobalNetworkPolicy,
                "security",
                "",
                "payments-isolation",
                Pass,
                0,
            ),
            hit(
                CalicoNetworkPolicy,
                "default",
                dest_ns,
                "allow-checkout",
                Allow,
                1,
            ),
        ],
        // Passed, then no rule of default matched: EndOfTier denies, naming its trigger.
        2 => vec![
            hit(
                GlobalNetworkPolicy,
                "security",
                "",
                "payments-isolation",
                Pass,
                0,
            ),
            hit(
                NetworkPolicy,
                "default",
                dest_ns,
                "allow-from-frontend",
                Allow,
                1,
            ),
            PolicyHit {
                rule_index: -1,
                trigger: Some(Box::new(hit(
                    CalicoNetworkPolicy,
                    "default",
                    dest_ns,
                    "default-deny",
                    Deny,
                    2,
                ))),
                ..hit(EndOfTier, "default", "", "", Deny, 2)
            },
        ],
        // Denied outright by the security tier.
        _ => vec![hit(
            GlobalNetworkPolicy,
            "security",
            "",
            "payments-isolation",
            Deny,
            0,
        )],
    }
}

/// Pending hits (0–2): none, a staged deny, or the first enforced hit then a staged allow.
fn pending(i: usize, dest_ns: &str, enforced: &[PolicyHit]) -> Vec<PolicyHit> {
    use PolicyKind::*;
    match i % 3 {
        0 => vec![],
        1 => vec![hit(
            StagedNetworkPolicy,
            "default",
            dest_ns,
            "deny-all",
            Action::Deny,
            0,
        )],
        _ => vec![
            enforced[0].clone(),
            hit(
                StagedGlobalNetworkPolicy,
                "platform",
                "",
                "allow-dns",
                Action::Allow,
                1,
            ),
        ],
    }
}

/// A page of `n` flows, newest first.
fn page(n: usize) -> FlowListResult {
    let ns = namespaces();
    let workloads: Vec<Vec<(String, Vec<String>)>> = ns
        .iter()
        .map(|n| (0..APPS.len()).map(|a| workload(n, a)).collect())
        .collect();
    let flows = (0..n)
        .map(|i| {
            let s = i % ns.len();
            let (source_name, source_labels) = workloads[s][(i / 100) % APPS.len()].clone();
            // Every 25th flow goes out of the cluster, to the public network.
            let to_network = i % 25 == 24;
            let d = (i * 7 + 3) % ns.len();
            let (dest_name, dest_labels, dest_ns) = if to_network {
                ("pub".to_string(), vec![], String::new())
            } else {
                let (name, labels) = workloads[d][(i / 7) % APPS.len()].clone();
                (name, labels, ns[d].clone())
            };
            let enforced = enforced(i, &dest_ns);
            let pending = pending(i, &dest_ns, &enforced);
            let port = [8080, 443, 5432, 53, 9090, 8443][i % 6];
            let service = !to_network && i % 3 != 2;
            let key = FlowKey {
                source_name,
                source_namespace: ns[s].clone(),
                source_type: EndpointType::WorkloadEndpoint as i32,
                dest_type: if to_network {
                    EndpointType::Network as i32
                } else {
                    EndpointType::WorkloadEndpoint as i32
                },
                dest_name,
                dest_port: port,
                dest_service_name: if service {
                    dest_name_app(&dest_labels)
                } else {
                    String::new()
                },
                dest_service_namespace: if service {
                    dest_ns.clone()
                } else {
                    String::new()
                },
                dest_service_port_name: if service {
                    "http".into()
                } else {
                    String::new()
                },
                dest_service_port: if service { 80 } else { 0 },
                dest_namespace: dest_ns,
                proto: if port == 53 { "udp" } else { "tcp" }.into(),
                reporter: if i % 2 == 0 {
                    Reporter::Src
                } else {
                    Reporter::Dst
                } as i32,
                action: enforced.last().unwrap().action,
                policies: Some(PolicyTrace {
                    enforced_policies: enforced,
                    pending_policies: pending,
                }),
            };
            let start = 1_795_000_000 - (i as i64 % 240) * 15;
            let packets = 1 + (i as i64 * 37) % 5000;
            FlowResult {
                id: i as i64,
                flow: Some(Flow {
                    key: Some(key),
                    start_time: start,
                    end_time: start + 15,
                    source_labels,
                    dest_labels,
                    packets_in: packets,
                    packets_out: packets * 3 / 4,
                    bytes_in: packets * 812,
                    bytes_out: packets * 540,
                    num_connections_started: 1 + (i as i64 % 9),
                    num_connections_completed: i as i64 % 9,
                    num_connections_live: i as i64 % 3,
                }),
            }
        })
        .collect();
    FlowListResult {
        meta: Some(ListMetadata {
            total_pages: 1,
            total_results: n as i64,
        }),
        flows,
    }
}

/// The service is named after the destination's app (`app=payments` → `payments`).
fn dest_name_app(labels: &[String]) -> String {
    labels[0]
        .strip_prefix("app=")
        .unwrap_or_default()
        .to_string()
}

/// What the query does with a page: the table.
fn convert(bytes: &[u8]) -> Frame {
    let page = FlowListResult::decode(bytes).unwrap();
    frames::flows(&page.flows)
}

fn column<'a>(frame: &'a Frame, name: &str) -> &'a Values {
    &frame.fields.iter().find(|f| f.name == name).unwrap().values
}

fn text<'a>(frame: &'a Frame, name: &str, row: usize) -> &'a str {
    match column(frame, name) {
        Values::Text(v) => &v[row],
        other => panic!("{name}: {other:?}"),
    }
}

fn number(frame: &Frame, name: &str, row: usize) -> f64 {
    match column(frame, name) {
        Values::Number(v) => v[row],
        other => panic!("{name}: {other:?}"),
    }
}

/// Without `--bench` (`cargo test --bench flows`): 1,000 flows through encode, decode and
/// the table, checked field by field against what went in.
fn check() {
    let bytes = page(1000).encode_to_vec();
    let frame = convert(&bytes);
    assert_eq!(frame.rows(), 1000);
    assert_eq!(frame.fields.len(), 23);
    for f in &frame.fields {
        assert_eq!(f.values.len(), 1000, "{}", f.name);
    }
    // Row 0: frontend → catalog, Profile allow, no pending hits.
    assert_eq!(text(&frame, field::SOURCE_NAMESPACE, 0), "frontend");
    assert!(text(&frame, field::SOURCE_NAME, 0).starts_with("frontend-"));
    assert_eq!(text(&frame, field::DEST_NAMESPACE, 0), "catalog");
    assert_eq!(text(&frame, field::ACTION, 0), "allow");
    assert_eq!(
        text(&frame, field::ENFORCED, 0),
        "__PROFILE__/Profile:kns.catalog allow"
    );
    assert_eq!(text(&frame, field::PENDING, 0), "");
    assert_eq!(text(&frame, field::PENDING_ACTION, 0), "allow");
    assert_eq!(text(&frame, field::DEST_SERVICE, 0), "catalog/catalog:80");
    assert_eq!(text(&frame, field::PROTOCOL, 0), "tcp");
    assert_eq!(text(&frame, field::REPORTER, 0), "src");
    assert_eq!(number(&frame, field::PACKETS_IN, 0), 1.0);
    assert_eq!(number(&frame, field::DEST_PORT, 0), 8080.0);
    assert_eq!(
        column(&frame, field::START),
        &Values::Time(
            (0..1000)
                .map(|i| (1_795_000_000 - (i % 240) * 15) * 1000)
                .collect()
        )
    );
    // Row 999: 999 % 4 == 3 (security denies), 999 % 3 == 0 (no pending), 999 % 25 == 24
    // (to the public network, no service).
    assert_eq!(text(&frame, field::SOURCE_NAMESPACE, 999), "tenant-0092");
    assert_eq!(text(&frame, field::DEST_NAMESPACE, 999), "");
    assert_eq!(text(&frame, field::DEST_NAME, 999), "pub");
    assert_eq!(text(&frame, field::DEST_TYPE, 999), "network");
    assert_eq!(text(&frame, field::DEST_SERVICE, 999), "");
    assert_eq!(text(&frame, field::ACTION, 999), "deny");
    assert_eq!(
        text(&frame, field::ENFORCED, 999),
        "security/GlobalNetworkPolicy:payments-isolation deny"
    );
    assert_eq!(text(&frame, field::REPORTER, 999), "dst");
    assert_eq!(
        number(&frame, field::PACKETS_IN, 999),
        (1 + 999 * 37 % 5000) as f64
    );
    assert_eq!(
        number(&frame, field::BYTES_IN, 999),
        ((1 + 999 * 37 % 5000) * 812) as f64
    );
    // Row 2: three enforced hits ending in an EndOfTier; two pending hits, the last staged.
    assert_eq!(
        text(&frame, field::ENFORCED, 2),
        "security/GlobalNetworkPolicy:payments-isolation pass; \
         default/NetworkPolicy:tenant-0010/allow-from-frontend allow; \
         default/CalicoNetworkPolicy:tenant-0010/default-deny (end of tier) deny"
    );
    assert_eq!(
        text(&frame, field::PENDING, 2),
        "security/GlobalNetworkPolicy:payments-isolation pass; \
         platform/StagedGlobalNetworkPolicy:allow-dns allow"
    );
    assert_eq!(text(&frame, field::ACTION, 2), "deny");
    assert_eq!(text(&frame, field::PENDING_ACTION, 2), "allow");
    // Row 1: a staged deny pending over an allow.
    assert_eq!(
        text(&frame, field::PENDING, 1),
        "default/StagedNetworkPolicy:tenant-0003/deny-all deny"
    );
    assert_eq!(text(&frame, field::PENDING_ACTION, 1), "deny");
    assert_eq!(text(&frame, field::ACTION, 1), "allow");
    // And the frame survives Arrow.
    let encoded = arrow::encode(&frame, "A").unwrap();
    let (back, _) = arrow::decode(&encoded).unwrap();
    assert_eq!(back.rows(), 1000);
    println!(
        "flows bench check: 1000 flows, {} bytes, table checked",
        bytes.len()
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        check();
        return;
    }
    let n: usize = std::env::var("BENCH_FLOWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let bytes = page(n).encode_to_vec();
    println!(
        "page: {n} flows, {:.1} MB of protobuf",
        bytes.len() as f64 / 1e6
    );

    // Bare decode and decode + table, interleaved so that a noisy neighbour hurts each alike.
    let (mut bare, mut ours) = (vec![], vec![]);
    for _ in 0..7 {
        bare.push(time(|| {
            let page = FlowListResult::decode(&bytes[..]).unwrap();
            assert_eq!(page.flows.len(), n);
        }));
        ours.push(time(|| {
            let frame = convert(&bytes);
            assert_eq!(frame.rows(), n);
        }));
    }
    let (bare, ours) = (median(bare), median(ours));
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "prost decode (bare) {:.1} ms, decode + flows table {:.1} ms (medians of 7, interleaved)",
        ms(bare),
        ms(ours)
    );
    println!(
        "time ratio (target <= 2.0): {:.2}",
        ours.as_secs_f64() / bare.as_secs_f64()
    );

    // Arrow encoding of the table, as QueryData sends it to Grafana.
    let frame = convert(&bytes);
    let mut size = 0;
    let encode = median(
        (0..5)
            .map(|_| {
                time(|| {
                    size = arrow::encode(&frame, "A").unwrap().len();
                })
            })
            .collect(),
    );
    drop(frame);
    println!(
        "Arrow encoding of the table: {:.1} ms, {:.1} MB (not part of the ratio)",
        ms(encode),
        size as f64 / 1e6
    );

    // Peak heap beyond the page's bytes while decoding it into the table (the decoded page
    // included: it lives until the table is built).
    let (frame, peak_extra, kept) = counting::heap(|| convert(&bytes));
    drop(frame);
    println!(
        "peak extra memory: {:.1} MB = {:.2}x the page (the table alone {:.1} MB)",
        peak_extra as f64 / 1e6,
        peak_extra as f64 / bytes.len() as f64,
        kept as f64 / 1e6
    );
}
