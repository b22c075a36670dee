//! Replays the fuzz corpus seeds and every input that once crashed a fuzz target
//! (`fuzz/regressions/<target>/`) through the same entry points the fuzzers call.

use calicoscope_backend::fuzzing;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = format!(
        "{}/../fuzz/regressions/{target}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let path = entry.unwrap().path();
        run(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n >= 2, "{n} inputs in {dir}");
}

#[test]
fn query_model_inputs_do_not_panic() {
    replay("query_model", fuzzing::query_model);
}

#[test]
fn response_frames_inputs_do_not_panic() {
    replay("response_frames", fuzzing::response_frames);
}
