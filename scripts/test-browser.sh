#!/usr/bin/env bash
# Browser tests of the panel: build it, write the backend's frames for a simulated cluster,
# bundle the test host, and run tests/browser/*.test.mjs in Debian's headless chromium.
#   bash scripts/test-browser.sh            (after bash scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-panel.sh
cargo run -q -p calicoscope-backend --example demo -- --nodes 40 --frames target/browser/fixtures
node_modules/.bin/esbuild tests/browser/host/host.mjs --bundle --format=iife --minify --log-level=warning \
    --define:process.env.NODE_ENV='"production"' --define:define=undefined \
    --outfile=target/browser/host/host.js
node --test --test-reporter=spec tests/browser/
