#!/usr/bin/env bash
# Calicoscope demo: a simulated 200-node Calico cluster, a real Prometheus scraping it on
# 127.0.0.1, the backend started as Grafana starts it (plugin protocol), a preview page at
# http://127.0.0.1:3300/ rendering the IPAM dashboard's Calicoscope panels through module.js
# with live data (a test host for the plugin, not Grafana), and the IPAM report in the
# terminal every 15 s. Ctrl-C stops everything.
#
#   bash scripts/demo.sh [--nodes N] [--port P] [--once] [--no-preview]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "demo: building (release; the first build takes a few minutes)"
cargo build --release -q -p calicoscope-backend --example demo --bin gpx_calicoscope
bash scripts/build-panel.sh >/dev/null
bash scripts/build-host.sh
# Run the binary itself rather than through `cargo run`, so Ctrl-C and SIGTERM reach it.
exec target/release/examples/demo "$@"
