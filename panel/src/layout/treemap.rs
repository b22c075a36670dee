//! Squarified treemap (Bruls, Huizing, van Wijk 2000): rectangles whose areas are
//! proportional to the weights, with aspect ratios kept near 1 so small tiles stay readable.

use super::Rect;

/// One rectangle per weight, in input order; zero, negative or NaN weights get an empty rect.
///
/// ```
/// use calicoscope_panel::layout::{treemap::squarify, Rect};
/// let tiles = squarify(&[6.0, 2.0, 2.0], Rect::new(0.0, 0.0, 10.0, 10.0));
/// assert!((tiles[0].area() - 60.0).abs() < 1e-9);
/// ```
pub fn squarify(weights: &[f64], bounds: Rect) -> Vec<Rect> {
    let mut out = vec![Rect::default(); weights.len()];
    let mut order: Vec<usize> = (0..weights.len())
        .filter(|&i| weights[i] > 0.0 && weights[i].is_finite())
        .collect();
    let total: f64 = order.iter().map(|&i| weights[i]).sum();
    if order.is_empty() || bounds.area() <= 0.0 || !total.is_finite() {
        return out;
    }
    order.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]));
    let scale = bounds.area() / total;
    let area = |i: usize| weights[i] * scale;
    let mut free = bounds;
    let mut i = 0;
    while i < order.len() {
        let side = free.w.min(free.h).max(f64::MIN_POSITIVE);
        let (mut end, mut sum) = (i + 1, area(order[i]));
        let mut best = worst(area(order[i]), area(order[i]), sum, side);
        while end < order.len() {
            let a = area(order[end]);
            let w = worst(area(order[i]), a, sum + a, side);
            if w > best {
                break;
            }
            (best, sum, end) = (w, sum + a, end + 1);
        }
        free = place(&order[i..end], &area, sum, free, &mut out);
        i = end;
    }
    out
}

/// Worst aspect ratio of a row with largest `max`, smallest `min`, total `sum` along `side`.
fn worst(max: f64, min: f64, sum: f64, side: f64) -> f64 {
    let (s2, w2) = (sum * sum, side * side);
    (w2 * max / s2).max(s2 / (w2 * min))
}

/// Lays the row along the shorter side of `free` and returns what is left.
fn place(
    row: &[usize],
    area: &dyn Fn(usize) -> f64,
    sum: f64,
    free: Rect,
    out: &mut [Rect],
) -> Rect {
    if free.w >= free.h {
        let thick = (sum / free.h.max(f64::MIN_POSITIVE)).min(free.w);
        let mut y = free.y;
        for &k in row {
            let h = area(k) / thick;
            out[k] = Rect::new(free.x, y, thick, h);
            y += h;
        }
        Rect::new(free.x + thick, free.y, free.w - thick, free.h)
    } else {
        let thick = (sum / free.w.max(f64::MIN_POSITIVE)).min(free.h);
        let mut x = free.x;
        for &k in row {
            let w = area(k) / thick;
            out[k] = Rect::new(x, free.y, w, thick);
            x += w;
        }
        Rect::new(free.x, free.y + thick, free.w, free.h - thick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlap(a: &Rect, b: &Rect) -> f64 {
        let w = (a.x + a.w).min(b.x + b.w) - a.x.max(b.x);
        let h = (a.y + a.h).min(b.y + b.h) - a.y.max(b.y);
        w.max(0.0) * h.max(0.0)
    }

    #[test]
    fn areas_are_proportional_inside_bounds_without_overlap() {
        let weights: Vec<f64> = (1..=200).map(|i| ((i * 37) % 23 + 1) as f64).collect();
        let bounds = Rect::new(10.0, 20.0, 800.0, 300.0);
        let tiles = squarify(&weights, bounds);
        let total: f64 = weights.iter().sum();
        for (w, t) in weights.iter().zip(&tiles) {
            assert!((t.area() - w / total * bounds.area()).abs() < 1e-6, "{t:?}");
            assert!(t.x >= bounds.x - 1e-6 && t.y >= bounds.y - 1e-6);
            assert!(
                t.x + t.w <= bounds.x + bounds.w + 1e-6 && t.y + t.h <= bounds.y + bounds.h + 1e-6
            );
        }
        for i in 0..tiles.len() {
            for j in i + 1..tiles.len() {
                assert!(overlap(&tiles[i], &tiles[j]) < 1e-6, "{i} and {j} overlap");
            }
        }
    }

    #[test]
    fn equal_weights_make_squarish_tiles() {
        let tiles = squarify(&[1.0; 100], Rect::new(0.0, 0.0, 100.0, 100.0));
        for t in &tiles {
            assert!(t.w / t.h < 2.5 && t.h / t.w < 2.5, "{t:?}");
        }
    }

    #[test]
    fn bad_weights_get_empty_tiles() {
        let tiles = squarify(&[f64::NAN, -1.0, 0.0, 4.0], Rect::new(0.0, 0.0, 2.0, 2.0));
        assert_eq!(tiles[..3], [Rect::default(); 3]);
        assert_eq!(tiles[3], Rect::new(0.0, 0.0, 2.0, 2.0));
        assert!(squarify(&[], Rect::new(0.0, 0.0, 2.0, 2.0)).is_empty());
    }
}
