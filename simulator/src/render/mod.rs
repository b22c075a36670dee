//! Prometheus text exposition of a `Cluster`: [`exposition`] is the format writer, and
//! each component's page has its own module, named after the page it renders
//! (`/metrics/kube-controllers`, `/metrics/felix`, `/metrics/typha`).
//!
//! Each renderer writes every family it knows; the writer drops those the cluster's
//! Calico release and dataplane do not export.

pub mod exposition;
pub mod felix;
pub mod kube_controllers;
pub mod typha;

#[cfg(test)]
mod tests {
    use crate::cluster::Cluster;
    use crate::config::{Config, Scenarios};
    use crate::lint::check_exposition;
    use calicoscope_model::calico::{self, Dataplane, Release};

    fn all_pages(c: &Cluster) -> [String; 3] {
        [
            c.render_kube_controllers(),
            c.render_felix(),
            c.render_typha(),
        ]
    }

    #[test]
    fn pages_are_valid_exposition() {
        for nodes in [1, 3, 200] {
            for scen in [Scenarios::all(), Scenarios::none()] {
                let mut cfg = Config::demo(nodes);
                cfg.scenarios = scen;
                for page in all_pages(&Cluster::at(&cfg, 5000.0)) {
                    check_exposition(&page).unwrap();
                }
            }
        }
    }

    #[test]
    fn same_seed_same_text_other_seed_other_text() {
        let cfg = Config::demo(50);
        let (a, b) = (Cluster::at(&cfg, 777.0), Cluster::at(&cfg, 777.0));
        assert_eq!(all_pages(&a), all_pages(&b));
        let mut other = cfg.clone();
        other.seed = 43;
        let c = Cluster::at(&other, 777.0);
        let (pa, pc) = (all_pages(&a), all_pages(&c));
        for i in 0..3 {
            assert_ne!(pa[i], pc[i], "page {i}");
        }
    }

    #[test]
    fn each_profile_exports_exactly_its_families() {
        for release in Release::all() {
            for dataplane in Dataplane::ALL.into_iter().filter(|d| d.since() <= release) {
                let cfg = Config::profile(5, release, dataplane);
                let [kc, felix, typha] = all_pages(&Cluster::at(&cfg, 4000.0));
                let pages = format!("{kc}{felix}{typha}");
                check_exposition(&felix).unwrap();
                for f in calico::FAMILIES {
                    let has = pages.contains(&format!("# TYPE {} ", f.name));
                    assert_eq!(
                        has,
                        f.present(release, dataplane),
                        "{} on {release} {dataplane}",
                        f.name
                    );
                }
                // Marker gauges are above 0 exactly on their own dataplane's nodes.
                let marker_positive = |d: Dataplane| {
                    let name = d.marker().split('{').next().unwrap();
                    felix.lines().any(|l| {
                        l.starts_with(name)
                            && !l.contains("ip_version=\"arp\"")
                            && !l.ends_with(" 0")
                    })
                };
                for d in Dataplane::ALL {
                    assert_eq!(
                        marker_positive(d),
                        dataplane.programs(d) && d.since() <= release,
                        "{:?} marker on {release} {dataplane}",
                        d
                    );
                }
            }
        }
    }

    #[test]
    fn large_cluster_renders_quickly() {
        let cfg = Config::demo(5000);
        let start = std::time::Instant::now();
        let c = Cluster::at(&cfg, 10_000.0);
        let pages = all_pages(&c);
        let took = start.elapsed();
        assert!(pages[1].len() > 1_000_000);
        // Generous bound: tests may run unoptimised on a busy 2-core machine.
        let bound = if cfg!(debug_assertions) { 20_000 } else { 1000 };
        assert!(took.as_millis() < bound, "took {took:?}");
        eprintln!(
            "5000 nodes: build+render {took:?}, felix page {} bytes",
            pages[1].len()
        );
    }
}
