#!/usr/bin/env bash
# Prints where the wasm-bindgen-cli matching Cargo.lock's wasm-bindgen lives (setup.sh
# installs it there; build-panel.sh runs it from there).
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$root_dir/Cargo.lock")
echo "${CALICOSCOPE_CACHE:-$HOME/.cache/calicoscope}/wasm-bindgen-$version"
