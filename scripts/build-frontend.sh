#!/usr/bin/env bash
# Build the TypeScript frontend (src/) with create-plugin's webpack + SWC configuration
# (.config/webpack, extended by webpack.config.ts): AMD modules with source maps, react and
# @grafana/* left to Grafana (externals), into target/frontend/:
#   module.js(.map) plugin.json img/   datasource/ module.js(.map) plugin.json settings.json img/
#   panel/ module.js(.map) plugin.json img/
# Needs `bash scripts/setup.sh` first (npm packages).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
# One build at a time (the panel's product and test builds both ask for it).
exec 8>target/build-frontend.lock
flock 8
node_modules/.bin/webpack -c ./webpack.config.ts --env production --no-stats
echo "build-frontend: target/frontend ($(du -sh target/frontend | cut -f1))"
