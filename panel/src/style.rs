//! The panel's CSS, in one place. It is set inline on the view's elements (the panel adds no
//! `<style>` element to Grafana's page, and Grafana's stylesheets cannot override inline
//! rules): fixed rules as constants, the ones that depend on size, theme or position as
//! functions.

use crate::draw::colour::{Rgb, Theme, BORROW, LEAK};
use crate::layout::Rect;

/// Height of the status line above the canvas, in CSS pixels.
pub const STATUS_H: f64 = 20.0;
/// Widest the tooltip grows (longer lines wrap).
pub const TOOLTIP_W: f64 = 320.0;
/// Height of the legend below the canvas.
pub const LEGEND_H: f64 = 26.0;

/// The status line: one line, cut with an ellipsis (its `title` holds the whole text).
pub const STATUS: &str =
    "height:20px;line-height:20px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis";
/// The legend strip.
pub const LEGEND: &str = "height:26px;display:flex;align-items:center;gap:8px";
/// The error state: over the whole panel, centred, in Grafana's red.
pub const ERROR: &str = "position:absolute;inset:0;display:flex;align-items:center;\
     justify-content:center;padding:16px;text-align:center;background:inherit;color:#f2495c";
/// The flow view's drill-down pane, below the matrix (which shrinks to make room) and
/// above the legend: `drill_height` of the `body` height between status line and legend.
pub fn drill(body: f64) -> String {
    format!(
        "height:{}px;overflow:auto;padding:4px 8px;box-sizing:border-box;\
         border-top:1px solid #888;font-size:12px",
        drill_height(body)
    )
}

/// The pane's height: 40 % of the room, at least 120 px when there is that much.
pub fn drill_height(body: f64) -> f64 {
    (body * 0.4).max(120.0_f64.min(body / 2.0)).round()
}
pub const DRILL_HEAD: &str = "display:flex;justify-content:space-between;align-items:center";
pub const DRILL_TABLE: &str = "width:100%;border-collapse:collapse;text-align:left";
pub const DRILL_ERROR: &str = "color:#f2495c";
/// One legend mark: its swatch, then its label.
pub const MARK: &str = "display:inline-flex;align-items:center;gap:4px";
/// The hatching of `no_affinity` and orphan blocks.
pub const SWATCH_NO_AFFINITY: &str = "width:12px;height:12px;\
     background:repeating-linear-gradient(135deg,#888 0 1px,transparent 1px 5px)";

/// The panel's box: its size and the theme's background and text colours.
pub fn root(width: f64, height: f64, theme: &Theme) -> String {
    format!(
        "position:relative;width:{width}px;height:{height}px;overflow:hidden;background:{};\
         color:{};font:12px Inter,Helvetica,Arial,sans-serif",
        theme.background.css(),
        theme.text.css()
    )
}

/// The canvas, at the size of the area between status line and legend.
pub fn canvas(body: Rect) -> String {
    format!("display:block;width:{}px;height:{}px", body.w, body.h)
}

/// The legend's colour bar: `stops` are the CSS colours of a `linear-gradient`.
pub fn legend_bar(stops: &str) -> String {
    format!("width:160px;height:10px;background:linear-gradient(to right,{stops})")
}

/// A plain square swatch of `colour` (the flow view's verdicts).
pub fn swatch(colour: Rgb) -> String {
    format!("width:10px;height:10px;background:{}", colour.css())
}

/// The swatch of nodes that borrow addresses (the tiles' outline).
pub fn swatch_borrow() -> String {
    format!("width:10px;height:10px;border:2px solid {}", BORROW.css())
}

/// The swatch of nodes with leaked addresses (the tiles' corner mark).
pub fn swatch_leak() -> String {
    format!(
        "width:0;height:0;border-left:8px solid transparent;border-top:8px solid {}",
        LEAK.css()
    )
}

/// The tooltip at (`left`, `top`) in the panel.
pub fn tooltip(left: f64, top: f64, dark: bool) -> String {
    let background = if dark { "#22252b" } else { "#ffffff" };
    format!(
        "position:absolute;left:{left}px;top:{top}px;max-width:{TOOLTIP_W}px;padding:6px 8px;\
         background:{background};border:1px solid #888;border-radius:2px;pointer-events:none;\
         white-space:pre-wrap;overflow-wrap:anywhere"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_rules_follow_the_heights() {
        assert!(STATUS.starts_with(&format!("height:{STATUS_H}px;line-height:{STATUS_H}px;")));
        assert!(LEGEND.starts_with(&format!("height:{LEGEND_H}px;")));
        assert!(ERROR.contains(";justify-content:center;") && !ERROR.contains("  "));
        assert!(SWATCH_NO_AFFINITY.contains(";background:repeating-linear-gradient("));
    }

    #[test]
    fn rules_as_the_view_sets_them() {
        assert_eq!(
            root(900.0, 500.0, &Theme::new(true)),
            "position:relative;width:900px;height:500px;overflow:hidden;\
             background:rgb(24,27,31);color:rgb(204,204,220);\
             font:12px Inter,Helvetica,Arial,sans-serif"
        );
        assert_eq!(
            canvas(Rect::new(0.0, 0.0, 450.5, 254.0)),
            "display:block;width:450.5px;height:254px"
        );
        assert_eq!(
            legend_bar("red,blue"),
            "width:160px;height:10px;background:linear-gradient(to right,red,blue)"
        );
        assert_eq!(
            swatch_borrow(),
            "width:10px;height:10px;border:2px solid rgb(255,152,48)"
        );
        assert!(swatch_leak().ends_with("border-top:8px solid rgb(242,73,92)"));
        assert_eq!(
            tooltip(10.0, 48.0, false),
            "position:absolute;left:10px;top:48px;max-width:320px;padding:6px 8px;\
             background:#ffffff;border:1px solid #888;border-radius:2px;pointer-events:none;\
             white-space:pre-wrap;overflow-wrap:anywhere"
        );
        assert!(tooltip(0.0, 0.0, true).contains(";background:#22252b;"));
    }
}
