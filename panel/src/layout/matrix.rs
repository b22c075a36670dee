//! The flow view's geometry: a square grid of sources (rows) by destinations (columns), with
//! their names on the left and on top when the cells are tall enough to label. Hit-testing
//! is arithmetic, so hovering over 500 × 500 namespaces costs nothing.

use super::Rect;
use crate::model::flows::Flows;

/// Widest cell; a few namespaces do not fill a wide panel with huge squares.
const MAX_CELL: f64 = 28.0;
/// Smallest cell whose row and column are labelled.
pub const LABELLED: f64 = 9.0;
/// Room for the names (left and top) when labelled.
pub const GUTTER: f64 = 120.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Where the cells are (top-left cell at its origin).
    pub grid: Rect,
    /// Side of one cell.
    pub cell: f64,
    pub n: usize,
    /// Whether names are drawn (cells at least [`LABELLED`]).
    pub labelled: bool,
}

pub fn layout(f: &Flows, bounds: Rect) -> Layout {
    let n = f.names.len();
    let side = |gutter: f64| {
        let room = (bounds.w - gutter).min(bounds.h - gutter).max(0.0);
        (room / n.max(1) as f64).min(MAX_CELL)
    };
    let (gutter, cell) = match side(GUTTER) {
        c if c >= LABELLED => (GUTTER, c),
        _ => (0.0, side(0.0)),
    };
    Layout {
        grid: Rect::new(
            bounds.x + gutter,
            bounds.y + gutter,
            cell * n as f64,
            cell * n as f64,
        ),
        cell,
        n,
        labelled: gutter > 0.0,
    }
}

impl Layout {
    /// The (source, destination) under the point.
    pub fn hit(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        if !self.grid.contains(x, y) || self.cell <= 0.0 {
            return None;
        }
        let at = |v: f64, o: f64| (((v - o) / self.cell) as usize).min(self.n - 1);
        Some((at(y, self.grid.y), at(x, self.grid.x)))
    }

    pub fn cell_rect(&self, src: usize, dst: usize) -> Rect {
        Rect::new(
            self.grid.x + dst as f64 * self.cell,
            self.grid.y + src as f64 * self.cell,
            self.cell,
            self.cell,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flows(n: usize) -> Flows {
        Flows {
            names: (0..n).map(|i| format!("ns-{i:03}")).collect(),
            namespaces: n,
            ..Flows::default()
        }
    }

    #[test]
    fn a_few_namespaces_are_labelled_squares_no_wider_than_the_cap() {
        let l = layout(&flows(4), Rect::new(0.0, 0.0, 800.0, 400.0));
        assert!(l.labelled);
        assert_eq!(l.cell, MAX_CELL);
        assert_eq!((l.grid.x, l.grid.y), (GUTTER, GUTTER));
        let r = l.cell_rect(2, 3);
        assert_eq!(l.hit(r.center().0, r.center().1), Some((2, 3)));
        assert_eq!(
            l.hit(GUTTER - 1.0, GUTTER + 1.0),
            None,
            "the names are no cell"
        );
        assert_eq!(l.hit(GUTTER + 4.0 * MAX_CELL + 1.0, GUTTER + 1.0), None);
    }

    #[test]
    fn five_hundred_namespaces_fill_the_panel_unlabelled_and_every_cell_is_hit() {
        let l = layout(&flows(500), Rect::new(0.0, 0.0, 1000.0, 600.0));
        assert!(!l.labelled, "cells of 1.2 px carry no names");
        assert!((l.cell - 600.0 / 500.0).abs() < 1e-9);
        for (s, d) in [(0, 0), (499, 499), (250, 7), (3, 498)] {
            let r = l.cell_rect(s, d);
            assert_eq!(l.hit(r.center().0, r.center().1), Some((s, d)));
        }
        let empty = layout(&Flows::default(), Rect::new(0.0, 0.0, 100.0, 100.0));
        assert_eq!(empty.hit(50.0, 50.0), None);
    }
}
