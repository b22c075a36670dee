#!/usr/bin/env bash
# Browser tests: build the panel, write the backend's frames for a simulated cluster, bundle
# the test hosts, and run tests/browser/*.test.mjs in Debian's headless chromium: the panel
# through module.js (panel.test.mjs, on the test-hooks build), and the demo's preview (on the
# product build, as users get it) and the datasource editors against the real plugin process
# (preview.test.mjs).
#   bash scripts/test-browser.sh            (after bash scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-panel.sh                  # target/plugin/panel: the product (the demo serves it)
bash scripts/build-panel.sh --test-hooks     # target/browser/plugin/panel: panel.test.mjs, bench.mjs
cargo build -q -p calicoscope-backend --example demo --bin gpx_calicoscope
cargo run -q -p calicoscope-backend --example demo -- --nodes 40 --frames target/browser/fixtures
bash scripts/build-host.sh
node --test --test-reporter=spec tests/browser/
