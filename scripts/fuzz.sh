#!/usr/bin/env bash
# Fuzz the three entry points with cargo-fuzz (libFuzzer, nightly), SECONDS each (default 60):
#   query_model      the editor's query JSON → query model → PromQL plan
#   response_frames  a Prometheus API answer → columns → frames → Arrow (and back)
#   panel_model      frames in Grafana's JSON → the panel's model, layout and raster
# Not run by CI (it needs nightly and time); CI replays fuzz/regressions/ as tests. A crash
# leaves its input in fuzz/artifacts/<target>/: fix it, then copy the input into
# fuzz/regressions/<target>/ so the tests keep it fixed.
#   bash scripts/fuzz.sh [SECONDS]     (needs: rustup toolchain install nightly; cargo install cargo-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || { echo "fuzz: cargo install cargo-fuzz" >&2; exit 1; }
for target in query_model response_frames panel_model; do
    corpus=target/fuzz-corpus/$target
    mkdir -p "$corpus"
    cp -n fuzz/regressions/$target/* "$corpus/" 2>/dev/null || true
    echo "fuzz: $target for ${seconds}s"
    cargo +nightly fuzz run "$target" "$corpus" -- -max_total_time="$seconds" -rss_limit_mb=4096 2>&1 \
        | grep -E "^#[0-9]+ *(DONE|INITED)|SUMMARY|panicked|ERROR|Done" || true
done
