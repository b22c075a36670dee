#!/usr/bin/env bash
# Calicoscope tests: installs what they need, then runs every test suite.
#
#   bash scripts/test.sh
#
# Suites: Rust unit and golden tests; the simulator; integration tests against real
# Prometheus 2 and 3, VictoriaMetrics and a Thanos HA tier scraping the simulated cluster, per
# Calico release and dataplane; Grafana's Go decoder on every frame; the plugin protocol test
# (the built binary started as Grafana starts it); the panel: native tests, the wasm build,
# browser tests through module.js in headless chromium, and its benchmark figures; the
# demo's preview and the datasource editors against the real plugin process; the packaged
# app (dist/, zip) and its checks; the demo, once.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo; echo "== test: $* ($(( $(date +%s) - start )) s)"; }

step "set-up"
bash scripts/setup.sh

step "formatting"
cargo fmt --all -- --check

step "Rust tests (unit, golden, simulator, stores, catalog values, plugin protocol, panel model)"
cargo test --workspace

step "panel: wasm build, backend frames, browser tests (headless chromium)"
bash scripts/test-browser.sh

step "panel benchmarks (figures only, no timing assertions)"
node tests/browser/bench.mjs

step "package: dist/ and the zip, catalog checks, provisioning and docker-compose checks"
bash scripts/package.sh
node --test --test-reporter=spec tests/package/

step "demo runs once and prints the IPAM report"
out=$(cargo run -q -p calicoscope-backend --example demo -- --once --nodes 50)
echo "$out"
grep -q "pool default-ipv4-ippool: .*% used" <<<"$out" || { echo "demo printed no IPAM report"; exit 1; }

step "done"
