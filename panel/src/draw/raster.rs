//! The heatmap as an RGBA pixel buffer, written in bulk (one `putImageData` in the browser,
//! not one canvas call per cell). When rows or columns outnumber pixels, a pixel shows the
//! highest value it covers: a hot node never disappears into an average.

use super::colour::Lut;
use crate::layout::band;
use crate::model::Heatmap;

/// Fill `out` with `width × height` RGBA pixels for `rows` (indices into `heat.rows`, top
/// to bottom). Reuses `out`'s allocation across redraws.
pub fn heatmap(
    heat: &Heatmap,
    rows: &[usize],
    width: usize,
    height: usize,
    lut: &Lut,
    out: &mut Vec<u8>,
) {
    out.clear();
    out.resize(width * height * 4, 0);
    let columns = heat.times.len();
    if rows.is_empty() || columns == 0 || width == 0 {
        return;
    }
    let col_bands: Vec<(usize, usize)> = (0..width).map(|x| band(x, width, columns)).collect();
    let mut previous: Option<(usize, usize)> = None;
    let mut line = vec![0u8; width * 4];
    for y in 0..height {
        let rows_here = band(y, height, rows.len());
        // Several pixel rows showing the same data rows: copy the line already computed.
        if previous != Some(rows_here) {
            fill_line(
                heat,
                &rows[rows_here.0..rows_here.1],
                &col_bands,
                lut,
                &mut line,
            );
            previous = Some(rows_here);
        }
        out[y * width * 4..(y + 1) * width * 4].copy_from_slice(&line);
    }
}

fn fill_line(
    heat: &Heatmap,
    rows: &[usize],
    col_bands: &[(usize, usize)],
    lut: &Lut,
    line: &mut [u8],
) {
    for (x, &(c0, c1)) in col_bands.iter().enumerate() {
        let mut peak = f64::NAN;
        for &r in rows {
            for &v in &heat.rows[r].values[c0..c1] {
                // NaN-ignoring max without f64::max's extra NaN checks (wasm's f64.max
                // propagates NaN, so Rust adds them): a NaN v never compares greater.
                if v > peak || peak.is_nan() {
                    peak = v;
                }
            }
        }
        let c = lut.colour(peak);
        line[x * 4..x * 4 + 4].copy_from_slice(&[c.0, c.1, c.2, 255]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::colour::{Palette, Scale, Theme};
    use crate::model::Row;

    fn heat(values: &[&[f64]]) -> Heatmap {
        Heatmap {
            times: (0..values[0].len()).map(|i| i as f64).collect(),
            rows: values
                .iter()
                .enumerate()
                .map(|(i, v)| Row::new(format!("n{i}"), None, v.to_vec()))
                .collect(),
            unit: None,
        }
    }

    /// Viridis over 0..1, dark theme.
    fn unit_lut() -> Lut {
        Lut::new(
            Scale::Continuous(Palette::Viridis),
            0.0,
            1.0,
            &Theme::new(true),
        )
    }

    fn pixel(buf: &[u8], width: usize, x: usize, y: usize) -> [u8; 4] {
        let i = (y * width + x) * 4;
        [buf[i], buf[i + 1], buf[i + 2], buf[i + 3]]
    }

    #[test]
    fn upsampled_cells_fill_their_pixels() {
        let h = heat(&[&[0.0, 1.0], &[f64::NAN, 0.5]]);
        let lut = unit_lut();
        let mut buf = Vec::new();
        heatmap(&h, &[0, 1], 4, 4, &lut, &mut buf);
        let rgba = |v: f64| {
            let c = lut.colour(v);
            [c.0, c.1, c.2, 255]
        };
        assert_eq!(pixel(&buf, 4, 0, 0), rgba(0.0));
        assert_eq!(pixel(&buf, 4, 3, 1), rgba(1.0));
        assert_eq!(
            pixel(&buf, 4, 1, 3),
            rgba(f64::NAN),
            "no sample shows the no-data colour"
        );
        assert_eq!(pixel(&buf, 4, 2, 2), rgba(0.5));
    }

    #[test]
    fn downsampling_keeps_the_peak() {
        let mut rows: Vec<Vec<f64>> = vec![vec![0.1; 10]; 100];
        rows[57][3] = 0.9;
        let refs: Vec<&[f64]> = rows.iter().map(|r| r.as_slice()).collect();
        let h = heat(&refs);
        let lut = unit_lut();
        let mut buf = Vec::new();
        let order: Vec<usize> = (0..100).collect();
        heatmap(&h, &order, 5, 10, &lut, &mut buf);
        let hot = lut.colour(0.9);
        let hits: Vec<(usize, usize)> = (0..10)
            .flat_map(|y| (0..5).map(move |x| (x, y)))
            .filter(|&(x, y)| pixel(&buf, 5, x, y)[..3] == [hot.0, hot.1, hot.2])
            .collect();
        assert_eq!(
            hits,
            [(1, 5)],
            "row 57 of 100 → pixel row 5, column 3 of 10 → pixel 1"
        );
    }
}
