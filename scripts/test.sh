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
#   package  the packaged app (dist/, zip) and its checks; the fleet benchmark's figures; the
#            demo, once
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
    await engines "the engine builds (Prometheus 3, Thanos)"
    step "stores: Rust integration tests (stores, catalog values, Calico profiles, plugin protocol, simulator)"
    cargo test --workspace --test '*' --examples
    cargo test -q -p calicoscope-backend --bench flows
    cargo test -q -p calicoscope-backend --bench fleet
}

browser() {
    await wasm-bindgen "the wasm-bindgen-cli build"
    step "browser: panel wasm build, browser tests (headless chromium)"
    bash scripts/test-browser.sh
    step "browser: panel benchmarks (figures only, no timing assertions)"
    node tests/browser/bench.mjs
}

package() {
    await wasm-bindgen "the wasm-bindgen-cli build"
    await release "the release builds started at set-up"
    step "package: dist/ and the zip, catalog checks, provisioning and docker-compose checks"
    bash scripts/package.sh
    # The package test shows the harness rule fires on binaries that carry the harness.
    cargo test -q -p calicoscope-backend --test fuzz_regressions --examples --no-run
    node --test --test-reporter=spec tests/package/
    step "package: the fleet benchmark, 50 clusters × 200 nodes (figures only, no timing assertions)"
    cargo bench -q -p calicoscope-backend --bench fleet
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

# Background jobs, by name: each runs in its own session (so that an early exit stops it with
# its children) and logs to target/<name>.log; `await` waits for one where a stage needs it.
declare -A job_pid=()
background() { # NAME NICENESS COMMAND...
    local name=$1 niceness=$2
    shift 2
    setsid nice -n "$niceness" "$@" >"target/$name.log" 2>&1 &
    job_pid[$name]=$!
}
await() { # NAME WHAT
    local pid=${job_pid[$1]:-} rc=0
    [[ -n $pid ]] || return 0
    unset "job_pid[$1]"
    step "waiting for $2"
    wait "$pid" || rc=$?
    # The whole log when it failed; else its last lines (cargo install's are hundreds).
    if (( rc != 0 )); then cat "target/$1.log"; echo "$2 failed ($rc)" >&2; exit 1; fi
    tail -n 3 "target/$1.log"
}
trap 'for pid in "${job_pid[@]}"; do kill -- -"$pid" 2>/dev/null || true; done' EXIT

# Set-up: on a fresh machine the CPU-heavy builds start at once, beside the downloads and then
# the fast stage, which needs none of them: the engines (needed by stores), wasm-bindgen-cli
# (needed by browser, so it yields to the engines) and the package's three release builds
# (needed last, at the lowest priority: they take the CPU the tests leave idle, as the store
# tests mostly wait for scrapes; cargo's lock makes package.sh wait for them).
needs() { # STAGE...: whether a stage asked for is one of these (or `all`)
    local s
    for s in "${stages[@]}"; do [[ " all $* " == *" $s "* ]] && return 0; done
    return 1
}
step "set-up"
mkdir -p target
if needs stores; then background engines 0 bash scripts/setup.sh engines; fi
if needs browser package; then background wasm-bindgen 10 bash scripts/setup.sh wasm-bindgen; fi
bash scripts/setup.sh installs
if needs package && [[ ${stages[0]} != package ]]; then
    background release 19 bash scripts/build-backend.sh
fi
for s in "${stages[@]}"; do
    if [[ $s == all ]]; then fast; stores; browser; package; else "$s"; fi
done
step "done"
