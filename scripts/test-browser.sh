#!/usr/bin/env bash
# Browser tests: build the frontend (TypeScript, create-plugin's webpack) and the panel, write
# the backend's frames for a simulated cluster, bundle the test hosts, and run
# tests/browser/*.test.mjs in Debian's headless chromium, twice: on React 19 with Grafana 13's
# packages, and on React 18 with Grafana 10.4's (CALICOSCOPE_REACT=18). The panel through
# module.js (panel.test.mjs, on the test-hooks build), and the demo's preview (on the product
# build, as users get it) and the datasource editors against the real plugin process
# (preview.test.mjs), the app's pages against it too (app.test.mjs: the capacity report, its
# PDF and CSV, the setup check, the configuration page; screenshots and the PDF land in
# target/browser/screenshots/, and scripts/screenshots.sh copies the pages' into docs/).
#   bash scripts/test-browser.sh            (after bash scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-panel.sh                  # target/plugin/panel: the product (the demo serves it); builds target/frontend
bash scripts/build-panel.sh --test-hooks     # target/browser/plugin/panel: panel.test.mjs, bench.mjs
cargo build -q -p calicoscope-backend --example demo --bin gpx_calicoscope
cargo run -q -p calicoscope-backend --example demo -- --nodes 40 --frames target/browser/fixtures
# A fleet of three clusters in one Prometheus (same pool and node names): fixtures/fleet/.
cargo run -q -p calicoscope-backend --example demo -- --nodes 40 --clusters 3 --frames target/browser/fixtures/fleet
bash scripts/build-host.sh
for react in 19 18; do
    echo "== browser tests on React $react"
    CALICOSCOPE_REACT=$react node --test --test-reporter=spec tests/browser/
done
