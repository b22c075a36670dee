#!/usr/bin/env bash
# Calicoscope tests: installs what they need, then runs the test suites in named stages.
#
#   bash scripts/test.sh [stage...]     (default: all, which is what CI runs)
#
# Stages, in the order `all` runs them:
#   fast     formatting, clippy (warnings are errors), ESLint; TypeScript type checks against
#            Grafana 13 and 10.4; Jest; Rust unit, golden and doc tests
#   stores   Rust integration tests: real Prometheus 2 and 3, VictoriaMetrics and a Thanos HA
#            tier scraping the simulated cluster per Calico release and dataplane; Grafana's
#            Go decoder on every frame; the plugin protocol (the built binary started as
#            Grafana starts it); the simulator through promtool; the demo and bench builds
#   browser  the panel: wasm build, browser tests through module.js in headless Chromium and
#            its benchmark figures; the demo's preview and the datasource editors against the
#            real plugin process
#   package  the packaged app (dist/, zip) and its checks; the demo, once
# Set-up (scripts/setup.sh) runs first and takes about a second when everything is present;
# on a fresh machine its builds go on in the background until a stage needs them.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo; echo "== test: $* ($(( $(date +%s) - start )) s)"; }

fast() {
    step "fast: formatting, clippy, ESLint"
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -q -- -D warnings
    node_modules/.bin/eslint --max-warnings 0 .
    step "fast: TypeScript against Grafana 13 (@grafana/* 13.2.3, React 19) and 10.4 (10.4.8, React 18)"
    node_modules/.bin/tsc --noEmit -p tsconfig.json
    node_modules/.bin/tsc --noEmit -p tests/grafana-10.4/tsconfig.json
    step "fast: Jest (escaping, datasource, editors, panel frames)"
    # --forceExit: Jest reports a handle left open once every test has passed (from
    # @grafana/runtime's services) and would otherwise never exit.
    node_modules/.bin/jest --ci --forceExit
    step "fast: Rust unit, golden and doc tests"
    cargo test --workspace --lib --bins
    cargo test --workspace --doc
}

stores() {
    wait_for_builds
    step "stores: Rust integration tests (stores, catalog values, Calico profiles, plugin protocol, simulator)"
    cargo test --workspace --test '*' --examples
    cargo test -q -p calicoscope-backend --bench flows
}

browser() {
    wait_for_builds
    step "browser: panel wasm build, browser tests (headless chromium)"
    bash scripts/test-browser.sh
    step "browser: panel benchmarks (figures only, no timing assertions)"
    node tests/browser/bench.mjs
}

package() {
    wait_for_builds
    if [[ -n ${backend_pid:-} ]]; then
        step "package: waiting for the release builds started at set-up"
        wait "$backend_pid" || { cat "$backend_log"; echo "release builds failed" >&2; exit 1; }
        backend_pid=
    fi
    step "package: dist/ and the zip, catalog checks, provisioning and docker-compose checks"
    bash scripts/package.sh
    # The package test shows the harness rule fires on binaries that carry the harness.
    cargo test -q -p calicoscope-backend --test fuzz_regressions --examples --no-run
    node --test --test-reporter=spec tests/package/
    step "package: the demo runs once and prints the IPAM report"
    out=$(cargo run -q -p calicoscope-backend --example demo -- --once --nodes 50)
    echo "$out"
    grep -q "default-ipv4-ippool (IPv4): .*% used" <<<"$out" || { echo "demo printed no IPAM report"; exit 1; }
}

stages=("$@")
(( ${#stages[@]} )) || stages=(all)
for s in "${stages[@]}"; do
    case "$s" in
        fast|stores|browser|package|all) ;;
        *) echo "test: unknown stage $s (use fast, stores, browser, package or all)" >&2; exit 2 ;;
    esac
done

# Set-up: the CPU-heavy builds (engines, wasm-bindgen-cli) run in the background from the start,
# beside the downloads and then the fast stage, which needs neither; the first stage that
# needs them waits here.
builds_log=target/setup-builds.log
builds_pid=
wait_for_builds() {
    [[ -n $builds_pid ]] || return 0
    step "waiting for the set-up builds (engines, wasm-bindgen-cli)"
    local rc=0
    wait "$builds_pid" || rc=$?
    builds_pid=
    cat "$builds_log"
    (( rc == 0 )) || { echo "set-up builds failed ($rc)" >&2; exit 1; }
}

# Background jobs run in their own sessions, so that an early exit stops them with their children.
stop_background() {
    local pid
    for pid in ${builds_pid:-} ${backend_pid:-}; do kill -- -"$pid" 2>/dev/null || true; done
}
trap stop_background EXIT

step "set-up"
mkdir -p target
if [[ " ${stages[*]} " != " fast " ]]; then
    setsid bash scripts/setup.sh builds >"$builds_log" 2>&1 &
    builds_pid=$!
fi
bash scripts/setup.sh installs

# The package's three release builds are most of a fresh machine's package stage. When other
# stages run before it, they start now, at the lowest priority, in their own session and
# target folder: they take the CPU the tests leave idle (the store tests mostly wait for
# scrapes) and cargo's lock makes the package stage wait for them if they are not done.
backend_log=target/package-backend.log
if [[ " ${stages[*]} " =~ \ (all|package)\  ]] && [[ ${stages[0]} != package ]]; then
    setsid nice -n 19 bash scripts/build-backend.sh >"$backend_log" 2>&1 &
    backend_pid=$!
fi
for s in "${stages[@]}"; do
    if [[ $s == all ]]; then fast; stores; browser; package; else "$s"; fi
done
step "done"
