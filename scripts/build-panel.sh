#!/usr/bin/env bash
# Build the panel plugin: Rust → wasm32 → wasm-bindgen (pinned to Cargo.lock) → wasm-opt
# (npm binaryen; Debian's older one emits modules Chromium rejects) → a plugin folder:
#
#   <out>/module.js(.map)  plugin.json  wasm/calicoscope_panel.js  wasm/calicoscope_panel_bg.wasm
#
# module.js is the TypeScript frontend's build (scripts/build-frontend.sh, src/panel/).
#
#   bash scripts/build-panel.sh [out]               the product (default: target/plugin/panel)
#   bash scripts/build-panel.sh --test-hooks [out]  the browser tests' build, with the panel's
#                                                   feature test-hooks (default:
#                                                   target/browser/plugin/panel)
# The test build differs only in its wasm (module.js is the same file); it never goes to the
# product's folders, and scripts/check-package.py fails a package that carries its hooks.
# Needs `bash scripts/setup.sh` first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
features=()
product_out=$root/target/plugin/panel
default_out=$product_out
if [[ ${1:-} == --test-hooks ]]; then
    shift
    features=(--features test-hooks)
    default_out=$root/target/browser/plugin/panel
fi
out=${1:-$default_out}
if ((${#features[@]})); then
    for product in "$product_out" "$root/target/package-panel"; do
        if [[ $(realpath -m "$out") == "$(realpath -m "$product")" ]]; then
            echo "build-panel: $out is a product folder; the test-hooks build goes elsewhere" >&2
            exit 1
        fi
    done
fi
wbg_root=$(bash "$root/scripts/wasm-bindgen-root.sh")
wbg=$wbg_root/bin/wasm-bindgen
wasm_opt=$root/node_modules/.bin/wasm-opt
for tool in "$wbg" "$wasm_opt"; do
    [[ -x $tool ]] || { echo "build-panel: $tool missing: run bash scripts/setup.sh" >&2; exit 1; }
done

cd "$root"
rm -rf "$out" && mkdir -p "$out/wasm"
# Both variants link to the same file under target/; the lock keeps a concurrent build of the
# other variant from replacing it before wasm-bindgen has read it.
mkdir -p target
exec 9>target/build-panel.lock
flock 9
cargo build -q -p calicoscope-panel --target wasm32-unknown-unknown --profile wasm "${features[@]}"
"$wbg" --target web --no-typescript --out-dir "$out/wasm" \
    target/wasm32-unknown-unknown/wasm/calicoscope_panel.wasm
flock -u 9
wasm=$out/wasm/calicoscope_panel_bg.wasm
# The features rustc's wasm32 target enables by default (binaryen must accept them).
"$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue -o "$wasm.opt" "$wasm"
mv "$wasm.opt" "$wasm"
bash scripts/build-frontend.sh >/dev/null
cp target/frontend/panel/module.js target/frontend/panel/module.js.map target/frontend/panel/plugin.json "$out/"
echo "build-panel: $out${features[*]:+ (test hooks)} (wasm $(stat -c %s "$wasm") bytes, gzipped $(gzip -9c "$wasm" | wc -c) bytes)"
