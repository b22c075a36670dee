//! The legend below the canvas: the colour scale from its minimum to its maximum (in the
//! model's unit), and for the topology the marks drawn on tiles.

use crate::draw::colour::{self, Lut, Scale, Theme};
use crate::format::value;
use crate::model::flows::Verdict;
use crate::model::Model;
use crate::style;

/// What the legend shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Legend {
    /// The scale's minimum and maximum, formatted in the model's unit.
    pub min: String,
    pub max: String,
    /// The colour bar's CSS `linear-gradient` stops.
    pub gradient: String,
    /// The topology's marks (none for the heatmap).
    pub marks: Vec<Mark>,
}

/// A mark drawn on topology tiles: its swatch (CSS) and what it means.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub swatch: String,
    pub label: &'static str,
}

/// The legend for `model` coloured by `lut` on `scale` (the flow view's by verdict, on the
/// `dark` or light theme).
pub fn legend(model: &Model, lut: &Lut, scale: Scale, dark: bool) -> Legend {
    if let Model::Flows(_) = model {
        return flows(Theme::new(dark));
    }
    let stops: Vec<String> = match scale {
        // Threshold steps are sharp: 32 stops keep each step's edge in place.
        Scale::Thresholds { .. } => (0..256).step_by(8).map(|i| lut.colours[i].css()).collect(),
        // A palette is smooth: its nine stops.
        Scale::Continuous(_) => (0..=8).map(|i| lut.colours[i * 255 / 8].css()).collect(),
    };
    let unit = match model {
        Model::Topology(_) => Some("percentunit"),
        Model::Heatmap(h) => h.unit.as_deref(),
        Model::Flows(_) => None,
    };
    let marks = match model {
        Model::Topology(_) => vec![
            Mark {
                swatch: style::swatch_borrow(),
                label: "borrows",
            },
            Mark {
                swatch: style::swatch_leak(),
                label: "leaks",
            },
            Mark {
                swatch: style::SWATCH_NO_AFFINITY.into(),
                label: "no affinity",
            },
        ],
        Model::Heatmap(_) | Model::Flows(_) => Vec::new(),
    };
    Legend {
        min: value(lut.min, unit),
        max: value(lut.max, unit),
        gradient: stops.join(","),
        marks,
    }
}

/// The flow view's legend: a cell's strength (fewer to more packets, in the allowed colour)
/// and one swatch per verdict.
fn flows(theme: Theme) -> Legend {
    let full = colour::verdict(Verdict::Allowed);
    let stops = [colour::FAINTEST, 1.0].map(|t| theme.background.mix(full, t).css());
    Legend {
        min: "fewer packets".into(),
        max: "more".into(),
        gradient: stops.join(","),
        marks: Verdict::ALL
            .iter()
            .map(|v| Mark {
                swatch: style::swatch(colour::verdict(*v)),
                label: v.label(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::colour::{lut, Palette};
    use crate::layout::fixtures::{heatmap, topology};
    use crate::options::Options;

    #[test]
    fn topology_legend_in_percent_with_its_marks() {
        let model = topology();
        let o = Options::default();
        let l = legend(&model, &lut(Some(&model), &o, true), o.scale, true);
        assert_eq!((l.min.as_str(), l.max.as_str()), ("0%", "100%"));
        let stops: Vec<&str> = l.gradient.split("),").collect();
        assert_eq!(stops.len(), 9, "nine palette stops: {}", l.gradient);
        assert!(
            l.gradient.starts_with("rgb(68,1,84),"),
            "viridis starts dark purple"
        );
        assert!(l.gradient.ends_with("rgb(253,231,37)"), "and ends yellow");
        let labels: Vec<_> = l.marks.iter().map(|m| m.label).collect();
        assert_eq!(labels, ["borrows", "leaks", "no affinity"]);
        assert_eq!(l.marks[0].swatch, style::swatch_borrow());
    }

    #[test]
    fn heatmap_legend_in_its_unit_without_marks() {
        let model = heatmap(4, 2, Some("percent"));
        let o = Options::default();
        let l = legend(&model, &lut(Some(&model), &o, false), o.scale, true);
        assert_eq!((l.min.as_str(), l.max.as_str()), ("0.0%", "100.0%"));
        assert!(l.marks.is_empty());
        let magma = Options {
            scale: Scale::Continuous(Palette::Magma),
            min: Some(0.0),
            max: Some(2.0),
            ..Options::default()
        };
        let model = heatmap(4, 2, Some("s"));
        let l = legend(
            &model,
            &lut(Some(&model), &magma, false),
            magma.scale,
            false,
        );
        assert_eq!((l.min.as_str(), l.max.as_str()), ("0 ms", "2.00 s"));
        assert!(l.gradient.starts_with("rgb(0,0,4),"), "{}", l.gradient);
    }

    #[test]
    fn thresholds_show_their_steps() {
        let o = Options {
            scale: Scale::Thresholds {
                warn: 0.5,
                critical: 0.75,
            },
            ..Options::default()
        };
        let model = topology();
        let l = legend(&model, &lut(Some(&model), &o, true), o.scale, true);
        let stops: Vec<&str> = l.gradient.split("),").collect();
        assert_eq!(stops.len(), 32);
        let green = "rgb(115,191,105";
        let yellow = "rgb(250,222,42";
        let red = "rgb(242,73,92";
        assert_eq!(stops[..16], [green; 16], "below warn");
        assert_eq!(stops[16..24], [yellow; 8], "from warn to critical");
        assert_eq!(stops[24..31], [red; 7], "from critical");
    }
}
