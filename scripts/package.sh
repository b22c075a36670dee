#!/usr/bin/env bash
# Build the catalog-ready app plugin (the datasource, the panel and the dashboards nested in
# one app, the layout of Grafana's Zabbix app):
#
#   dist/calicoscope-app/                 plugin.json module.js(.map) README CHANGELOG LICENSE img/ dashboards/
#     datasource/  plugin.json module.js(.map) img/ gpx_calicoscope_linux_amd64
#                  gpx_calicoscope_linux_arm64 gpx_calicoscope_windows_amd64.exe
#     panel/       plugin.json module.js(.map) img/ wasm/
#   dist/calicoscope-app-<version>.zip    one root folder, calicoscope-app/
#
# then checks it with scripts/check-package.py. Needs `bash scripts/setup.sh` first.
# Signing is for releases only (needs a grafana.com token and the network):
#   GRAFANA_ACCESS_POLICY_TOKEN=... npx @grafana/sign-plugin@latest --distDir dist/calicoscope-app
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
id=calicoscope-app
version=$(node -p "require('./package.json').version")
# The release date is the CHANGELOG's for this version ("## 0.1.0 (2026-11-28)").
updated=$(sed -n "s/^## $version (\([0-9-]*\)).*/\1/p" CHANGELOG.md)
[[ -n $updated ]] || { echo "package: CHANGELOG.md has no '## $version (YYYY-MM-DD)' entry" >&2; exit 1; }
out=dist/$id
rm -rf dist && mkdir -p "$out/datasource/img" "$out/panel/img" "$out/dashboards" "$out/img"

echo "package: backend binaries (linux amd64, linux arm64, windows amd64)"
cargo build -q --release -p calicoscope-backend --bin gpx_calicoscope
install -m 0755 target/release/gpx_calicoscope "$out/datasource/gpx_calicoscope_linux_amd64"
for target in aarch64-unknown-linux-gnu x86_64-pc-windows-gnu; do
    cargo build -q --release -p calicoscope-backend --bin gpx_calicoscope --target "$target"
done
install -m 0755 target/aarch64-unknown-linux-gnu/release/gpx_calicoscope "$out/datasource/gpx_calicoscope_linux_arm64"
install -m 0755 target/x86_64-pc-windows-gnu/release/gpx_calicoscope.exe "$out/datasource/gpx_calicoscope_windows_amd64.exe"

echo "package: panel (wasm)"
bash scripts/build-panel.sh target/package-panel >/dev/null
cp -r target/package-panel/wasm "$out/panel/"

# AMD modules are minified with a source map, not bundled: everything they import is
# provided by Grafana.
minify() { node_modules/.bin/esbuild "$1" --minify --sourcemap --log-level=warning --outfile="$2"; }
minify app/module.js "$out/module.js"
minify app/datasource/module.js "$out/datasource/module.js"
minify panel/module.js "$out/panel/module.js"
# The config editor's settings (labels, help, defaults): the backend's, see settings/editor.rs.
cp app/datasource/settings.json "$out/datasource/"

stamp() { sed -e "s/%VERSION%/$version/g" -e "s/%TODAY%/$updated/g" "$1" >"$2"; }
stamp app/plugin.json "$out/plugin.json"
stamp app/datasource/plugin.json "$out/datasource/plugin.json"
stamp panel/plugin.json "$out/panel/plugin.json"
for dir in "$out" "$out/datasource" "$out/panel"; do cp app/img/logo.svg "$dir/img/"; done
cp docs/screenshots/topology-dark.png "$out/img/screenshot-topology.png"
cp docs/screenshots/heatmap-light.png "$out/img/screenshot-heatmap.png"
cp provisioning/dashboards/*.json "$out/dashboards/"
cp README.md CHANGELOG.md LICENSE "$out/"

zip=dist/$id-$version.zip
(cd dist && python3 -m zipfile -c "$id-$version.zip" "$id")
python3 scripts/check-package.py "$zip"
