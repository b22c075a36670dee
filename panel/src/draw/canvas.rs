//! Canvas 2D calls. Tiles are batched into one path per colour (at most 256 fills for
//! 5000 nodes); the heatmap is one `putImageData` of the raster; the flow matrix a fill per
//! pair with flows.

use super::colour::{self, Lut, Rgb, Theme, BORROW, LEAK};
use super::raster;
use crate::format::{count, percent};
use crate::layout::{heatmap, matrix, topology, Rect};
use crate::model::flows::Flows;
use crate::model::{Heatmap, Topology};
use crate::summary;
use wasm_bindgen::{Clamped, JsValue};
use web_sys::{CanvasRenderingContext2d as Ctx, ImageData};

const FONT: &str = "11px Inter, Helvetica, Arial, sans-serif";

pub fn clear(ctx: &Ctx, theme: &Theme, w: f64, h: f64) {
    ctx.set_fill_style_str(&theme.background.css());
    ctx.fill_rect(0.0, 0.0, w, h);
}

fn text_colour_on(bg: Rgb) -> &'static str {
    if bg.luminance() > 0.5 {
        "#000"
    } else {
        "#fff"
    }
}

/// Text cut to fit `width` at about 6.5 px per character.
fn fit(s: &str, width: f64) -> Option<String> {
    let chars = (width / 6.5) as usize;
    if chars < 3 {
        return None;
    }
    if s.chars().count() <= chars {
        return Some(s.to_string());
    }
    Some(s.chars().take(chars - 1).chain(['…']).collect())
}

pub fn topology(ctx: &Ctx, t: &Topology, l: &topology::Layout, lut: &Lut, theme: &Theme) {
    ctx.set_font(FONT);
    ctx.set_text_baseline("middle");
    // Tiles, one path per colour.
    let mut buckets: Vec<Vec<Rect>> = vec![Vec::new(); 257];
    for n in &l.nodes {
        let node = &t.nodes[n.node];
        let b = if node.is_placeholder() {
            256
        } else {
            lut.index(node.utilization).unwrap_or(256)
        };
        buckets[b].push(n.rect);
    }
    for (i, rects) in buckets.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
        let colour = if i == 256 {
            lut.no_data
        } else {
            lut.colours[i]
        };
        ctx.set_fill_style_str(&colour.css());
        ctx.begin_path();
        for r in rects {
            ctx.rect(r.x, r.y, (r.w - 1.0).max(0.5), (r.h - 1.0).max(0.5));
        }
        ctx.fill();
    }
    hatch_unowned(ctx, t, l, theme);
    block_grid(ctx, l, theme);
    marks(ctx, t, l);
    node_labels(ctx, t, l, lut);
    pool_frames(ctx, t, l, theme);
    cluster_frames(ctx, t, l, theme);
}

/// In a fleet, each cluster's frame and header: its name, pools, nodes and its fullest pool.
fn cluster_frames(ctx: &Ctx, t: &Topology, l: &topology::Layout, theme: &Theme) {
    for c in &l.clusters {
        ctx.set_line_width(2.0);
        ctx.set_stroke_style_str(&theme.text.css());
        ctx.stroke_rect(
            c.rect.x + 1.0,
            c.rect.y + 1.0,
            c.rect.w - 2.0,
            c.rect.h - 2.0,
        );
        let Some(h) = c.header else { continue };
        if let Some(text) = fit(&summary::cluster_title(t, &c.name), h.w - 8.0) {
            ctx.set_fill_style_str(&theme.text.css());
            let _ = ctx.fill_text(&text, h.x + 4.0, h.y + h.h / 2.0);
        }
    }
}

/// `no_affinity` blocks belong to no node and `no_ippool` blocks to no pool: diagonal
/// hatching says "placeholder", not "a node at this utilization".
fn hatch_unowned(ctx: &Ctx, t: &Topology, l: &topology::Layout, theme: &Theme) {
    ctx.set_stroke_style_str(&theme.border.css());
    ctx.set_line_width(1.0);
    ctx.begin_path();
    for n in l.nodes.iter().filter(|n| t.nodes[n.node].is_placeholder()) {
        let r = n.rect;
        let mut d = 0.0;
        while d < r.w + r.h {
            let (x0, y0) = (r.x + d.min(r.w), r.y + (d - r.w).max(0.0));
            let (x1, y1) = (r.x + (d - r.h).max(0.0), r.y + d.min(r.h));
            ctx.move_to(x0, y0);
            ctx.line_to(x1, y1);
            d += 6.0;
        }
    }
    ctx.stroke();
}

fn block_grid(ctx: &Ctx, l: &topology::Layout, theme: &Theme) {
    ctx.set_stroke_style_str(&theme.background.css());
    ctx.set_line_width(1.0);
    ctx.begin_path();
    for n in &l.nodes {
        let Some((cols, rows)) = n.grid else { continue };
        let r = n.rect;
        for c in 1..cols {
            let x = (r.x + r.w * c as f64 / cols as f64).round() + 0.5;
            ctx.move_to(x, r.y);
            ctx.line_to(x, r.y + r.h - 1.0);
        }
        for k in 1..rows {
            let y = (r.y + r.h * k as f64 / rows as f64).round() + 0.5;
            ctx.move_to(r.x, y);
            ctx.line_to(r.x + r.w - 1.0, y);
        }
    }
    ctx.stroke();
}

/// Borrowers get an orange outline; leaks a red corner triangle.
fn marks(ctx: &Ctx, t: &Topology, l: &topology::Layout) {
    ctx.set_stroke_style_str(&BORROW.css());
    ctx.set_line_width(2.0);
    ctx.begin_path();
    for n in l
        .nodes
        .iter()
        .filter(|n| t.nodes[n.node].borrowed > 0.0 && !t.nodes[n.node].is_unowned())
    {
        let r = n.rect;
        ctx.rect(
            r.x + 1.0,
            r.y + 1.0,
            (r.w - 3.0).max(0.5),
            (r.h - 3.0).max(0.5),
        );
    }
    ctx.stroke();
    ctx.set_fill_style_str(&LEAK.css());
    ctx.begin_path();
    for n in l.nodes.iter().filter(|n| t.nodes[n.node].leaked > 0.0) {
        let r = n.rect;
        let s = r.w.min(r.h).min(10.0) * 0.8;
        ctx.move_to(r.x + r.w - 1.0 - s, r.y);
        ctx.line_to(r.x + r.w - 1.0, r.y);
        ctx.line_to(r.x + r.w - 1.0, r.y + s);
        ctx.close_path();
    }
    ctx.fill();
}

fn node_labels(ctx: &Ctx, t: &Topology, l: &topology::Layout, lut: &Lut) {
    for n in l
        .nodes
        .iter()
        .filter(|n| n.rect.w >= 40.0 && n.rect.h >= 14.0)
    {
        let node = &t.nodes[n.node];
        let Some(label) = fit(node.label(), n.rect.w - 6.0) else {
            continue;
        };
        let bg = if node.is_placeholder() {
            lut.no_data
        } else {
            lut.colour(node.utilization)
        };
        ctx.set_fill_style_str(text_colour_on(bg));
        let _ = ctx.fill_text(&label, n.rect.x + 3.0, n.rect.y + 8.0);
    }
}

fn pool_frames(ctx: &Ctx, t: &Topology, l: &topology::Layout, theme: &Theme) {
    for b in &l.pools {
        let pool = &t.pools[b.pool];
        ctx.set_line_width(1.0);
        if pool.is_orphan() {
            ctx.set_stroke_style_str(&LEAK.css());
            let _ = ctx.set_line_dash(&js_sys::Array::of2(
                &JsValue::from(4.0),
                &JsValue::from(3.0),
            ));
        } else {
            ctx.set_stroke_style_str(&theme.border.css());
        }
        ctx.stroke_rect(
            b.rect.x + 0.5,
            b.rect.y + 0.5,
            b.rect.w - 1.0,
            b.rect.h - 1.0,
        );
        let _ = ctx.set_line_dash(&js_sys::Array::new());
        let Some(h) = b.header else { continue };
        let title = if pool.is_orphan() {
            format!("orphan blocks (no IP pool) · {} in use", count(pool.in_use))
        } else {
            format!(
                "{} · {} · {} used · {} free",
                pool.name,
                pool.family.label(),
                percent(pool.utilization),
                count(pool.free)
            )
        };
        if let Some(text) = fit(&title, h.w - 8.0) {
            ctx.set_fill_style_str(&theme.text.css());
            let _ = ctx.fill_text(&text, h.x + 4.0, h.y + h.h / 2.0);
        }
    }
}

/// Draw the heatmap: raster into `buf` at device pixels, one `putImageData`, then labels.
pub fn heatmap(
    ctx: &Ctx,
    heat: &Heatmap,
    l: &heatmap::Layout,
    lut: &Lut,
    theme: &Theme,
    dpr: f64,
    buf: &mut Vec<u8>,
) -> Result<(), JsValue> {
    let (w, h) = (
        (l.plot.w * dpr).round() as usize,
        (l.plot.h * dpr).round() as usize,
    );
    if w == 0 || h == 0 {
        return Ok(());
    }
    raster::heatmap(heat, &l.order, w, h, lut, buf);
    let image =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(buf.as_slice()), w as u32, h as u32)?;
    ctx.put_image_data(&image, (l.plot.x * dpr).round(), (l.plot.y * dpr).round())?;
    ctx.set_font(FONT);
    ctx.set_fill_style_str(&theme.text.css());
    if l.labels {
        ctx.set_text_baseline("middle");
        let row_h = l.plot.h / l.order.len() as f64;
        for (i, &r) in l.order.iter().enumerate() {
            if let Some(name) = fit(&heat.rows[r].name, l.plot.x - 8.0) {
                let _ = ctx.fill_text(&name, 4.0, l.plot.y + row_h * (i as f64 + 0.5));
            }
        }
    }
    time_axis(ctx, heat, l);
    Ok(())
}

fn time_axis(ctx: &Ctx, heat: &Heatmap, l: &heatmap::Layout) {
    let (Some(first), Some(last)) = (heat.times.first(), heat.times.last()) else {
        return;
    };
    ctx.set_text_baseline("top");
    let y = l.plot.y + l.plot.h + 4.0;
    let ticks = ((l.plot.w / 120.0) as usize).clamp(1, 8);
    for k in 0..=ticks {
        let t = first + (last - first) * k as f64 / ticks as f64;
        let x = l.plot.x + l.plot.w * k as f64 / ticks as f64;
        let d = js_sys::Date::new(&JsValue::from(t));
        // Seconds matter on short ranges (and every tick would read the same minute).
        let label = if last - first < 600_000.0 {
            format!(
                "{:02}:{:02}:{:02}",
                d.get_hours(),
                d.get_minutes(),
                d.get_seconds()
            )
        } else {
            format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
        };
        let _ = ctx.fill_text(
            &label,
            (x - 20.0).clamp(l.plot.x, l.plot.x + l.plot.w - 46.0),
            y,
        );
    }
}

/// The flow matrix: one fill per cell with flows (a few thousand at 500 namespaces), grid
/// lines and names when the cells are big enough, and the selected cell outlined.
pub fn flows(
    ctx: &Ctx,
    f: &Flows,
    l: &matrix::Layout,
    theme: &Theme,
    selected: Option<(usize, usize)>,
) {
    let g = l.grid;
    ctx.set_fill_style_str(&theme.no_data.css());
    ctx.fill_rect(g.x, g.y, g.w, g.h);
    let max = f.max_packets();
    // At sub-pixel cells, cells are drawn at least a pixel wide so none vanishes.
    let side = l.cell.max(1.0);
    let inset = if l.cell >= 6.0 { 1.0 } else { 0.0 };
    // One path per colour (cell colours come in a few dozen steps): setting a fill style
    // parses CSS, so once per colour rather than once per cell.
    let mut by_colour: std::collections::HashMap<Rgb, Vec<Rect>> = Default::default();
    for c in &f.cells {
        let colour = colour::flow_cell(c, max, theme);
        by_colour
            .entry(colour)
            .or_default()
            .push(l.cell_rect(c.src, c.dst));
    }
    for (colour, rects) in by_colour {
        ctx.set_fill_style_str(&colour.css());
        ctx.begin_path();
        for r in rects {
            ctx.rect(r.x, r.y, side - inset, side - inset);
        }
        ctx.fill();
    }
    if l.labelled {
        ctx.set_font(FONT);
        ctx.set_text_baseline("middle");
        ctx.set_fill_style_str(&theme.text.css());
        let room = matrix::GUTTER - 6.0;
        for (i, name) in f.names.iter().enumerate() {
            let Some(text) = fit(name, room) else {
                continue;
            };
            let mid = l.cell * (i as f64 + 0.5);
            ctx.set_text_align("right");
            let _ = ctx.fill_text(&text, g.x - 4.0, g.y + mid);
            // Destinations on top, written upwards.
            ctx.save();
            let _ = ctx.translate(g.x + mid, g.y - 4.0);
            let _ = ctx.rotate(-std::f64::consts::FRAC_PI_2);
            ctx.set_text_align("left");
            let _ = ctx.fill_text(&text, 0.0, 0.0);
            ctx.restore();
        }
        ctx.set_text_align("left");
    }
    if let Some((s, d)) = selected {
        let r = l.cell_rect(s, d);
        ctx.set_stroke_style_str(&theme.text.css());
        ctx.set_line_width(2.0);
        ctx.stroke_rect(r.x - 1.0, r.y - 1.0, side + 1.0, side + 1.0);
    }
}
