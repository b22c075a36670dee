#!/usr/bin/env bash
# Browser tests of the panel: build it, write the backend's frames for a simulated cluster,
# bundle the test host, and run tests/browser/*.test.mjs in Debian's headless chromium.
#   bash scripts/test-browser.sh            (after bash scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-panel.sh
cargo run -q -p calicoscope-backend --example demo -- --nodes 40 --frames target/browser/fixtures
bash scripts/build-host.sh
node --test --test-reporter=spec tests/browser/
