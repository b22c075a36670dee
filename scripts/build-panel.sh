#!/usr/bin/env bash
# Build the panel plugin: Rust → wasm32 → wasm-bindgen (pinned to Cargo.lock) → wasm-opt
# (npm binaryen; Debian's older one emits modules Chromium rejects) → a plugin folder:
#
#   <out>/module.js  plugin.json  wasm/calicoscope_panel.js  wasm/calicoscope_panel_bg.wasm
#
#   bash scripts/build-panel.sh [out]     (default: target/plugin/panel)
# Needs `bash scripts/setup.sh` first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/target/plugin/panel}
wbg_root=$(bash "$root/scripts/wasm-bindgen-root.sh")
wbg=$wbg_root/bin/wasm-bindgen
wasm_opt=$root/node_modules/.bin/wasm-opt
for tool in "$wbg" "$wasm_opt"; do
    [[ -x $tool ]] || { echo "build-panel: $tool missing: run bash scripts/setup.sh" >&2; exit 1; }
done

cd "$root"
cargo build -q -p calicoscope-panel --target wasm32-unknown-unknown --profile wasm
rm -rf "$out" && mkdir -p "$out/wasm"
"$wbg" --target web --no-typescript --out-dir "$out/wasm" \
    target/wasm32-unknown-unknown/wasm/calicoscope_panel.wasm
wasm=$out/wasm/calicoscope_panel_bg.wasm
# The features rustc's wasm32 target enables by default (binaryen must accept them).
"$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue -o "$wasm.opt" "$wasm"
mv "$wasm.opt" "$wasm"
cp panel/module.js panel/plugin.json "$out/"
echo "build-panel: $out (wasm $(stat -c %s "$wasm") bytes, gzipped $(gzip -9c "$wasm" | wc -c) bytes)"
