//! The leptos view: a status line (summary, warning or error), the canvas, the legend and a
//! tooltip. Inputs are signals that `handle.rs` sets, so new data, size, options or theme
//! redraw the running view without remounting it.

use crate::draw::canvas;
use crate::draw::colour::{Lut, Scale, Theme, BORROW, LEAK};
use crate::format::{count, percent, value};
use crate::layout::topology::{Hit, HEADER};
use crate::layout::{heatmap, topology, Rect};
use crate::model::{Heatmap, Model, Topology};
use crate::options::Options;
use crate::summary::{family_label, sentence};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::CanvasRenderingContext2d;

const STATUS_H: f64 = 20.0;
const LEGEND_H: f64 = 26.0;

/// What the view reads; `None` model means loading.
#[derive(Clone, Copy)]
pub struct State {
    pub model: RwSignal<Option<Result<Model, String>>>,
    pub size: RwSignal<(f64, f64)>,
    pub options: RwSignal<Options>,
    pub dark: RwSignal<bool>,
    /// The last drawn layout, for hover, click and the test hooks' `locate`.
    pub drawn: StoredValue<Option<Drawn>>,
    /// Draws so far, for the browser tests (feature `test-hooks` only).
    #[cfg(feature = "test-hooks")]
    pub draws: StoredValue<u64>,
}

impl State {
    pub fn new() -> State {
        State {
            model: RwSignal::new(None),
            size: RwSignal::new((0.0, 0.0)),
            options: RwSignal::new(Options::default()),
            dark: RwSignal::new(true),
            drawn: StoredValue::new(None),
            #[cfg(feature = "test-hooks")]
            draws: StoredValue::new(0),
        }
    }

    pub fn lut(&self, model: Option<&Model>) -> Lut {
        let o = self.options.get_untracked();
        let (min, max) = domain(model, &o);
        Lut::new(o.scale, min, max, &Theme::new(self.dark.get_untracked()))
    }
}

#[derive(Clone, Debug)]
pub enum Drawn {
    Topology(topology::Layout),
    Heatmap(heatmap::Layout),
}

struct Tooltip {
    x: f64,
    y: f64,
    lines: Vec<String>,
}

/// Colour domain: options first, then the unit (utilization is 0..1), then the data.
fn domain(model: Option<&Model>, o: &Options) -> (f64, f64) {
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
    (o.min.unwrap_or(data.0), o.max.unwrap_or(data.1))
}

pub fn panel(state: State, on_filter: js_sys::Function) -> impl IntoView {
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let tooltip = RwSignal::new(None::<Tooltip>);
    let raster = StoredValue::new(Vec::<u8>::new());
    let body = move || {
        let (w, h) = state.size.get();
        Rect::new(0.0, 0.0, w, h - STATUS_H - LEGEND_H)
    };

    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let bounds = body();
        let options = state.options.get();
        let dark = state.dark.get();
        state.model.with(|m| {
            let dpr = web_sys::window()
                .map_or(1.0, |w| w.device_pixel_ratio())
                .max(1.0);
            canvas.set_width((bounds.w * dpr).round() as u32);
            canvas.set_height((bounds.h * dpr).round() as u32);
            let Ok(Some(ctx)) = canvas.get_context("2d") else {
                return;
            };
            let ctx: CanvasRenderingContext2d = ctx.unchecked_into();
            let _ = ctx.scale(dpr, dpr);
            let theme = Theme::new(dark);
            canvas::clear(&ctx, &theme, bounds.w, bounds.h);
            let Some(Ok(model)) = m else {
                state.drawn.set_value(None);
                return;
            };
            let lut = state.lut(Some(model));
            let drawn = match model {
                Model::Topology(t) => {
                    let l = topology::layout(t, bounds, &|p| shown(&options, t, p));
                    canvas::topology(&ctx, t, &l, &lut, &theme);
                    Drawn::Topology(l)
                }
                Model::Heatmap(h) => {
                    let l = heatmap::layout(h, bounds, options.sort, options.max_cells);
                    raster.update_value(|buf| {
                        let _ = canvas::heatmap(&ctx, h, &l, &lut, &theme, dpr, buf);
                    });
                    Drawn::Heatmap(l)
                }
            };
            state.drawn.set_value(Some(drawn));
        });
        #[cfg(feature = "test-hooks")]
        state.draws.update_value(|n| *n += 1);
    });

    let on_move = move |ev: web_sys::MouseEvent| {
        let (x, y, lines) = at_pointer(&state, &ev, describe);
        tooltip.set(lines.map(|lines| Tooltip { x, y, lines }));
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let (_, _, target) = at_pointer(&state, &ev, click_target);
        let var = state.options.with_untracked(|o| o.filter_variable.clone());
        if let Some((is_pool, name)) = target {
            let var = if is_pool { "pool".to_string() } else { var };
            if !var.is_empty() {
                let _ = on_filter.call2(
                    &JsValue::NULL,
                    &JsValue::from_str(&var),
                    &JsValue::from_str(&name),
                );
            }
        }
    };

    let theme = move || Theme::new(state.dark.get());
    let error = move || {
        state.model.with(|m| match m {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        })
    };
    let status = move || {
        state.model.with(|m| match m {
            None => "Loading…".to_string(),
            Some(Err(_)) => String::new(),
            Some(Ok(Model::Topology(t))) => {
                // The layout draws at most MAX_NODES tiles (the largest).
                let dropped = t.nodes.len().saturating_sub(topology::MAX_NODES);
                let capped = (dropped > 0).then_some(dropped);
                let text = state.options.with(|o| sentence(t, &o.pools));
                match capped {
                    Some(n) => format!(
                        "⚠ {} smallest nodes not drawn (over {}). {text}",
                        count(n as f64),
                        count(topology::MAX_NODES as f64)
                    ),
                    None => text,
                }
            }
            Some(Ok(Model::Heatmap(h))) => heatmap_status(h, &state.options.get()),
        })
    };
    view! {
        <div
            class="calicoscope"
            style=move || {
                let (w, h) = state.size.get();
                let t = theme();
                format!(
                    "position:relative;width:{w}px;height:{h}px;overflow:hidden;background:{};color:{};\
                     font:12px Inter,Helvetica,Arial,sans-serif",
                    t.background.css(),
                    t.text.css()
                )
            }
        >
            <div class="cs-status" style=format!("height:{STATUS_H}px;line-height:{STATUS_H}px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis") title=status>
                {status}
            </div>
            <canvas
                node_ref=canvas_ref
                style=move || {
                    let b = body();
                    format!("display:block;width:{}px;height:{}px", b.w, b.h)
                }
                on:mousemove=on_move
                on:mouseleave=move |_| tooltip.set(None)
                on:click=on_click
            ></canvas>
            <div class="cs-legend" style=format!("height:{LEGEND_H}px;display:flex;align-items:center;gap:8px")>
                {move || legend(&state)}
            </div>
            <Show when=move || error().is_some()>
                <div
                    class="cs-error"
                    role="alert"
                    style="position:absolute;inset:0;display:flex;align-items:center;justify-content:center;\
                           padding:16px;text-align:center;background:inherit;color:#f2495c"
                >
                    {move || error().unwrap_or_default()}
                </div>
            </Show>
            {move || {
                tooltip.with(|t| t.as_ref().map(|t| {
                    let (w, _) = state.size.get_untracked();
                    let left = (t.x + 14.0).min(w - 230.0).max(0.0);
                    let top = t.y + STATUS_H + 14.0;
                    let bg = if theme().dark { "#22252b" } else { "#ffffff" };
                    view! {
                        <div
                            class="cs-tooltip"
                            style=format!(
                                "position:absolute;left:{left}px;top:{top}px;max-width:220px;padding:6px 8px;\
                                 background:{bg};border:1px solid #888;border-radius:2px;pointer-events:none;\
                                 white-space:pre"
                            )
                        >
                            {t.lines.join("\n")}
                        </div>
                    }
                }))
            }}
        </div>
    }
}

/// What `f` finds in the drawn layout under the pointer, with the pointer's position.
fn at_pointer<T>(
    state: &State,
    ev: &web_sys::MouseEvent,
    f: fn(&Model, Option<&Drawn>, f64, f64) -> Option<T>,
) -> (f64, f64, Option<T>) {
    let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
    let found = state.model.with_untracked(|m| match m {
        Some(Ok(model)) => state.drawn.with_value(|d| f(model, d.as_ref(), x, y)),
        _ => None,
    });
    (x, y, found)
}

/// Pools the options select (all when the list is empty).
fn shown(o: &Options, t: &Topology, p: usize) -> bool {
    o.pools.is_empty() || o.pools.iter().any(|s| *s == t.pools[p].name)
}

fn heatmap_status(h: &Heatmap, o: &Options) -> String {
    let l = heatmap::layout(h, Rect::new(0.0, 0.0, 1.0, 1.0), o.sort, o.max_cells);
    if l.dropped > 0 {
        format!(
            "⚠ Showing {} of {} rows: {} cells is over the cap of {}. Raise \"Max cells\" or filter the query.",
            count(l.order.len() as f64),
            count(h.rows.len() as f64),
            count((h.rows.len() * h.times.len()) as f64),
            count(o.max_cells as f64)
        )
    } else {
        format!(
            "{} rows × {} time buckets",
            count(h.rows.len() as f64),
            count(h.times.len() as f64)
        )
    }
}

fn legend(state: &State) -> impl IntoView {
    let model = state.model.read();
    let Some(Ok(m)) = model.as_ref() else {
        return None;
    };
    let lut = state.lut(Some(m));
    let stops: Vec<String> = (0..=8).map(|i| lut.colours[i * 255 / 8].css()).collect();
    let gradient = match state.options.get().scale {
        Scale::Thresholds { .. } => {
            let stops: Vec<String> = (0..256).step_by(8).map(|i| lut.colours[i].css()).collect();
            stops.join(",")
        }
        Scale::Continuous(_) => stops.join(","),
    };
    let unit = match m {
        Model::Topology(_) => Some("percentunit"),
        Model::Heatmap(h) => h.unit.as_deref(),
    };
    let (lo, hi) = (value(lut.min, unit), value(lut.max, unit));
    let extras = matches!(m, Model::Topology(_)).then(|| {
        let swatch = |style: String, label: &'static str| {
            view! {
                <span style="display:inline-flex;align-items:center;gap:4px">
                    <span style=style></span>
                    {label}
                </span>
            }
        };
        view! {
            {swatch(format!("width:10px;height:10px;border:2px solid {}", BORROW.css()), "borrows")}
            {swatch(format!("width:0;height:0;border-left:8px solid transparent;border-top:8px solid {}", LEAK.css()), "leaks")}
            {swatch("width:12px;height:12px;background:repeating-linear-gradient(135deg,#888 0 1px,transparent 1px 5px)".into(), "no affinity")}
        }
    });
    Some(view! {
        <span class="cs-legend-min">{lo}</span>
        <span
            class="cs-legend-bar"
            style=format!("width:160px;height:10px;background:linear-gradient(to right,{gradient})")
        ></span>
        <span class="cs-legend-max">{hi}</span>
        {extras}
    })
}

fn describe(model: &Model, drawn: Option<&Drawn>, x: f64, y: f64) -> Option<Vec<String>> {
    match (model, drawn?) {
        (Model::Topology(t), Drawn::Topology(l)) => match l.hit(x, y)? {
            Hit::Node(n) => {
                let n = &t.nodes[n];
                Some(vec![
                    format!("{} · {}", n.description(), n.pool),
                    in_use_line(n.in_use, n.capacity, n.utilization),
                    format!("blocks {}", count(n.blocks)),
                    format!("borrowed {}", count(n.borrowed)),
                    format!("leaked {}", count(n.leaked)),
                ])
            }
            Hit::Pool(p) => {
                let p = &t.pools[p];
                let mut lines = vec![
                    format!("{} ({})", p.name, family_label(p.family)),
                    // Utilization is of the assignable addresses: reserved ones never count.
                    in_use_line(p.in_use, p.size - p.reserved, p.utilization),
                    format!("free {}", count(p.free)),
                    format!("blocks {}", count(p.blocks)),
                    format!(
                        "borrowed {} · leaked {}",
                        count(p.borrowed),
                        count(p.leaked)
                    ),
                ];
                if p.reserved > 0.0 {
                    lines.push(format!("reserved {} (IPReservations)", count(p.reserved)));
                }
                if let Some(d) = p.days_to_full {
                    lines.push(format!("full in about {d:.0} days"));
                }
                Some(lines)
            }
        },
        (Model::Heatmap(h), Drawn::Heatmap(l)) => {
            let (r, c) = l.hit(h, x, y)?;
            let row = &h.rows[r];
            let d = js_sys::Date::new(&JsValue::from(h.times[c]));
            Some(vec![
                row.name.clone(),
                format!(
                    "{:02}:{:02}:{:02}",
                    d.get_hours(),
                    d.get_minutes(),
                    d.get_seconds()
                ),
                value(row.values[c], h.unit.as_deref()),
            ])
        }
        _ => None,
    }
}

/// "in use 37 of 64 (58%)".
fn in_use_line(in_use: f64, of: f64, ratio: f64) -> String {
    format!(
        "in use {} of {} ({})",
        count(in_use),
        count(of),
        percent(ratio)
    )
}

/// (is a pool, name) under the pointer, for the click filter.
fn click_target(model: &Model, drawn: Option<&Drawn>, x: f64, y: f64) -> Option<(bool, String)> {
    match (model, drawn?) {
        (Model::Topology(t), Drawn::Topology(l)) => match l.hit(x, y)? {
            Hit::Node(n) if t.nodes[n].is_real_node() => Some((false, t.nodes[n].node.clone())),
            Hit::Pool(p) if y - l.pools.iter().find(|b| b.pool == p)?.rect.y <= HEADER => {
                Some((true, t.pools[p].name.clone()))
            }
            _ => None,
        },
        (Model::Heatmap(h), Drawn::Heatmap(l)) => {
            l.hit(h, x, y).map(|(r, _)| (false, h.rows[r].name.clone()))
        }
        _ => None,
    }
}
