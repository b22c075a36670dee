#!/usr/bin/env bash
# Bundle the test hosts' shared modules for tests/browser/host/*.html, twice: on Grafana 13's
# packages and React 19 (root node_modules), and on Grafana 10.4's and React 18
# (tests/grafana-10.4/node_modules; the pages load these with ?react=18):
#   target/browser/host/[react18/]host.js     the panel host: real react, react-dom,
#                                   @grafana/data and a @grafana/runtime stand-in (locationService only);
#   target/browser/host/[react18/]editors.js  the datasource editors' host: real react, @grafana/data,
#                                   @grafana/ui and @grafana/runtime (fonts and CSS left out);
#   target/browser/host/[react18/]app.js      the app pages' host: the same plus @emotion/css.
# `define` is hidden from the bundle: lodash and friends would otherwise register themselves
# with SystemJS's AMD `define` instead of exporting.
set -euo pipefail
cd "$(dirname "$0")/.."
g104=./tests/grafana-10.4/node_modules
for variant in react19 react18; do
    out=target/browser/host
    alias=()
    if [[ $variant == react18 ]]; then
        out=target/browser/host/react18
        alias=(--alias:react=$g104/react --alias:react-dom=$g104/react-dom --alias:@grafana/data=$g104/@grafana/data
            --alias:@grafana/ui=$g104/@grafana/ui --alias:@grafana/runtime=$g104/@grafana/runtime --alias:@emotion/css=$g104/@emotion/css
            --alias:systemjs/dist/system=./tests/browser/host/empty.mjs --alias:systemjs/dist/extras/amd=./tests/browser/host/empty.mjs)
    fi
    node_modules/.bin/esbuild tests/browser/host/host.mjs --bundle --format=iife --minify --log-level=error \
        --define:process.env.NODE_ENV='"production"' --define:define=undefined "${alias[@]}" \
        --outfile=$out/host.js
    node_modules/.bin/esbuild tests/browser/host/editors.mjs --bundle --format=iife --minify --log-level=error \
        --define:process.env.NODE_ENV='"production"' --define:define=undefined --define:global=window "${alias[@]}" \
        --loader:.ttf=empty --loader:.woff=empty --loader:.woff2=empty --loader:.svg=text --loader:.css=empty \
        --outfile=$out/editors.js
    node_modules/.bin/esbuild tests/browser/host/app.mjs --bundle --format=iife --minify --log-level=error \
        --define:process.env.NODE_ENV='"production"' --define:define=undefined --define:global=window "${alias[@]}" \
        --loader:.ttf=empty --loader:.woff=empty --loader:.woff2=empty --loader:.svg=text --loader:.css=empty \
        --outfile=$out/app.js
done
