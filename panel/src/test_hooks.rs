//! Test hooks (feature `test-hooks`, built by `bash scripts/build-panel.sh --test-hooks` for
//! the browser tests and benchmarks; never in the product: `scripts/check-package.py` lists
//! every hook name and fails a package whose wasm or glue exports one).
//!
//! - `panic_for_test()` panics on purpose, so a test can prove a panic never takes the page
//!   down;
//! - a mounted panel hangs a [`TestHooks`] on its container element as `calicoscopePanel`
//!   (the product's `module.js` hangs nothing on the DOM): where a node is drawn, the colour of
//!   a value, how often the view has drawn, wasm memory.
//!
//! The benchmarks (`bench_heatmap`, `bench_topology`) are in `bench.rs`, behind the same
//! feature.

use crate::view::State;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The container's property that holds a panel's [`TestHooks`].
const PROPERTY: &str = "calicoscopePanel";

/// Panics on purpose, so tests can prove a panic never takes the page down.
#[wasm_bindgen]
pub fn panic_for_test() {
    panic!("panic_for_test called");
}

/// What the browser tests read of one mounted panel.
#[wasm_bindgen]
pub struct TestHooks {
    state: State,
}

#[wasm_bindgen]
impl TestHooks {
    /// Where `name` (a node, or a heatmap row) is drawn: `[x, y, w, h]` in CSS pixels of the
    /// canvas.
    pub fn locate(&self, name: &str) -> Option<Vec<f64>> {
        let rect = self.state.model.with_untracked(|m| {
            let Some(Ok(model)) = m else { return None };
            self.state
                .drawn
                .with_untracked(|d| d.as_ref()?.locate(model, name))
        })?;
        Some(vec![rect.x, rect.y, rect.w, rect.h])
    }

    /// The CSS colour the current scale gives `value`.
    pub fn colour(&self, value: f64) -> String {
        let lut = self
            .state
            .model
            .with_untracked(|m| self.state.lut(m.as_ref().and_then(|r| r.as_ref().ok())));
        lut.colour(value).css()
    }

    /// How many times the view has drawn (tests wait for the next draw).
    pub fn draws(&self) -> f64 {
        self.state.draws.get_value() as f64
    }

    /// Bytes of wasm linear memory (it grows, never shrinks: the leak tests watch it).
    pub fn memory_bytes(&self) -> f64 {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }
}

/// Hang a panel's hooks on its container (when it mounts).
pub fn attach(container: &web_sys::HtmlElement, state: State) {
    let hooks = JsValue::from(TestHooks { state });
    let _ = js_sys::Reflect::set(container, &PROPERTY.into(), &hooks);
}

/// Take them off again and free them (when it unmounts; a second call does nothing).
pub fn detach(container: &web_sys::HtmlElement) {
    let Ok(hooks) = js_sys::Reflect::get(container, &PROPERTY.into()) else {
        return;
    };
    if hooks.is_object() {
        if let Ok(free) = js_sys::Reflect::get(&hooks, &"free".into()) {
            if let Some(free) = free.dyn_ref::<js_sys::Function>() {
                let _ = free.call0(&hooks);
            }
        }
    }
    let _ = js_sys::Reflect::delete_property(container, &PROPERTY.into());
}
