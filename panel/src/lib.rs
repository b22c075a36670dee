//! Calicoscope panel (WebAssembly): the IP pool topology and a utilization heatmap.
//!
//! The data path reads off the modules: [`frames`] (Grafana data frames as plain Rust) →
//! [`model`] (which view, and its data) → [`layout`] (geometry, hit-testing, the layout drawn)
//! → [`draw`] (colours and the colour domain, pixels, canvas calls). What the view shows
//! around the canvas is plain Rust too: [`status`] (the status line, with [`summary`]'s
//! sentence), [`legend`], [`tooltip`] (hover text and position), [`click`] (the variable a
//! click sets) and [`style`] (the CSS). The browser side — `js` (JavaScript frames in),
//! `view` (the leptos component, wiring signals to those modules) and `handle` (what
//! `module.js` calls) — exists only on wasm32; everything else is tested natively with
//! `cargo test -p calicoscope-panel`.
//! The browser tests' hooks (`test_hooks`, `bench`) exist only with the feature `test-hooks`,
//! which the product build leaves out.
//!
//! ```
//! use calicoscope_panel::{frames::Frame, model::{read, ViewKind}};
//! let err = read(&[Frame::default()], ViewKind::Topology, "node").unwrap_err();
//! assert!(err.contains("ipam_topology"));
//! ```

pub mod click;
pub mod draw;
pub mod drill;
pub mod format;
pub mod frames;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod layout;
pub mod legend;
pub mod model;
pub mod options;
pub mod status;
pub mod style;
pub mod summary;
pub mod tooltip;

#[cfg(target_arch = "wasm32")]
mod fetch;
#[cfg(target_arch = "wasm32")]
mod handle;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod view;

// Test and benchmark hooks: only the test build (`build-panel.sh --test-hooks`) has them.
#[cfg(all(target_arch = "wasm32", feature = "test-hooks"))]
mod bench;
#[cfg(all(target_arch = "wasm32", feature = "test-hooks"))]
mod test_hooks;

pub use calicoscope_model::{topology, Family};
