//! Model → layout: where each pool, node, block and heatmap cell goes, in CSS pixels.
//! Pure geometry, so it is tested natively and hit-testing happens in memory.

pub mod heatmap;
pub mod topology;
pub mod treemap;

/// An axis-aligned rectangle in CSS pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect {
            x,
            y,
            w: w.max(0.0),
            h: h.max(0.0),
        }
    }

    pub fn area(&self) -> f64 {
        self.w * self.h
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x < self.x + self.w && y >= self.y && y < self.y + self.h
    }

    /// Shrunk by `d` on every side (never negative).
    pub fn inset(&self, d: f64) -> Rect {
        Rect::new(self.x + d, self.y + d, self.w - 2.0 * d, self.h - 2.0 * d)
    }

    /// The top `h` pixels and the rest.
    pub fn split_top(&self, h: f64) -> (Rect, Rect) {
        let h = h.min(self.h);
        (
            Rect::new(self.x, self.y, self.w, h),
            Rect::new(self.x, self.y + h, self.w, self.h - h),
        )
    }

    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// Pixel `i` of `pixels` covers data items `start..end` of `items` (at least one item).
/// Used both ways: many items per pixel (downsampling) and many pixels per item.
pub fn band(i: usize, pixels: usize, items: usize) -> (usize, usize) {
    if items == 0 || pixels == 0 {
        return (0, 0);
    }
    let start = i * items / pixels;
    let end = ((i + 1) * items / pixels).max(start + 1).min(items);
    (start.min(items - 1), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_every_item_once_when_downsampling() {
        for (pixels, items) in [(400, 5000), (7, 720), (3, 3)] {
            let mut next = 0;
            for i in 0..pixels {
                let (s, e) = band(i, pixels, items);
                assert_eq!(s, next, "pixels {pixels} items {items} at {i}");
                next = e;
            }
            assert_eq!(next, items);
        }
    }

    #[test]
    fn bands_repeat_items_when_upsampling() {
        let bands: Vec<_> = (0..6).map(|i| band(i, 6, 3)).collect();
        assert_eq!(bands, [(0, 1), (0, 1), (1, 2), (1, 2), (2, 3), (2, 3)]);
    }
}
