#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| calicoscope_panel::fuzzing::panel_model(data));
