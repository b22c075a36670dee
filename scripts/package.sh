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
# The zip is unsigned. A private signature for your own Grafana URLs (a grafana.com token and
# the network; see the README's Installing):
#   GRAFANA_ACCESS_POLICY_TOKEN=... npx @grafana/sign-plugin@latest --distDir dist/calicoscope-app \
#       --rootUrls https://grafana.example.com/
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
bash scripts/build-backend.sh
built=target/package-backend
install -m 0755 $built/x86_64-unknown-linux-gnu/release/gpx_calicoscope "$out/datasource/gpx_calicoscope_linux_amd64"
install -m 0755 $built/aarch64-unknown-linux-gnu/release/gpx_calicoscope "$out/datasource/gpx_calicoscope_linux_arm64"
install -m 0755 $built/x86_64-pc-windows-gnu/release/gpx_calicoscope.exe "$out/datasource/gpx_calicoscope_windows_amd64.exe"

echo "package: panel (wasm)"
bash scripts/build-panel.sh target/package-panel >/dev/null
cp -r target/package-panel/wasm "$out/panel/"

# The TypeScript frontend, built by create-plugin's webpack + SWC configuration: AMD modules
# with source maps whose sources are src/ as it is (the validator's jssourcemap check, also
# made by check-package.py --sources src). Everything they import is provided by Grafana.
# (bash scripts/build-panel.sh above has just built target/frontend.)
front=target/frontend
for dir in . datasource panel; do
    cp "$front/$dir/module.js" "$front/$dir/module.js.map" "$out/$dir/"
    cp "$front/$dir/img/logo.svg" "$out/$dir/img/"
done
# The config editor's settings (labels, help, defaults): the backend's, see settings/editor.rs.
cp "$front/datasource/settings.json" "$out/datasource/"

stamp() { sed -e "s/%VERSION%/$version/g" -e "s/%TODAY%/$updated/g" "$1" >"$2"; }
stamp src/plugin.json "$out/plugin.json"
stamp src/datasource/plugin.json "$out/datasource/plugin.json"
stamp src/panel/plugin.json "$out/panel/plugin.json"
cp docs/screenshots/topology-dark.png "$out/img/screenshot-topology.png"
cp docs/screenshots/heatmap-light.png "$out/img/screenshot-heatmap.png"
cp docs/screenshots/report-light.png "$out/img/screenshot-report.png"
cp provisioning/dashboards/*.json "$out/dashboards/"
cp CHANGELOG.md LICENSE "$out/"
# The catalog page shows README.md without the repository around it: relative links and
# images (docs/screenshots/...) would break there (the validator's brokenlinks), so the
# packaged copy drops the screenshot images (the catalog shows plugin.json's screenshots) and
# keeps relative links' text only.
python3 - README.md "$out/README.md" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
text = re.sub(r'^!\[[^\]]*\]\((?!https?://)[^)]*\)\n', '', text, flags=re.M)
text = re.sub(r'(?<!!)\[([^\]]*)\]\((?!https?://|#)[^)]*\)', r'\1', text)
open(sys.argv[2], 'w').write(text)
PY

zip=dist/$id-$version.zip
(cd dist && python3 -m zipfile -c "$id-$version.zip" "$id")
python3 scripts/check-package.py --sources src "$zip"
