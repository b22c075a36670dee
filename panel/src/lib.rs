//! Calicoscope panel (WebAssembly): frames → model → layout → draw.
//!
//! The panel itself is the subject of its own issue; for now the crate pins the build
//! for `wasm32-unknown-unknown` and the frame contract it will read
//! ([`calicoscope_model`]).

pub use calicoscope_model::{topology, Family};
