//! Who talks in the simulated cluster: namespaces, their workloads (one Deployment each,
//! named by its pods' generate-name), the Services in front of them, and the endpoints
//! outside the cluster (the `pub` and `pvt` networks, a NetworkSet).

use crate::prng::hash;

const TAG_TEMPLATE_HASH: u64 = 0x51;

/// The alphabet Kubernetes uses for pod-template hashes (no vowels, no look-alikes).
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// One Deployment: its pods share `generate_name` and `labels`.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    pub namespace: String,
    pub app: String,
    /// `checkout-7d9f8b6c4-`: what Goldmane aggregates pods by.
    pub generate_name: String,
    /// `key=value`, sorted.
    pub labels: Vec<String>,
    /// The container port traffic goes to.
    pub port: i64,
    pub proto: &'static str,
    pub service: Option<Service>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: String,
    pub port_name: &'static str,
    pub port: i64,
}

/// One end of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Workload(usize),
    /// `pub` (the internet) or `pvt` (private address space outside the cluster).
    Network(&'static str),
    /// The `payment-gateways` NetworkSet in namespace payments.
    GatewaySet,
}

/// The NetworkSet payments sends to.
pub const GATEWAY_SET: (&str, &str) = ("payments", "payment-gateways");

/// A base namespace's workloads: (app, port, proto, service name, port name, service port).
type AppSpec = (
    &'static str,
    i64,
    &'static str,
    &'static str,
    &'static str,
    i64,
);

/// The shop every cluster runs, namespace by namespace.
const BASE: &[(&str, &[AppSpec])] = &[
    ("frontend", &[("web", 8080, "tcp", "web", "http", 80)]),
    (
        "checkout",
        &[
            ("checkout", 8080, "tcp", "checkout", "http", 80),
            ("cart", 6379, "tcp", "cart-redis", "redis", 6379),
        ],
    ),
    (
        "payments",
        &[("payments-api", 8443, "tcp", "payments", "https", 443)],
    ),
    (
        "catalog",
        &[("catalog", 8080, "tcp", "catalog", "http", 80)],
    ),
    ("search", &[("search", 9200, "tcp", "search", "http", 9200)]),
    (
        "monitoring",
        &[("prometheus", 9090, "tcp", "prometheus", "web", 9090)],
    ),
    (
        "kube-system",
        &[("coredns", 53, "udp", "kube-dns", "dns", 53)],
    ),
    (
        "calico-system",
        &[
            ("goldmane", 7443, "tcp", "goldmane", "grpc", 7443),
            ("whisker", 8081, "tcp", "whisker", "http", 8081),
        ],
    ),
];

/// Each extra namespace runs an API and a worker calling it.
const TENANT: &[AppSpec] = &[
    ("api", 8080, "tcp", "api", "http", 80),
    ("worker", 9000, "tcp", "", "", 0),
];

/// The name of extra namespace `i` (0-based): `tenant-0001`, ...
pub fn tenant_namespace(i: usize) -> String {
    format!("tenant-{:04}", i + 1)
}

/// A deterministic 9- or 10-character pod-template hash for a Deployment.
fn template_hash(seed: u64, namespace: &str, app: &str) -> String {
    let mut h = hash(
        seed,
        &[TAG_TEMPLATE_HASH, text_tag(namespace), text_tag(app)],
    );
    let len = 9 + (h & 1) as usize;
    (0..len)
        .map(|_| {
            h = crate::prng::splitmix64(h);
            SAFE[(h % SAFE.len() as u64) as usize] as char
        })
        .collect()
}

/// FNV-1a of a string: a stable tag for `prng::hash`.
pub fn text_tag(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn workload(seed: u64, namespace: &str, spec: &AppSpec) -> Workload {
    let (app, port, proto, svc, port_name, svc_port) = *spec;
    let hash = template_hash(seed, namespace, app);
    let service = (!svc.is_empty()).then(|| Service {
        name: svc.to_string(),
        port_name,
        port: svc_port,
    });
    Workload {
        namespace: namespace.to_string(),
        app: app.to_string(),
        generate_name: format!("{app}-{hash}-"),
        labels: vec![format!("app={app}"), format!("pod-template-hash={hash}")],
        port,
        proto,
        service,
    }
}

/// Every workload: the base namespaces in [`BASE`] order, then `tenants` extra namespaces.
pub fn workloads(seed: u64, tenants: usize) -> Vec<Workload> {
    let base = BASE
        .iter()
        .flat_map(|(ns, apps)| apps.iter().map(move |a| workload(seed, ns, a)));
    let extra = (0..tenants).flat_map(|i| {
        let ns = tenant_namespace(i);
        TENANT
            .iter()
            .map(|a| workload(seed, &ns, a))
            .collect::<Vec<_>>()
    });
    base.chain(extra).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_names_look_like_kubernetes() {
        let w = workloads(42, 2);
        assert_eq!(w.len(), 14);
        for x in &w {
            let hash = x
                .generate_name
                .strip_prefix(&format!("{}-", x.app))
                .unwrap();
            let hash = hash.strip_suffix('-').unwrap();
            assert!((9..=10).contains(&hash.len()), "{}", x.generate_name);
            assert!(hash.bytes().all(|b| SAFE.contains(&b)));
            assert!(x.labels.contains(&format!("pod-template-hash={hash}")));
        }
        assert_eq!(w, workloads(42, 2));
        assert_ne!(w[0].generate_name, workloads(43, 2)[0].generate_name);
        assert_eq!(w[12].namespace, "tenant-0002");
    }
}
