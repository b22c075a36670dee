//! What `module.js` calls: create a panel in a container, push data, size, options and
//! theme into it, and unmount it. One `Panel` per React component instance.
//!
//! ```js
//! const panel = new wasm.Panel(container, (variables) => setVariables(variables));
//! panel.set_options(options); panel.set_theme(theme.isDark); panel.set_size(width, height);
//! panel.set_source(resourceUrl, from, to);  // the flow view's drill-down asks there
//! panel.set_data(series);   // again whenever data.series changes; the view redraws in place
//! panel.unmount();          // on React unmount
//! ```

use crate::frames::Frame;
use crate::js;
use crate::model::read;
use crate::options::Options;
use crate::view::{self, State};
use leptos::prelude::*;
use std::any::Any;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs once when the module is instantiated: a Rust panic is logged and kept for
/// `module.js`, which shows it as the panel's error state (the trap itself surfaces there
/// as an exception from the call that panicked).
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!("Calicoscope panel crashed: {info}");
        web_sys::console::error_1(&JsValue::from_str(&message));
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(message));
    }));
}

/// The message of the last panic, if any (the instance is unusable after one).
#[wasm_bindgen]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow().clone())
}

#[wasm_bindgen]
pub struct Panel {
    owner: Owner,
    state: State,
    frames: Vec<Frame>,
    mount: Option<Box<dyn Any>>,
    /// Where the test hooks hang (feature `test-hooks` only).
    #[cfg(feature = "test-hooks")]
    container: web_sys::HtmlElement,
}

#[wasm_bindgen]
impl Panel {
    /// Mount the view into `container`; `on_filter({ variable: value, ... })` is called on
    /// a click that selects something.
    #[wasm_bindgen(constructor)]
    pub fn new(container: web_sys::HtmlElement, on_filter: js_sys::Function) -> Panel {
        let owner = Owner::new();
        #[cfg(feature = "test-hooks")]
        let hooked = container.clone();
        let (state, mount) = owner.with(|| {
            let state = State::new();
            let mount = leptos::mount::mount_to(container, move || view::panel(state, on_filter));
            (state, mount)
        });
        #[cfg(feature = "test-hooks")]
        crate::test_hooks::attach(&hooked, state);
        Panel {
            owner,
            state,
            frames: Vec::new(),
            mount: Some(Box::new(mount)),
            #[cfg(feature = "test-hooks")]
            container: hooked,
        }
    }

    /// New `data.series` (normalised by `module.js`).
    pub fn set_data(&mut self, series: &JsValue) {
        match js::frames(series) {
            Ok(frames) => {
                self.frames = frames;
                self.reread();
            }
            Err(e) => {
                self.state.model.set(Some(Err(e)));
                self.state.close_drill_unless_shown();
            }
        }
    }

    /// Panel options object (see `module.js` for the editor).
    pub fn set_options(&mut self, options: &JsValue) {
        let new = Options::read(&|k| js::string(options, k));
        let old = self.state.options.get_untracked();
        let reread = new.view != old.view || new.row_label != old.row_label;
        self.state.options.set(new);
        if reread && self.state.model.with_untracked(Option::is_some) {
            self.reread();
        }
    }

    /// Where the flow view's drill-down lists a pair's flows: the datasource's resource URL
    /// (`<appSubUrl>/api/datasources/uid/<uid>/resources/`, empty when unknown) and the
    /// dashboard's time range in epoch ms.
    pub fn set_source(&self, base: String, from_ms: f64, to_ms: f64) {
        self.state.source.set(crate::drill::Source {
            base,
            from_ms,
            to_ms,
        });
    }

    pub fn set_size(&self, width: f64, height: f64) {
        self.state.size.set((width.max(0.0), height.max(0.0)));
    }

    pub fn set_theme(&self, dark: bool) {
        self.state.dark.set(dark);
    }

    /// Unmount the view and free its reactive state (React unmount).
    pub fn unmount(&mut self) {
        #[cfg(feature = "test-hooks")]
        crate::test_hooks::detach(&self.container);
        self.mount.take();
        self.owner.cleanup();
    }

    fn reread(&mut self) {
        let (kind, label) = self
            .state
            .options
            .with_untracked(|o| (o.view, o.row_label.clone()));
        self.state.model.set(Some(read(&self.frames, kind, &label)));
        self.state.close_drill_unless_shown();
    }
}

impl Drop for Panel {
    fn drop(&mut self) {
        self.unmount();
    }
}
