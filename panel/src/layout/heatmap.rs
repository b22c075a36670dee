//! Heatmap layout: row order, the cell cap, and the plot area beside row labels and the
//! time axis. Rows are downsampled to pixels by [`super::band`] when they outnumber them.

use super::Rect;
use crate::model::Heatmap;

/// Row order chosen in the panel options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    /// Highest peak first: the rows to look at come first.
    #[default]
    Peak,
    Name,
    /// By `ippool` label, then name.
    Pool,
}

impl Sort {
    pub fn parse(s: &str) -> Sort {
        match s {
            "name" => Sort::Name,
            "pool" => Sort::Pool,
            _ => Sort::Peak,
        }
    }
}

/// Row labels need this many pixels per row to be drawn.
pub const LABEL_ROW_PX: f64 = 12.0;
const LABEL_WIDTH: f64 = 140.0;
const AXIS_HEIGHT: f64 = 18.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Row indices into `Heatmap::rows`, in drawing order, after the cap.
    pub order: Vec<usize>,
    /// Rows dropped by the cap (0 when everything is drawn).
    pub dropped: usize,
    pub plot: Rect,
    /// Whether row labels fit (a label column left of the plot).
    pub labels: bool,
}

/// Order rows, apply the cell cap, and place the plot in `bounds`.
pub fn layout(heat: &Heatmap, bounds: Rect, sort: Sort, max_cells: usize) -> Layout {
    let mut order: Vec<usize> = (0..heat.rows.len()).collect();
    let rows = &heat.rows;
    // Keys computed once per row, not per comparison (5000 rows sort in the draw path).
    match sort {
        Sort::Peak => {
            let key = |i: usize| {
                let p = rows[i].peak();
                (
                    std::cmp::Reverse(if p.is_nan() {
                        i64::MIN
                    } else {
                        (p * 1e9) as i64
                    }),
                    natural_key(&rows[i].name),
                )
            };
            order.sort_by_cached_key(|&i| key(i));
        }
        Sort::Name => order.sort_by_cached_key(|&i| natural_key(&rows[i].name)),
        Sort::Pool => {
            order.sort_by_cached_key(|&i| (rows[i].pool.clone(), natural_key(&rows[i].name)))
        }
    }
    let columns = heat.times.len().max(1);
    let keep = (max_cells / columns).max(1).min(order.len());
    let dropped = order.len() - keep;
    order.truncate(keep);
    let body = Rect::new(bounds.x, bounds.y, bounds.w, bounds.h - AXIS_HEIGHT);
    let labels = !order.is_empty()
        && body.h / order.len() as f64 >= LABEL_ROW_PX
        && body.w > 3.0 * LABEL_WIDTH;
    let plot = if labels {
        Rect::new(body.x + LABEL_WIDTH, body.y, body.w - LABEL_WIDTH, body.h)
    } else {
        body
    };
    Layout {
        order,
        dropped,
        plot,
        labels,
    }
}

/// Sort key that puts `node-2` before `node-10`: the text before a trailing number, the
/// number, then the whole name.
pub fn natural_key(s: &str) -> (String, u64, String) {
    let digits = s.trim_end_matches(|c: char| !c.is_ascii_digit());
    let tail_start = digits.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let number = digits[tail_start..].parse::<u64>().unwrap_or(0);
    (s[..tail_start].to_string(), number, s.to_string())
}

impl Layout {
    /// The (row index, column) under (x, y), or `None` outside the plot.
    pub fn hit(&self, heat: &Heatmap, x: f64, y: f64) -> Option<(usize, usize)> {
        if !self.plot.contains(x, y) || self.order.is_empty() || heat.times.is_empty() {
            return None;
        }
        let r = ((y - self.plot.y) / self.plot.h * self.order.len() as f64) as usize;
        let c = ((x - self.plot.x) / self.plot.w * heat.times.len() as f64) as usize;
        Some((
            self.order[r.min(self.order.len() - 1)],
            c.min(heat.times.len() - 1),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Row;

    fn heat(rows: &[(&str, &str, &[f64])]) -> Heatmap {
        Heatmap {
            times: (0..rows[0].2.len()).map(|i| i as f64 * 1000.0).collect(),
            rows: rows
                .iter()
                .map(|(n, p, v)| Row::new(n.to_string(), Some(p.to_string()), v.to_vec()))
                .collect(),
            unit: None,
        }
    }

    #[test]
    fn sorts() {
        let h = heat(&[
            ("node-10", "b", &[0.1, 0.2]),
            ("node-2", "a", &[0.9, f64::NAN]),
            ("node-1", "b", &[f64::NAN, f64::NAN]),
        ]);
        let b = Rect::new(0.0, 0.0, 600.0, 300.0);
        let names = |s| {
            layout(&h, b, s, 1000)
                .order
                .iter()
                .map(|&i| h.rows[i].name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(Sort::Peak), ["node-2", "node-10", "node-1"]);
        assert_eq!(names(Sort::Name), ["node-1", "node-2", "node-10"]);
        assert_eq!(names(Sort::Pool), ["node-2", "node-1", "node-10"]);
    }

    #[test]
    fn cap_drops_rows_and_hit_maps_back() {
        let v = [0.5; 10];
        let rows: Vec<(String, &str, &[f64])> =
            (0..100).map(|i| (format!("n{i}"), "p", &v[..])).collect();
        let rows: Vec<(&str, &str, &[f64])> =
            rows.iter().map(|(n, p, v)| (n.as_str(), *p, *v)).collect();
        let h = heat(&rows);
        let l = layout(&h, Rect::new(0.0, 0.0, 500.0, 218.0), Sort::Name, 500);
        assert_eq!((l.order.len(), l.dropped), (50, 50));
        assert!(!l.labels, "50 rows in 200 px leave 4 px per row");
        assert_eq!(l.hit(&h, 499.0, 199.0), Some((l.order[49], 9)));
        assert_eq!(l.hit(&h, 0.0, 0.0), Some((l.order[0], 0)));
        assert_eq!(l.hit(&h, 10.0, 210.0), None, "the axis is not a cell");
    }
}
