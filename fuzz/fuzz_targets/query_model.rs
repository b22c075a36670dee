#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| calicoscope_backend::fuzzing::query_model(data));
