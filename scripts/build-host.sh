#!/usr/bin/env bash
# Bundle the test hosts' shared modules for tests/browser/host/*.html:
#   target/browser/host/host.js     the panel host: real react, react-dom, @grafana/data and
#                                   a @grafana/runtime stand-in (locationService only);
#   target/browser/host/editors.js  the datasource editors' host: real react, @grafana/data,
#                                   @grafana/ui and @grafana/runtime (fonts and CSS left out).
# `define` is hidden from the bundle: lodash and friends would otherwise register themselves
# with SystemJS's AMD `define` instead of exporting.
set -euo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/esbuild tests/browser/host/host.mjs --bundle --format=iife --minify --log-level=warning \
    --define:process.env.NODE_ENV='"production"' --define:define=undefined \
    --outfile=target/browser/host/host.js
node_modules/.bin/esbuild tests/browser/host/editors.mjs --bundle --format=iife --minify --log-level=error \
    --define:process.env.NODE_ENV='"production"' --define:define=undefined --define:global=window \
    --loader:.ttf=empty --loader:.woff=empty --loader:.woff2=empty --loader:.svg=text --loader:.css=empty \
    --outfile=target/browser/host/editors.js
