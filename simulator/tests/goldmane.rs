//! The simulated Goldmane over real gRPC on 127.0.0.1, with real tonic clients and real
//! mTLS: List (paging, sorting, filters, hostile values, time errors), Stream (backfill,
//! then a live bucket), FilterHints and Statistics on both wire shapes, certificates
//! refused, and plaintext. Answers for fixed absolute ranges are compared with the flow
//! model itself, which is what makes them deterministic.

use calicoscope_goldmane::{v3_30, v3_32};
use calicoscope_model::calico::Release;
use calicoscope_sim::flows::{Model, Tally, BUCKET_S};
use calicoscope_sim::goldmane::{self, store, Goldmane, Options, Shape};
use calicoscope_sim::Config;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::Code;
use v3_32::flows_client::FlowsClient;
use v3_32::statistics_client::StatisticsClient;
use v3_32::{
    Action, Filter, FilterHintsRequest, FlowListRequest, FlowResult, MatchType, PolicyMatch,
    PortMatch, Reporter, SortBy, SortOption, StatisticType, StatisticsGroupBy, StatisticsRequest,
    StringMatch,
};

fn config(release: u8) -> Config {
    Config {
        release: Release(release),
        ..Config::demo(10)
    }
}

/// A fresh folder for one test's certificates.
fn cert_dir(test: &str) -> PathBuf {
    // Cargo's scratch folder for integration tests (under target/), not the system's /tmp.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("goldmane-certs-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn start_mtls(release: u8, test: &str) -> Goldmane {
    let opts = Options::mtls("127.0.0.1:0", &cert_dir(test));
    goldmane::start(&config(release), opts).await.unwrap()
}

/// An mTLS channel presenting `cert`/`key` (none: no client certificate), trusting `ca`,
/// checking the server's name `goldmane` as Calico's clients do.
async fn connect(
    g: &Goldmane,
    client: Option<(&Path, &Path)>,
) -> Result<Channel, tonic::transport::Error> {
    let c = g.certs.as_ref().unwrap();
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(std::fs::read(&c.ca).unwrap()))
        .domain_name("goldmane");
    if let Some((cert, key)) = client {
        let read = |p: &Path| std::fs::read(p).unwrap();
        tls = tls.identity(Identity::from_pem(read(cert), read(key)));
    }
    Endpoint::from_shared(format!("https://{}", g.addr))?
        .tls_config(tls)?
        .timeout(Duration::from_secs(10))
        .connect()
        .await
}

async fn channel(g: &Goldmane) -> Channel {
    let c = g.certs.as_ref().unwrap();
    connect(g, Some((&c.client_cert, &c.client_key)))
        .await
        .unwrap()
}

/// Ten buckets, eleven to twenty back from now: inside the window for the whole test.
fn fixed_range() -> (i64, i64) {
    let newest = store::newest_bucket(store::now());
    (newest - 20 * BUCKET_S, newest - 10 * BUCKET_S)
}

fn exact(v: &str) -> StringMatch {
    StringMatch {
        value: v.into(),
        r#type: MatchType::Exact as i32,
    }
}

fn fuzzy(v: &str) -> StringMatch {
    StringMatch {
        value: v.into(),
        r#type: MatchType::Fuzzy as i32,
    }
}

fn request(range: (i64, i64), filter: Filter) -> FlowListRequest {
    FlowListRequest {
        start_time_gte: range.0,
        start_time_lt: range.1,
        filter: Some(filter),
        ..Default::default()
    }
}

async fn list(c: &mut FlowsClient<Channel>, req: FlowListRequest) -> Vec<FlowResult> {
    c.list(req).await.unwrap().into_inner().flows
}

/// An answer in id order: ties of the time sort come in any order.
fn by_id(mut flows: Vec<FlowResult>) -> Vec<FlowResult> {
    flows.sort_by_key(|f| f.id);
    flows
}

fn key(f: &FlowResult) -> &v3_32::FlowKey {
    f.flow.as_ref().unwrap().key.as_ref().unwrap()
}

/// What the model says series `id` carried over [gte, lt).
fn expected(model: &Model, id: usize, range: (i64, i64)) -> Tally {
    let mut sum = Tally::default();
    for b in (range.0..range.1).step_by(BUCKET_S as usize) {
        if let Some(t) = model.tally(id, b) {
            sum += t;
        }
    }
    sum
}

/// The pages of a listing, `size` flows a page, joined.
async fn pages(c: &mut FlowsClient<Channel>, req: FlowListRequest, size: i64) -> Vec<FlowResult> {
    let mut joined = Vec::new();
    for page in 0.. {
        let req = FlowListRequest {
            page,
            page_size: size,
            ..req.clone()
        };
        let answer = c.list(req).await.unwrap().into_inner();
        if answer.flows.is_empty() {
            // Past the last page Calico answers empty metadata.
            assert_eq!(answer.meta, Some(Default::default()));
            return joined;
        }
        joined.extend(answer.flows);
    }
    unreachable!()
}

fn ids(flows: &[FlowResult]) -> Vec<i64> {
    flows.iter().map(|f| f.id).collect()
}

#[tokio::test]
async fn one_answer_holds_every_flow_once_and_matches_the_model() {
    let g = start_mtls(33, "pages").await;
    let mut c = FlowsClient::new(channel(&g).await);
    let range = fixed_range();
    let all = c
        .list(request(range, Filter::default()))
        .await
        .unwrap()
        .into_inner();
    let meta = all.meta.unwrap();
    let n = all.flows.len() as i64;
    assert_eq!((meta.total_pages, meta.total_results), (1, n));
    let model = Model::new(&config(33));
    let carrying = (0..model.series.len())
        .filter(|&i| expected(&model, i, range) != Tally::default())
        .count();
    assert_eq!(n as usize, carrying);
    for f in &all.flows {
        let flow = f.flow.as_ref().unwrap();
        let want = expected(&model, f.id as usize, range);
        assert_eq!(
            (flow.packets_in, flow.bytes_out),
            (want.packets_in, want.bytes_out)
        );
        assert_eq!(flow.key.as_ref(), Some(&model.series[f.id as usize].key));
        assert!(range.0 <= flow.start_time && flow.end_time <= range.1);
        assert_eq!((flow.end_time - flow.start_time) % BUCKET_S, 0);
    }
    let starts: Vec<i64> = all
        .flows
        .iter()
        .map(|f| f.flow.as_ref().unwrap().start_time)
        .collect();
    assert!(
        starts.windows(2).all(|w| w[0] >= w[1]),
        "newest start first"
    );
    // Every call: the same flows, ties in another order (Go's map and sort.Slice).
    let again = c
        .list(request(range, Filter::default()))
        .await
        .unwrap()
        .into_inner();
    let (mut a, mut b) = (ids(&all.flows), ids(&again.flows));
    assert_ne!(a, b, "ties come in another order on every call");
    a.sort();
    b.sort();
    assert_eq!(a, b);
    a.dedup();
    assert_eq!(a.len() as i64, n, "each flow once");
    // Nothing in range: no pages at all.
    let old = request((1_000_000_000, 1_000_000_900), Filter::default());
    let meta = c.list(old).await.unwrap().into_inner().meta.unwrap();
    assert_eq!((meta.total_pages, meta.total_results), (0, 0));
}

#[tokio::test]
async fn pages_over_the_time_sort_repeat_and_miss_as_calicos_do() {
    let g = start_mtls(33, "timepages").await;
    let mut c = FlowsClient::new(channel(&g).await);
    let req = request(fixed_range(), Filter::default());
    let whole = ids(&c.list(req.clone()).await.unwrap().into_inner().flows);
    let mut paged = ids(&pages(&mut c, req.clone(), 7).await);
    assert_eq!(paged.len(), whole.len(), "as many rows as flows");
    paged.sort();
    let rows = paged.len();
    paged.dedup();
    assert!(
        paged.len() < rows,
        "some flows come twice, so others are missing"
    );
    // A name sort is Calico's sorted index: value, then id; its pages join exactly.
    let by_name = FlowListRequest {
        sort_by: vec![SortOption {
            sort_by: SortBy::DestName as i32,
        }],
        ..req
    };
    let one = c.list(by_name.clone()).await.unwrap().into_inner().flows;
    assert_eq!(pages(&mut c, by_name, 7).await, one);
}

/// One of a flow key's name fields.
type KeyField = fn(&v3_32::FlowKey) -> &str;

#[tokio::test]
async fn sorts_and_their_errors() {
    let g = start_mtls(33, "sorts").await;
    let mut c = FlowsClient::new(channel(&g).await);
    // A fixed range: the whole window could gain a bucket between two calls.
    let range = fixed_range();
    let sorted = |by: SortBy| FlowListRequest {
        sort_by: vec![SortOption { sort_by: by as i32 }],
        ..request(range, Filter::default())
    };
    let by_time = list(&mut c, sorted(SortBy::Time)).await;
    let starts: Vec<i64> = by_time
        .iter()
        .map(|f| f.flow.as_ref().unwrap().start_time)
        .collect();
    assert!(starts.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert_eq!(
        by_id(by_time.clone()),
        by_id(list(&mut c, request(range, Filter::default())).await),
        "Time is the default sort"
    );
    let fields: [(SortBy, KeyField); 4] = [
        (SortBy::DestName, |k| &k.dest_name),
        (SortBy::DestNamespace, |k| &k.dest_namespace),
        (SortBy::SourceName, |k| &k.source_name),
        (SortBy::SourceNamespace, |k| &k.source_namespace),
    ];
    for (by, field) in fields {
        let flows = list(&mut c, sorted(by)).await;
        let values: Vec<&str> = flows.iter().map(|f| field(key(f))).collect();
        assert!(
            values.windows(2).all(|w| w[0] <= w[1]),
            "{by:?}: {values:?}"
        );
        assert_eq!(flows.len(), by_time.len());
    }
    let err = c.list(sorted(SortBy::DestType)).await.unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (Code::Unknown, "unsupported sort order: DestType")
    );
    let two = FlowListRequest {
        sort_by: vec![SortOption { sort_by: 1 }, SortOption { sort_by: 2 }],
        ..Default::default()
    };
    let err = c.list(two).await.unwrap_err();
    assert_eq!(err.message(), "at most one sort order is supported");
}

#[tokio::test]
async fn filters_select_what_they_say() {
    let g = start_mtls(33, "filters").await;
    let mut c = FlowsClient::new(channel(&g).await);
    let range = fixed_range();
    let mut go = async |f: Filter| by_id(list(&mut c, request(range, f)).await);
    let payments = go(Filter {
        dest_namespaces: vec![exact("payments")],
        ..Default::default()
    })
    .await;
    assert!(!payments.is_empty());
    assert!(payments.iter().all(|f| key(f).dest_namespace == "payments"));
    let pay = go(Filter {
        dest_namespaces: vec![fuzzy("pay")],
        ..Default::default()
    })
    .await;
    assert_eq!(pay, payments);
    let upper = go(Filter {
        dest_namespaces: vec![fuzzy("PAY")],
        ..Default::default()
    })
    .await;
    assert!(upper.is_empty(), "fuzzy is case-sensitive");
    let either = go(Filter {
        dest_namespaces: vec![exact("payments"), exact("catalog")],
        ..Default::default()
    })
    .await;
    assert!(either.len() > payments.len());
    let denied = go(Filter {
        actions: vec![Action::Deny as i32],
        ..Default::default()
    })
    .await;
    assert!(!denied.is_empty() && denied.iter().all(|f| key(f).action == Action::Deny as i32));
    let redis = go(Filter {
        dest_ports: vec![PortMatch { port: 6379 }],
        ..Default::default()
    })
    .await;
    assert!(!redis.is_empty() && redis.iter().all(|f| key(f).dest_name.starts_with("cart-")));
    let src = go(Filter {
        reporter: Reporter::Src as i32,
        ..Default::default()
    })
    .await;
    assert!(!src.is_empty() && src.iter().all(|f| key(f).reporter == Reporter::Src as i32));
    // ANDed: denied into payments.
    let both = go(Filter {
        dest_namespaces: vec![exact("payments")],
        actions: vec![Action::Deny as i32],
        ..Default::default()
    })
    .await;
    assert!(!both.is_empty() && both.len() < payments.len());
    let security = go(Filter {
        policies: vec![PolicyMatch {
            tier: Some(exact("security")),
            ..Default::default()
        }],
        ..Default::default()
    })
    .await;
    assert!(!security.is_empty());
    for f in &security {
        let hits = key(f).policies.as_ref().unwrap();
        assert!(hits
            .enforced_policies
            .iter()
            .chain(&hits.pending_policies)
            .any(|h| h.tier == "security"));
    }
    let by_name = go(Filter {
        policies: vec![PolicyMatch {
            name: Some(exact("allow-checkout")),
            ..Default::default()
        }],
        ..Default::default()
    })
    .await;
    assert!(!by_name.is_empty() && by_name.iter().all(|f| key(f).dest_namespace == "payments"));
    // Allowed today, denied once the staged policy is enforced: search → catalog.
    let pending = go(Filter {
        pending_actions: vec![Action::Deny as i32],
        actions: vec![Action::Allow as i32],
        ..Default::default()
    })
    .await;
    assert!(pending
        .iter()
        .any(|f| key(f).source_name.starts_with("search-")
            && key(f).dest_name.starts_with("catalog-")));
}

#[tokio::test]
async fn hostile_filter_values_are_just_values() {
    let g = start_mtls(33, "hostile").await;
    let mut c = FlowsClient::new(channel(&g).await);
    let long = "x".repeat(10 * 1024);
    for value in [
        "a\"}) or vector(1) #",
        "支付-命名空间 🚀 \u{202e}",
        long.as_str(),
        "'; DROP TABLE flows; --",
    ] {
        for m in [exact(value), fuzzy(value)] {
            let filter = Filter {
                dest_namespaces: vec![m.clone()],
                ..Default::default()
            };
            assert!(
                list(&mut c, request((0, 0), filter)).await.is_empty(),
                "{m:?}"
            );
            let filter = Filter {
                policies: vec![PolicyMatch {
                    name: Some(m.clone()),
                    ..Default::default()
                }],
                ..Default::default()
            };
            assert!(list(&mut c, request((0, 0), filter)).await.is_empty());
        }
    }
}

#[tokio::test]
async fn time_range_errors() {
    let g = start_mtls(33, "times").await;
    let mut c = FlowsClient::new(channel(&g).await);
    let req = |gte, lt| FlowListRequest {
        start_time_gte: gte,
        start_time_lt: lt,
        ..Default::default()
    };
    let err = c.list(req(-60, -120)).await.unwrap_err();
    assert_eq!(err.code(), Code::Unknown);
    assert!(
        err.message().starts_with("startTimeGt ("),
        "{}",
        err.message()
    );
    assert!(err.message().contains(") must be less than startTimeLt ("));
    let err = c.list(req(1_700_000_000, 1_700_000_000)).await.unwrap_err();
    assert_eq!(
        err.message(),
        "startTimeGt (1700000000) must be less than startTimeLt (1700000000)"
    );
    // The last minute: relative times.
    let recent = list(&mut c, req(-60, 0)).await;
    let now = store::now();
    assert!(recent
        .iter()
        .all(|f| f.flow.as_ref().unwrap().start_time >= now - 75));
}

#[tokio::test]
async fn stream_backfills_then_sends_each_new_bucket() {
    let g = start_mtls(33, "stream").await;
    let mut c = FlowsClient::new(channel(&g).await);
    let newest = store::newest_bucket(store::now());
    let req = v3_32::FlowStreamRequest {
        start_time_gte: -45,
        filter: Some(Filter {
            dest_namespaces: vec![exact("checkout")],
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut stream = c.stream(req).await.unwrap().into_inner();
    let started = Instant::now();
    let mut ids = std::collections::HashMap::new();
    let mut buckets = std::collections::BTreeSet::new();
    while let Some(item) = tokio::time::timeout(Duration::from_secs(20), stream.message())
        .await
        .expect("a bucket within 20 s")
        .unwrap()
    {
        let flow = item.flow.as_ref().unwrap();
        assert_eq!(
            flow.end_time - flow.start_time,
            BUCKET_S,
            "one bucket per result"
        );
        assert_eq!(key(&item).dest_namespace, "checkout");
        let id = *ids
            .entry(prost::Message::encode_to_vec(key(&item)))
            .or_insert(item.id);
        assert_eq!(id, item.id, "same key, same id");
        buckets.insert(flow.start_time);
        if flow.start_time > newest {
            break;
        }
    }
    assert!(buckets.len() >= 3, "backfill: {buckets:?}");
    assert!(*buckets.iter().next().unwrap() >= newest - 45);
    assert!(started.elapsed() < Duration::from_secs(19));
}

#[tokio::test]
async fn filter_hints_tell_the_shapes_apart() {
    let new = start_mtls(32, "hints-new").await;
    let old = start_mtls(31, "hints-old").await;
    assert_eq!((new.shape, old.shape), (Shape::V3_32, Shape::V3_30));
    let mut c = FlowsClient::new(channel(&new).await);
    let hints = async |c: &mut FlowsClient<Channel>, t: i32| {
        let req = FilterHintsRequest {
            r#type: t,
            ..Default::default()
        };
        c.filter_hints(req).await.map(|r| {
            r.into_inner()
                .hints
                .into_iter()
                .map(|h| h.value)
                .collect::<Vec<_>>()
        })
    };
    let kinds = hints(&mut c, 7).await.unwrap();
    assert_eq!(
        kinds,
        [
            "CalicoNetworkPolicy",
            "GlobalNetworkPolicy",
            "NetworkPolicy",
            "StagedNetworkPolicy"
        ]
    );
    let namespaces = hints(&mut c, 8).await.unwrap();
    assert!(
        namespaces.contains(&"payments".to_string()),
        "{namespaces:?}"
    );
    assert_eq!(hints(&mut c, 5).await.unwrap(), ["default", "security"]);
    let names = hints(&mut c, 6).await.unwrap();
    assert!(
        names.contains(&"tighten-catalog".into()) && !names.iter().any(|n| n.starts_with("kns."))
    );
    let dest = hints(&mut c, 3).await.unwrap();
    assert!(dest.windows(2).all(|w| w[0] < w[1]) && dest.contains(&"kube-system".into()));
    let err = hints(&mut c, 0).await.unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (Code::Unknown, "unsupported filter type '0'")
    );
    // A 3.32 client asking a 3.31 server for policy kinds: how clients detect the shape.
    let mut c = FlowsClient::new(channel(&old).await);
    let err = hints(&mut c, 7).await.unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (Code::Unknown, "unsupported filter type '7'")
    );
    assert_eq!(hints(&mut c, 5).await.unwrap(), ["default", "security"]);
    assert!(hints(&mut c, 0).await.is_err());
}

#[tokio::test]
async fn the_3_30_shape_speaks_3_30() {
    let old = start_mtls(30, "shape-old").await;
    let mut c = v3_30::flows_client::FlowsClient::new(channel(&old).await);
    let filter = v3_30::Filter {
        policies: vec![v3_30::PolicyMatch {
            tier: "security".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let req = v3_30::FlowListRequest {
        filter: Some(filter),
        ..Default::default()
    };
    let flows = c.list(req.clone()).await.unwrap().into_inner().flows;
    assert!(!flows.is_empty());
    for f in &flows {
        let hits = f
            .flow
            .as_ref()
            .unwrap()
            .key
            .as_ref()
            .unwrap()
            .policies
            .clone()
            .unwrap();
        assert!(hits.enforced_policies.iter().any(|h| h.tier == "security"));
    }
    // Its Stream: the backfill comes at once, in 3.30 messages.
    let backfill = v3_30::FlowStreamRequest {
        start_time_gte: -60,
        ..Default::default()
    };
    let mut stream = c.stream(backfill).await.unwrap().into_inner();
    let first = stream.message().await.unwrap().unwrap();
    let flow = first.flow.unwrap();
    assert_eq!(flow.end_time - flow.start_time, BUCKET_S);
    // The same 3.30 request to a 3.32 server: its PolicyMatch strings do not decode.
    let new = start_mtls(33, "shape-new").await;
    let mut c = v3_30::flows_client::FlowsClient::new(channel(&new).await);
    let err = c.list(req).await.unwrap_err();
    eprintln!(
        "3.30 request to a 3.32 server: {:?} {}",
        err.code(),
        err.message()
    );
    assert_eq!(err.code(), Code::Internal);
    assert!(err.message().contains("decode"), "{}", err.message());
}

/// Sums of one statistics array over its points.
fn total(
    results: &[v3_32::StatisticsResult],
    pick: fn(&v3_32::StatisticsResult) -> &Vec<i64>,
) -> i64 {
    results.iter().flat_map(pick).sum()
}

#[tokio::test]
async fn statistics_add_up_to_the_list_totals() {
    let g = start_mtls(33, "stats").await;
    let ch = channel(&g).await;
    let (mut flows, mut stats) = (FlowsClient::new(ch.clone()), StatisticsClient::new(ch));
    let range = fixed_range();
    for name in [
        "catalog-ingress",
        "payments-isolation",
        "allow-from-frontend",
    ] {
        let m = PolicyMatch {
            name: Some(exact(name)),
            ..Default::default()
        };
        let filter = Filter {
            policies: vec![m.clone()],
            ..Default::default()
        };
        let listed = list(&mut flows, request(range, filter)).await;
        let sum = |f: fn(&v3_32::Flow) -> i64| {
            listed
                .iter()
                .map(|x| f(x.flow.as_ref().unwrap()))
                .sum::<i64>()
        };
        let req = StatisticsRequest {
            start_time_gte: range.0,
            start_time_lt: range.1,
            r#type: StatisticType::PacketCount as i32,
            group_by: StatisticsGroupBy::Policy as i32,
            policy_match: Some(m),
            time_series: true,
        };
        let mut s = stats.list(req).await.unwrap().into_inner();
        let mut results = Vec::new();
        while let Some(r) = s.message().await.unwrap() {
            results.push(r);
        }
        assert!(!results.is_empty(), "{name}");
        if name == "allow-from-frontend" {
            // catalog → checkout ends its tier: counted under the EndOfTier it triggered.
            let end = results
                .iter()
                .filter_map(|r| r.policy.as_ref())
                .find(|p| p.kind == 10);
            assert_eq!(
                end.and_then(|p| p.trigger.as_ref())
                    .map(|t| t.name.as_str()),
                Some(name)
            );
        }
        for r in &results {
            assert!(
                r.x.windows(2).all(|w| w[0] < w[1])
                    && r.x.iter().all(|x| (range.0..range.1).contains(x))
            );
            assert_eq!(r.x.len(), r.allowed_in.len());
            assert_eq!(r.direction, 0);
        }
        let inbound = total(&results, |r| &r.allowed_in)
            + total(&results, |r| &r.denied_in)
            + total(&results, |r| &r.passed_in);
        let outbound = total(&results, |r| &r.allowed_out)
            + total(&results, |r| &r.denied_out)
            + total(&results, |r| &r.passed_out);
        assert_eq!(
            (inbound, outbound),
            (sum(|f| f.packets_in), sum(|f| f.packets_out)),
            "{name}"
        );
    }
}

#[tokio::test]
async fn statistics_by_rule_and_not_found() {
    let g = start_mtls(31, "stats-rule").await;
    let mut stats = v3_30::statistics_client::StatisticsClient::new(channel(&g).await);
    let req = |name: &str, by: i32| v3_30::StatisticsRequest {
        r#type: StatisticType::ByteCount as i32,
        group_by: by,
        policy_match: Some(v3_30::PolicyMatch {
            name: name.into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut s = stats
        .list(req("payments-isolation", 1))
        .await
        .unwrap()
        .into_inner();
    let mut rules = Vec::new();
    while let Some(r) = s.message().await.unwrap() {
        rules.push(r);
    }
    // Rule 0 passes checkout, rule 1 denies the rest; ingress, one total each.
    let shown: Vec<_> = rules
        .iter()
        .map(|r| {
            let p = r.policy.as_ref().unwrap();
            (
                p.rule_index,
                p.action,
                r.direction,
                r.x.len(),
                r.allowed_in.len(),
            )
        })
        .collect();
    assert_eq!(shown, [(0, 3, 1, 0, 1), (1, 2, 1, 0, 1)]);
    assert!(rules[0].passed_in[0] > 0 && rules[1].denied_in[0] > 0);
    let mut s = stats
        .list(req("no-such-policy", 0))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.message().await.unwrap(), Some(Default::default()));
    let err = s.message().await.unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (Code::NotFound, "No statistics matching request")
    );
}

#[tokio::test]
async fn client_certificates_are_required_and_checked() {
    let g = start_mtls(33, "certs").await;
    let c = g.certs.clone().unwrap();
    let ask = async |ch: Result<Channel, tonic::transport::Error>| -> String {
        let ch = match ch {
            Ok(ch) => ch,
            Err(e) => return format!("connect: {e:?}"),
        };
        match FlowsClient::new(ch).list(FlowListRequest::default()).await {
            Ok(_) => "accepted".to_string(),
            Err(s) => format!(
                "{:?}: {} ({:?})",
                s.code(),
                s.message(),
                std::error::Error::source(&s)
            ),
        }
    };
    let stranger = ask(connect(&g, Some((&c.other_client_cert, &c.other_client_key))).await).await;
    eprintln!("client certificate from another CA: {stranger}");
    assert!(
        stranger.contains("received fatal alert: UnknownCA"),
        "{stranger}"
    );
    let anonymous = ask(connect(&g, None).await).await;
    eprintln!("no client certificate: {anonymous}");
    assert!(
        anonymous.contains("received fatal alert: CertificateRequired"),
        "{anonymous}"
    );
    // The server survives both and still serves its own clients.
    assert_eq!(
        ask(connect(&g, Some((&c.client_cert, &c.client_key))).await).await,
        "accepted"
    );
}

#[tokio::test]
async fn plaintext_without_certificates_and_no_goldmane_before_3_30() {
    let g = goldmane::start(&config(33), Options::plaintext("127.0.0.1:0"))
        .await
        .unwrap();
    assert!(g.certs.is_none());
    let ch = Endpoint::from_shared(format!("http://{}", g.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let answer = FlowsClient::new(ch)
        .list(FlowListRequest::default())
        .await
        .unwrap();
    assert!(answer.into_inner().meta.unwrap().total_results > 0);
    let err = goldmane::start(&config(29), Options::plaintext("127.0.0.1:0"))
        .await
        .err();
    assert_eq!(
        err.as_deref(),
        Some("Calico 3.29 has no Goldmane (it came with 3.30)")
    );
}

/// The command line: `--goldmane 0 --goldmane-certs DIR` prints where Goldmane listens, its
/// shape and the certificate folder, and a client using those files is served.
#[tokio::test]
async fn the_command_line_starts_goldmane() {
    use std::io::{BufRead, BufReader};
    let dir = cert_dir("cli");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_calicoscope-sim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--nodes",
            "5",
            "--calico-version",
            "3.31",
        ])
        .args(["--goldmane", "0", "--goldmane-certs"])
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _http = lines.next().unwrap().unwrap();
    let line = lines.next().unwrap().unwrap();
    let addr = line
        .strip_prefix("goldmane on https://")
        .and_then(|rest| rest.split_once(' '))
        .map(|(addr, _)| addr.to_string());
    let result = async {
        let addr = addr.ok_or(format!("unexpected line: {line}"))?;
        assert!(line.contains("the Calico 3.30/3.31 API, mTLS"), "{line}");
        assert!(line.contains(&dir.display().to_string()), "{line}");
        let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
        let tls = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(read("ca.crt")))
            .identity(Identity::from_pem(read("client.crt"), read("client.key")))
            .domain_name("localhost");
        let ch = Endpoint::from_shared(format!("https://{addr}"))
            .and_then(|e| e.tls_config(tls))
            .map_err(|e| e.to_string())?
            .connect()
            .await
            .map_err(|e| e.to_string())?;
        let mut c = v3_30::flows_client::FlowsClient::new(ch);
        let answer = c.list(v3_30::FlowListRequest::default()).await;
        answer
            .map(|r| r.into_inner().flows.len())
            .map_err(|e| e.to_string())
    }
    .await;
    let _ = child.kill();
    let _ = child.wait();
    assert!(result.unwrap() > 0);
}
