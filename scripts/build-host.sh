#!/usr/bin/env bash
# Bundle the test host's shared modules (real react, react-dom, @grafana/data and the
# @grafana/runtime stand-in) into target/browser/host/host.js for tests/browser/host/*.html.
# `define` is hidden from the bundle: lodash and friends would otherwise register themselves
# with SystemJS's AMD `define` instead of exporting.
set -euo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/esbuild tests/browser/host/host.mjs --bundle --format=iife --minify --log-level=warning \
    --define:process.env.NODE_ENV='"production"' --define:define=undefined \
    --outfile=target/browser/host/host.js
