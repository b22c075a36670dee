//! The leptos view: a status line (summary, warning or error), the canvas, the legend and a
//! tooltip. Inputs are signals that `handle.rs` sets, so new data, size, options or theme
//! redraw the running view without remounting it. What it shows is computed by plain-Rust
//! modules, tested natively: the layout ([`Drawn`], once per change, shared by the drawing,
//! the status line, hover and click), [`status`], [`legend`], [`tooltip`], [`click`],
//! [`style`] and the colour domain ([`colour::lut`]).

use crate::draw::canvas;
use crate::draw::colour::{self, Lut, Theme};
use crate::drill::{self, Drill, Source};
use crate::layout::{Drawn, Rect};
use crate::model::Model;
use crate::options::Options;
use crate::style::{self, LEGEND_H, STATUS_H};
use crate::{click, fetch, legend, status, tooltip};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, CanvasRenderingContext2d};

/// What the view reads; `None` model means loading.
#[derive(Clone, Copy)]
pub struct State {
    pub model: RwSignal<Option<Result<Model, String>>>,
    pub size: RwSignal<(f64, f64)>,
    pub options: RwSignal<Options>,
    pub dark: RwSignal<bool>,
    /// Where the flow view's drill-down asks (`handle::set_source`).
    pub source: RwSignal<Source>,
    /// The flow view's selected pair, by name (kept across refreshes of the data).
    pub selected: RwSignal<Option<(String, String)>>,
    /// The drill-down pane of the selected pair.
    pub drill: RwSignal<Option<Drill>>,
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
        let drill = RwSignal::new(None::<Drill>);
        // Recomputed when the model, the size or the options change, and always passed on
        // (comparing two layouts of 20,000 nodes would cost more than it saves).
        let drawn = Memo::new_with_compare(
            move |_| {
                let bounds = body(size.get(), drill.with(Option::is_some));
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
            source: RwSignal::new(Source::default()),
            selected: RwSignal::new(None),
            drill,
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

    /// Closes the drill-down when the model now drawn cannot show it (another view, an
    /// error, or the pair gone from the data), so no pane keeps room it does not use.
    pub fn close_drill_unless_shown(&self) {
        let shown = self.model.with_untracked(|m| match m {
            Some(Ok(model)) => untrack(|| self.selected_in(model)).is_some(),
            _ => false,
        });
        if !shown && self.drill.with_untracked(Option::is_some) {
            self.selected.set(None);
            self.drill.set(None);
        }
    }

    /// The selected pair's (source, destination) in the flow model, if both are still there.
    fn selected_in(&self, model: &Model) -> Option<(usize, usize)> {
        let Model::Flows(f) = model else { return None };
        self.selected.with(|s| {
            let (src, dst) = s.as_ref()?;
            let at = |n: &str| f.names.iter().position(|x| x == n);
            Some((at(src)?, at(dst)?))
        })
    }
}

/// The canvas area of a panel `(width, height)`: between the status line and the legend,
/// above the drill-down pane when it is open.
fn body((w, h): (f64, f64), drill_open: bool) -> Rect {
    let h = h - STATUS_H - LEGEND_H;
    let pane = if drill_open {
        style::drill_height(h)
    } else {
        0.0
    };
    Rect::new(0.0, 0.0, w, h - pane)
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
    let canvas_area = move || body(state.size.get(), state.drill.with(Option::is_some));

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
                    (Model::Flows(f), Drawn::Flows(l)) => {
                        canvas::flows(&ctx, f, l, &theme, state.selected_in(model))
                    }
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
    let abort = StoredValue::new_local(None::<AbortController>);
    on_cleanup(move || {
        if let Some(Some(a)) = abort.try_get_value() {
            a.abort();
        }
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
        let o = state.options.get_untracked();
        let variables = at_pointer(&state, |m, d| match (m, click::pair(m, d, x, y)) {
            (Model::Flows(f), Some(pair)) => {
                let names = (f.names[pair.0].clone(), f.names[pair.1].clone());
                state.selected.set(Some(names));
                open_drill(&state, abort, f, pair);
                Some(click::pair_variables(
                    f,
                    pair,
                    &o.source_variable,
                    &o.dest_variable,
                ))
            }
            _ => Some(click::filter(m, d, x, y, &o.filter_variable)),
        });
        if let Some(variables) = variables.filter(|v| !v.is_empty()) {
            let _ = on_filter.call1(&JsValue::NULL, &js_object(&variables));
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
            {move || drill_view(&state)}
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

/// `{ name: value, ... }` for `module.js`, which sets the dashboard variables in one step.
fn js_object(pairs: &[(String, String)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o.into()
}

/// Lists the pair's flows: the pane shows loading, then the answer; a newer click aborts
/// this request (and its answer, should it still come, is not shown).
fn open_drill(
    state: &State,
    abort: StoredValue<Option<AbortController>, LocalStorage>,
    f: &crate::model::flows::Flows,
    pair: (usize, usize),
) {
    if let Some(old) = abort.get_value() {
        old.abort();
    }
    let url = match state.source.with_untracked(|s| drill::url(s, f, pair)) {
        Ok(url) => url,
        Err(e) => return state.drill.set(Some(Drill::Failed(e))),
    };
    let Ok(controller) = AbortController::new() else {
        return;
    };
    let signal = controller.signal();
    abort.set_value(Some(controller));
    state.drill.set(Some(Drill::Loading));
    let (f, drill) = (f.clone(), state.drill);
    leptos::task::spawn_local(async move {
        let answer = fetch::get(&url, &signal).await;
        if signal.aborted() {
            return;
        }
        let shown = match answer {
            Ok((status, body)) => drill::read(status, &body, &f, pair),
            Err(e) => Drill::Failed(e),
        };
        drill.try_set(Some(shown));
    });
}

/// The drill-down pane over the bottom of the flow view: heading and close, then loading,
/// the error, the empty state or the flows.
fn drill_view(state: &State) -> Option<impl IntoView> {
    let pane = state.drill.get()?;
    let model = state.model.read();
    let Some(Ok(model @ Model::Flows(f))) = model.as_ref() else {
        return None;
    };
    let pair = state.selected_in(model)?;
    let heading = drill::heading(f, pair, &pane);
    let (selected, drill) = (state.selected, state.drill);
    let close = move |_| {
        selected.set(None);
        drill.set(None);
    };
    let body = match pane {
        Drill::Loading => view! { <p role="status">"Loading flows…"</p> }.into_any(),
        Drill::Failed(e) => view! { <p role="alert" style=style::DRILL_ERROR>{e}</p> }.into_any(),
        Drill::Listed { lines, .. } if lines.is_empty() => {
            view! { <p>"No flows between these two in the dashboard's time range."</p> }.into_any()
        }
        Drill::Listed {
            lines,
            more,
            notices,
        } => {
            let rows = lines
                .into_iter()
                .map(|l| {
                    view! {
                        <tr>
                            <td>{l.source}</td>
                            <td>{l.dest}</td>
                            <td>{l.port}</td>
                            <td>{l.verdict}</td>
                            <td>{l.reporter}</td>
                            <td>{l.policies}</td>
                            <td style="text-align:right">{crate::format::count(l.packets)}</td>
                        </tr>
                    }
                })
                .collect_view();
            let more = (more > 0).then(|| {
                let text = format!(
                    "and {} more (the busiest {} are listed)",
                    crate::format::count(more as f64),
                    drill::MAX_LINES
                );
                view! { <p>{text}</p> }
            });
            let notices = notices
                .into_iter()
                .map(|n| view! { <p>{n}</p> })
                .collect_view();
            view! {
                <table style=style::DRILL_TABLE>
                    <thead>
                        <tr>
                            <th>"Source"</th>
                            <th>"Destination"</th>
                            <th>"Port"</th>
                            <th>"Verdict"</th>
                            <th>"Reported by"</th>
                            <th>"Policies"</th>
                            <th>"Packets"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                {more}
                {notices}
            }
            .into_any()
        }
    };
    Some(view! {
        <div class="cs-drill" style=style::drill(state.size.get().1 - STATUS_H - LEGEND_H)>
            <div style=style::DRILL_HEAD>
                <strong>{heading}</strong>
                <button type="button" aria-label="Close the flow list" on:click=close>"×"</button>
            </div>
            {body}
        </div>
    })
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
    let l = legend::legend(
        m,
        &state.lut(Some(m)),
        state.options.get().scale,
        state.dark.get(),
    );
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
