//! Colour scales (perceptual palettes or threshold steps), the 256-entry lookup table the
//! raster writes from, the colour domain of a model, and the light/dark theme colours
//! (Grafana's own).

use crate::model::flows::{Cell, Verdict};
use crate::model::Model;
use crate::options::Options;

/// A colour, 8 bits per channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn css(self) -> String {
        format!("rgb({},{},{})", self.0, self.1, self.2)
    }

    fn hex(s: &str) -> Rgb {
        let v = u32::from_str_radix(s.trim_start_matches('#'), 16).unwrap_or(0);
        Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
    }

    pub fn mix(self, other: Rgb, t: f64) -> Rgb {
        let m = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }

    /// Relative luminance (sRGB, approximate): picks black or white text on a tile.
    pub fn luminance(self) -> f64 {
        (0.2126 * self.0 as f64 + 0.7152 * self.1 as f64 + 0.0722 * self.2 as f64) / 255.0
    }
}

/// Perceptually uniform palettes (matplotlib's), as nine evenly spaced stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Palette {
    #[default]
    Viridis,
    Magma,
    Cividis,
}

impl Palette {
    pub fn parse(s: &str) -> Palette {
        match s {
            "magma" => Palette::Magma,
            "cividis" => Palette::Cividis,
            _ => Palette::Viridis,
        }
    }

    fn stops(self) -> [&'static str; 9] {
        match self {
            Palette::Viridis => [
                "#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962",
                "#addc30", "#fde725",
            ],
            Palette::Magma => [
                "#000004", "#1c1044", "#4f127b", "#812581", "#b5367a", "#e55064", "#fb8761",
                "#fec287", "#fcfdbf",
            ],
            Palette::Cividis => [
                "#00204d", "#123570", "#3b496c", "#575d6d", "#707173", "#8a8779", "#a69d75",
                "#c4b56c", "#fee838",
            ],
        }
    }
}

/// How values become colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// A palette across the domain.
    Continuous(Palette),
    /// Green below `warn`, yellow up to `critical`, red above (values in the domain's units).
    Thresholds { warn: f64, critical: f64 },
}

/// Grafana's classic status colours, as its threshold steps use them.
const GREEN: &str = "#73bf69";
const YELLOW: &str = "#fade2a";
const RED: &str = "#f2495c";
/// Borrowed addresses (an outline) and leaks (a corner mark).
pub const BORROW: Rgb = Rgb(0xff, 0x98, 0x30);
pub const LEAK: Rgb = Rgb(0xf2, 0x49, 0x5c);

/// The flow view's verdict colours (Grafana's green, purple, orange, red and blue).
pub fn verdict(v: Verdict) -> Rgb {
    match v {
        Verdict::Allowed => Rgb::hex(GREEN),
        Verdict::StagedDeny => Rgb::hex("#b877d9"),
        Verdict::Mixed => BORROW,
        Verdict::Denied => Rgb::hex(RED),
        Verdict::Passed => Rgb::hex("#5794f2"),
    }
}

/// Steps of a flow cell's strength.
const STRENGTHS: f64 = 16.0;
/// Faintest a cell with flows is drawn (share of its verdict colour over the background).
pub const FAINTEST: f64 = 0.35;

/// A flow cell's colour: its verdict's, stronger with more packets (on a log scale up to the
/// busiest cell's `max` packets), so quiet pairs stay visible.
pub fn flow_cell(c: &Cell, max: f64, theme: &Theme) -> Rgb {
    let share = match max > 0.0 {
        true => (1.0 + c.packets()).ln() / (1.0 + max).ln(),
        false => 1.0,
    };
    // In STRENGTHS steps: the eye does not tell finer ones apart, and the canvas draws one
    // path per colour.
    let step = (share.clamp(0.0, 1.0) * STRENGTHS).round() / STRENGTHS;
    theme
        .background
        .mix(verdict(c.verdict()), FAINTEST + (1.0 - FAINTEST) * step)
}

/// 256 colours over `[min, max]`; NaN maps to the theme's no-data colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Lut {
    pub min: f64,
    pub max: f64,
    pub colours: Vec<Rgb>,
    pub no_data: Rgb,
}

impl Lut {
    pub fn new(scale: Scale, min: f64, max: f64, theme: &Theme) -> Lut {
        let (min, max) = if min.is_finite() && max.is_finite() && max > min {
            (min, max)
        } else {
            (0.0, 1.0)
        };
        let colours = (0..256)
            .map(|i| {
                let t = i as f64 / 255.0;
                match scale {
                    Scale::Continuous(p) => {
                        let stops = p.stops();
                        let x = t * (stops.len() - 1) as f64;
                        let k = (x.floor() as usize).min(stops.len() - 2);
                        Rgb::hex(stops[k]).mix(Rgb::hex(stops[k + 1]), x - k as f64)
                    }
                    Scale::Thresholds { warn, critical } => {
                        let v = min + t * (max - min);
                        Rgb::hex(if v >= critical {
                            RED
                        } else if v >= warn {
                            YELLOW
                        } else {
                            GREEN
                        })
                    }
                }
            })
            .collect();
        Lut {
            min,
            max,
            colours,
            no_data: theme.no_data,
        }
    }

    pub fn index(&self, v: f64) -> Option<usize> {
        if v.is_nan() {
            return None;
        }
        let t = ((v - self.min) / (self.max - self.min)).clamp(0.0, 1.0);
        Some((t * 255.0).round() as usize)
    }

    pub fn colour(&self, v: f64) -> Rgb {
        self.index(v).map_or(self.no_data, |i| self.colours[i])
    }
}

/// The colour domain: the options' min and max first, then the unit (utilization is 0..1,
/// `percent` 0..100), then the finite values of the data.
pub fn domain(model: Option<&Model>, options: &Options) -> (f64, f64) {
    let data = match model {
        Some(Model::Heatmap(h)) if h.unit.as_deref() == Some("percent") => (0.0, 100.0),
        Some(Model::Heatmap(h)) if h.unit.as_deref() != Some("percentunit") => {
            let finite = h
                .rows
                .iter()
                .flat_map(|r| r.values.iter().copied())
                .filter(|v| v.is_finite());
            finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            })
        }
        _ => (0.0, 1.0),
    };
    (options.min.unwrap_or(data.0), options.max.unwrap_or(data.1))
}

/// The lookup table the panel colours `model` with: the options' scale over [`domain`].
pub fn lut(model: Option<&Model>, options: &Options, dark: bool) -> Lut {
    let (min, max) = domain(model, options);
    Lut::new(options.scale, min, max, &Theme::new(dark))
}

/// Panel colours for Grafana's light or dark theme.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub dark: bool,
    pub background: Rgb,
    pub text: Rgb,
    pub border: Rgb,
    pub no_data: Rgb,
}

impl Theme {
    /// Grafana 10+ `colors.background.primary`, `text.primary`, `border.medium`.
    pub fn new(dark: bool) -> Theme {
        if dark {
            Theme {
                dark,
                background: Rgb::hex("#181b1f"),
                text: Rgb::hex("#ccccdc"),
                border: Rgb::hex("#3d4049"),
                no_data: Rgb::hex("#2c3037"),
            }
        } else {
            Theme {
                dark,
                background: Rgb::hex("#ffffff"),
                text: Rgb::hex("#24292e"),
                border: Rgb::hex("#c7d0d9"),
                no_data: Rgb::hex("#eef0f3"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_cells_take_their_verdicts_colour_stronger_with_packets() {
        let theme = Theme::new(true);
        let cell = |allowed: f64, denied: f64| Cell {
            allowed,
            denied,
            ..Cell::default()
        };
        let busiest = cell(1e6, 0.0);
        assert_eq!(flow_cell(&busiest, 1e6, &theme), verdict(Verdict::Allowed));
        let quiet = flow_cell(&cell(10.0, 0.0), 1e6, &theme);
        assert_ne!(quiet, verdict(Verdict::Allowed));
        assert_ne!(quiet, theme.background, "a quiet pair is still visible");
        assert_eq!(
            flow_cell(&cell(0.0, 5.0), 5.0, &theme),
            verdict(Verdict::Denied)
        );
        assert_eq!(
            flow_cell(&cell(5.0, 5.0), 10.0, &theme),
            verdict(Verdict::Mixed)
        );
    }

    #[test]
    fn lut_ends_match_the_palette_and_clamps() {
        let lut = Lut::new(
            Scale::Continuous(Palette::Viridis),
            0.0,
            1.0,
            &Theme::new(true),
        );
        assert_eq!(lut.colour(0.0), Rgb::hex("#440154"));
        assert_eq!(lut.colour(1.0), Rgb::hex("#fde725"));
        assert_eq!(lut.colour(7.0), lut.colour(1.0));
        assert_eq!(lut.colour(f64::NAN), Theme::new(true).no_data);
        // Perceptual: luminance rises monotonically along viridis.
        let l: Vec<f64> = lut.colours.iter().map(|c| c.luminance()).collect();
        assert!(l.windows(2).all(|w| w[1] >= w[0] - 0.01));
    }

    #[test]
    fn thresholds_step_at_warn_and_critical() {
        let lut = Lut::new(
            Scale::Thresholds {
                warn: 0.8,
                critical: 0.95,
            },
            0.0,
            1.0,
            &Theme::new(false),
        );
        assert_eq!(lut.colour(0.5), Rgb::hex(GREEN));
        assert_eq!(lut.colour(0.85), Rgb::hex(YELLOW));
        assert_eq!(lut.colour(0.99), Rgb::hex(RED));
    }

    #[test]
    fn domain_from_options_then_unit_then_data() {
        use crate::layout::fixtures::{heatmap, topology};
        use crate::model::Model;
        let o = Options::default();
        assert_eq!(domain(None, &o), (0.0, 1.0));
        assert_eq!(domain(Some(&topology()), &o), (0.0, 1.0));
        assert_eq!(
            domain(Some(&heatmap(3, 2, Some("percentunit"))), &o),
            (0.0, 1.0)
        );
        assert_eq!(
            domain(Some(&heatmap(3, 2, Some("percent"))), &o),
            (0.0, 100.0)
        );
        // Any other unit: the data's finite range (rows hold 0, 1/4, 2/4, 3/4; NaN ignored).
        let Model::Heatmap(mut h) = heatmap(4, 2, Some("short")) else {
            unreachable!()
        };
        h.rows[0].values[1] = f64::NAN;
        h.rows[3].values[0] = f64::INFINITY;
        let h = Model::Heatmap(h);
        assert_eq!(domain(Some(&h), &o), (0.0, 0.75));
        let set = Options {
            min: Some(-1.0),
            max: Some(2.0),
            ..Options::default()
        };
        assert_eq!(domain(Some(&h), &set), (-1.0, 2.0));
        assert_eq!(domain(Some(&topology()), &set), (-1.0, 2.0));
        // The lookup table spans the domain; the theme gives its no-data colour.
        let l = lut(Some(&h), &set, false);
        assert_eq!(
            (l.min, l.max, l.no_data),
            (-1.0, 2.0, Theme::new(false).no_data)
        );
        assert_eq!(l.colour(-1.0), Rgb::hex("#440154"));
    }

    #[test]
    fn degenerate_domain_falls_back_to_unit() {
        let lut = Lut::new(
            Scale::Continuous(Palette::Magma),
            3.0,
            3.0,
            &Theme::new(true),
        );
        assert_eq!((lut.min, lut.max), (0.0, 1.0));
    }
}
