//! The leptos view: a status line (summary, warning or error), the canvas, the legend and a
//! tooltip. Inputs are signals that `handle.rs` sets, so new data, size, options or theme
//! redraw the running view without remounting it. What it shows is computed by plain-Rust
//! modules, tested natively: the layout ([`Drawn`], once per change, shared by the drawing,
//! the status line, hover and click), [`status`], [`legend`], [`tooltip`], [`click`],
//! [`style`] and the colour domain ([`colour::lut`]).

use crate::draw::canvas;
use crate::draw::colour::{self, Lut, Theme};
use crate::layout::{Drawn, Rect};
use crate::model::Model;
use crate::options::Options;
use crate::style::{self, LEGEND_H, STATUS_H};
use crate::{click, legend, status, tooltip};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::CanvasRenderingContext2d;

/// What the view reads; `None` model means loading.
#[derive(Clone, Copy)]
pub struct State {
    pub model: RwSignal<Option<Result<Model, String>>>,
    pub size: RwSignal<(f64, f64)>,
    pub options: RwSignal<Options>,
    pub dark: RwSignal<bool>,
    /// The layout of the model in the canvas area, for the drawing, the status line, hover,
    /// click and the test hooks' `locate`.
    pub drawn: Memo<Option<Drawn>>,
    /// Draws so far, for the browser tests (feature `test-hooks` only).
    #[cfg(feature = "test-hooks")]
    pub draws: StoredValue<u64>,
}

impl State {
    pub fn new() -> State {
        let model = RwSignal::new(None::<Result<Model, String>>);
        let size = RwSignal::new((0.0, 0.0));
        let options = RwSignal::new(Options::default());
        // Recomputed when the model, the size or the options change, and always passed on
        // (comparing two layouts of 20,000 nodes would cost more than it saves).
        let drawn = Memo::new_with_compare(
            move |_| {
                let bounds = body(size.get());
                model.with(|m| match m {
                    Some(Ok(model)) => options.with(|o| Some(Drawn::new(model, bounds, o))),
                    _ => None,
                })
            },
            |_, _| true,
        );
        State {
            model,
            size,
            options,
            dark: RwSignal::new(true),
            drawn,
            #[cfg(feature = "test-hooks")]
            draws: StoredValue::new(0),
        }
    }

    /// The colours `model` is drawn with (options and theme read untracked).
    pub fn lut(&self, model: Option<&Model>) -> Lut {
        let dark = self.dark.get_untracked();
        self.options.with_untracked(|o| colour::lut(model, o, dark))
    }
}

/// The canvas area of a panel `(width, height)`: between the status line and the legend.
fn body((w, h): (f64, f64)) -> Rect {
    Rect::new(0.0, 0.0, w, h - STATUS_H - LEGEND_H)
}

struct Tooltip {
    x: f64,
    y: f64,
    lines: Vec<String>,
}

pub fn panel(state: State, on_filter: js_sys::Function) -> impl IntoView {
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let tooltip = RwSignal::new(None::<Tooltip>);
    let raster = StoredValue::new(Vec::<u8>::new());
    let canvas_area = move || body(state.size.get());

    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let bounds = canvas_area();
        let dark = state.dark.get();
        // The layout tracks what it depends on; the colours also follow the options.
        state.options.track();
        state.model.with(|m| {
            state.drawn.with(|d| {
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
                let (Some(Ok(model)), Some(drawn)) = (m, d) else {
                    return;
                };
                let lut = state.lut(Some(model));
                match (model, drawn) {
                    (Model::Topology(t), Drawn::Topology(l)) => {
                        canvas::topology(&ctx, t, l, &lut, &theme)
                    }
                    (Model::Heatmap(h), Drawn::Heatmap(l)) => raster.update_value(|buf| {
                        let _ = canvas::heatmap(&ctx, h, l, &lut, &theme, dpr, buf);
                    }),
                    _ => {}
                }
            })
        });
        #[cfg(feature = "test-hooks")]
        state.draws.update_value(|n| *n += 1);
    });

    let on_move = move |ev: web_sys::MouseEvent| {
        let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
        let lines = at_pointer(&state, |m, d| tooltip::lines(m, d, x, y, &local_clock));
        tooltip.set(lines.map(|lines| Tooltip { x, y, lines }));
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
        let var = state.options.with_untracked(|o| o.filter_variable.clone());
        if let Some((var, value)) = at_pointer(&state, |m, d| click::filter(m, d, x, y, &var)) {
            let _ = on_filter.call2(
                &JsValue::NULL,
                &JsValue::from_str(&var),
                &JsValue::from_str(&value),
            );
        }
    };

    let error = move || {
        state.model.with(|m| match m {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        })
    };
    let status = move || {
        state.model.with(|m| {
            state.drawn.with(|d| {
                state
                    .options
                    .with(|o| status::line(m.as_ref(), d.as_ref(), o))
            })
        })
    };
    view! {
        <div
            class="calicoscope"
            style=move || {
                let (w, h) = state.size.get();
                style::root(w, h, &Theme::new(state.dark.get()))
            }
        >
            <div class="cs-status" style=style::STATUS title=status>
                {status}
            </div>
            <canvas
                node_ref=canvas_ref
                style=move || style::canvas(canvas_area())
                on:mousemove=on_move
                on:mouseleave=move |_| tooltip.set(None)
                on:click=on_click
            ></canvas>
            <div class="cs-legend" style=style::LEGEND>
                {move || legend_view(&state)}
            </div>
            <Show when=move || error().is_some()>
                <div class="cs-error" role="alert" style=style::ERROR>
                    {move || error().unwrap_or_default()}
                </div>
            </Show>
            {move || {
                tooltip.with(|t| t.as_ref().map(|t| {
                    let (w, _) = state.size.get_untracked();
                    let (left, top) = tooltip::position(t.x, t.y, w);
                    view! {
                        <div class="cs-tooltip" style=style::tooltip(left, top, state.dark.get())>
                            {t.lines.join("\n")}
                        </div>
                    }
                }))
            }}
        </div>
    }
}

/// What `f` finds in the drawn layout of the current model (hover and click).
fn at_pointer<T>(state: &State, f: impl FnOnce(&Model, Option<&Drawn>) -> Option<T>) -> Option<T> {
    state.model.with_untracked(|m| match m {
        Some(Ok(model)) => state.drawn.with_untracked(|d| f(model, d.as_ref())),
        _ => None,
    })
}

/// Local time of day (the browser's time zone) of a time in epoch milliseconds.
fn local_clock(ms: f64) -> (u32, u32, u32) {
    let d = js_sys::Date::new(&JsValue::from(ms));
    (d.get_hours(), d.get_minutes(), d.get_seconds())
}

fn legend_view(state: &State) -> impl IntoView {
    let model = state.model.read();
    let Some(Ok(m)) = model.as_ref() else {
        return None;
    };
    let l = legend::legend(m, &state.lut(Some(m)), state.options.get().scale);
    let marks = l
        .marks
        .into_iter()
        .map(|mark| {
            view! {
                <span style=style::MARK>
                    <span style=mark.swatch></span>
                    {mark.label}
                </span>
            }
        })
        .collect_view();
    Some(view! {
        <span class="cs-legend-min">{l.min}</span>
        <span class="cs-legend-bar" style=style::legend_bar(&l.gradient)></span>
        <span class="cs-legend-max">{l.max}</span>
        {marks}
    })
}
