//! Layout → pixels. `colour` and `raster` are plain Rust (tested natively); `canvas`
//! issues the 2D-canvas calls in the browser.

#[cfg(target_arch = "wasm32")]
pub mod canvas;
pub mod colour;
pub mod raster;
