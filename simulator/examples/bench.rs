use calicoscope_sim::{Cluster, Config};
use std::time::Instant;
fn main() {
    let cfg = Config::demo(5000);
    for _ in 0..3 {
        let t = Instant::now();
        let c = Cluster::at(&cfg, 10_000.0);
        let a = t.elapsed();
        let kc = c.render_kube_controllers();
        let b = t.elapsed();
        let f = c.render_felix();
        let d = t.elapsed();
        let ty = c.render_typha();
        let e = t.elapsed();
        println!(
            "at {:?} kc {:?} felix {:?} typha {:?} sizes {} {} {}",
            a,
            b - a,
            d - b,
            e - d,
            kc.len(),
            f.len(),
            ty.len()
        );
    }
}
