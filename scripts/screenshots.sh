#!/usr/bin/env bash
# Copy the app pages', the flow view's and the fleet topology's screenshots that the browser tests wrote (React 19 run,
# target/browser/screenshots/) into docs/screenshots/, where the README shows them:
#   bash scripts/test-browser.sh && bash scripts/screenshots.sh
# (or just `CALICOSCOPE_REACT=19 node --test tests/browser/app.test.mjs` after a browser build).
set -euo pipefail
cd "$(dirname "$0")/.."
for name in report-light report-dark setup-light setup-dark flows-dark topology-fleet-dark report-fleet-dark; do
    src=target/browser/screenshots/$name.png
    [[ -f $src ]] || { echo "screenshots: $src missing: run the browser tests first (bash scripts/test-browser.sh)" >&2; exit 1; }
    cp "$src" docs/screenshots/$name.png
    echo "docs/screenshots/$name.png"
done
