#!/usr/bin/env bash
# Calicoscope: install what the tests and the demo need on a fresh Debian machine.
#
#   bash scripts/setup.sh [part]           install what is missing (idempotent; we run as root)
#   bash scripts/setup.sh --check [part]   only report what is missing (exit 1 if anything is)
#
# Parts (default: all of them, in this order): `installs` (Debian packages, Rust targets, npm
# packages, Go modules: mostly waiting on the network), `engines` (Prometheus 3 and Thanos
# from source) and `wasm-bindgen` (wasm-bindgen-cli), both CPU. scripts/test.sh runs the two
# builds in the background beside the installs and waits for each where a stage needs it.
#
# Each section checks first and installs only what is missing. Append new sections
# (npm packages, chromium, ...) below the existing ones, using the same helpers.
#
# Recorded facts (Debian bookworm packages):
#   prometheus 2.42       -> /usr/bin/prometheus (also /usr/bin/promtool)
#   victoria-metrics 1.79 -> /usr/bin/victoria-metrics  (`dpkg -L victoria-metrics | grep bin/`)
set -euo pipefail

CHECK_ONLY=0
PART=all
for arg in "$@"; do
    case "$arg" in
        --check) CHECK_ONLY=1 ;;
        installs|engines|wasm-bindgen) PART=$arg ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "setup: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

ROOT_DIR=$(cd "$(dirname "$0")/.." && pwd)
MISSING=()
say() { echo "setup: $*"; }
missing() { MISSING+=("$1"); say "$1 MISSING"; }

apt_busy() {
    if command -v fuser >/dev/null 2>&1; then
        fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock \
            /var/cache/apt/archives/lock >/dev/null 2>&1
    else
        pgrep -x apt-get >/dev/null 2>&1 || pgrep -x apt >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1
    fi
}

# Wait (up to 10 minutes) while another apt-get/dpkg holds the locks.
wait_for_apt_locks() {
    local waited=0
    while apt_busy; do
        if (( waited == 0 )); then say "waiting for another apt/dpkg to finish"; fi
        if (( waited >= 600 )); then say "apt/dpkg locks still held after 600 s"; return 1; fi
        sleep 3; waited=$((waited + 3))
    done
}

APT_UPDATED=0
apt_install() {
    wait_for_apt_locks || true
    if (( APT_UPDATED == 0 )); then
        say "apt-get update"
        # -o DPkg::Lock::Timeout makes apt itself wait for the lock too (apt >= 1.9).
        apt-get -o DPkg::Lock::Timeout=600 update -q
        APT_UPDATED=1
    fi
    # Keep package scripts from starting daemons (they would listen on all
    # interfaces): a temporary policy-rc.d denies service starts during install.
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; own_policy=1
    fi
    say "apt-get install -y $*"
    local rc=0
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
        --no-install-recommends "$@" || rc=$?
    if (( own_policy )); then rm -f "$policy"; fi
    return "$rc"
}

# (No `dpkg -s | grep -q` here: with pipefail, grep's early exit makes dpkg die of SIGPIPE.)
deb_installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]; }

# ---------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------
# gcc-aarch64-linux-gnu and libc6-dev-arm64-cross build the linux/arm64 backend binary of
# the plugin package, gcc-mingw-w64-x86-64 the windows/amd64 one (ring compiles C for them);
# qemu-user runs the arm64 binary in the package test.
debs() {
    DEB_PACKAGES=(prometheus victoria-metrics chromium gcc-aarch64-linux-gnu libc6-dev-arm64-cross
        gcc-mingw-w64-x86-64 qemu-user)

    need_deb=()
    for pkg in "${DEB_PACKAGES[@]}"; do
        if deb_installed "$pkg"; then
            say "$pkg ok"
        elif (( CHECK_ONLY )); then
            missing "$pkg"
        else
            need_deb+=("$pkg")
        fi
    done
    if (( ${#need_deb[@]} > 0 )); then
        apt_install "${need_deb[@]}"
        for pkg in "${need_deb[@]}"; do
            deb_installed "$pkg" || { say "$pkg failed to install"; exit 1; }
            say "$pkg ok (installed)"
        done
    fi

    # The Debian prometheus package may start system services listening on all
    # interfaces. Tests start their own instances on loopback, so stop any service
    # we may have caused. systemd is usually not PID 1 here: tolerate that.
    if (( ! CHECK_ONLY )); then
        for svc in prometheus prometheus-node-exporter victoria-metrics; do
            systemctl stop "$svc" 2>/dev/null || true
            # Without systemd, the package's init script may have started a daemon.
            if [[ -x /etc/init.d/$svc ]]; then /etc/init.d/"$svc" stop >/dev/null 2>&1 || true; fi
        done
        say "system services prometheus, prometheus-node-exporter, victoria-metrics stopped (if any ran)"
    fi

    # Record and verify the binaries the testkit crate runs.
    if deb_installed prometheus; then
        PROM_BIN=$(command -v prometheus || true)
        if [[ -n "$PROM_BIN" ]]; then
            say "prometheus binary $PROM_BIN ($(dpkg-query -W -f='${Version}' prometheus)) ok"
        else
            missing "prometheus binary"
        fi
    fi
    if deb_installed victoria-metrics; then
        VM_BIN=$(dpkg -L victoria-metrics | grep -E '/s?bin/' | head -1 || true)
        if [[ -n "$VM_BIN" && -x "$VM_BIN" ]]; then
            # (Debian's build prints an empty -version: report the package version.)
            say "victoria-metrics binary $VM_BIN ($(dpkg-query -W -f='${Version}' victoria-metrics)) ok"
        else
            missing "victoria-metrics binary"
        fi
    fi
}

# ---------------------------------------------------------------------------
# Rust targets
# ---------------------------------------------------------------------------
rust_targets() {
    RUST_TARGETS=(wasm32-unknown-unknown aarch64-unknown-linux-gnu x86_64-pc-windows-gnu)

    if ! command -v rustup >/dev/null 2>&1; then
        missing "rustup"
    else
        installed_targets=$(rustup target list --installed)
        for target in "${RUST_TARGETS[@]}"; do
            if grep -qx "$target" <<<"$installed_targets"; then
                say "rust target $target ok"
            elif (( CHECK_ONLY )); then
                missing "rust target $target"
            else
                say "rustup target add $target"
                rustup target add "$target"
                say "rust target $target ok (installed)"
            fi
        done
    fi
}

# ---------------------------------------------------------------------------
# wasm-bindgen-cli, pinned to the exact wasm-bindgen in Cargo.lock (the CLI refuses a
# module built by another version). Installed into a cache root keyed by version, so a
# second machine run takes no time; scripts/build-panel.sh puts it on PATH.
# (`--locked` fails here: a locked dependency is missing from the registry index.)
# ---------------------------------------------------------------------------
wasm_bindgen() {
    WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT_DIR/Cargo.lock")
    WBG_ROOT=${CALICOSCOPE_CACHE:-$HOME/.cache/calicoscope}/wasm-bindgen-$WBG_VERSION
    if [[ -x $WBG_ROOT/bin/wasm-bindgen ]]; then
        say "wasm-bindgen-cli $WBG_VERSION ok ($WBG_ROOT/bin)"
    elif (( CHECK_ONLY )); then
        missing "wasm-bindgen-cli $WBG_VERSION (cargo install wasm-bindgen-cli --version $WBG_VERSION --root $WBG_ROOT)"
    else
        say "cargo install wasm-bindgen-cli --version $WBG_VERSION (about 3.5 minutes on 2 cores)"
        cargo install wasm-bindgen-cli --version "$WBG_VERSION" --root "$WBG_ROOT"
        say "wasm-bindgen-cli $WBG_VERSION ok (installed)"
    fi
}

# ---------------------------------------------------------------------------
# npm packages (package-lock.json): the frontend's toolchain (create-plugin's webpack, SWC,
# TypeScript, ESLint with @grafana/eslint-config, Jest, Testing Library), playwright-core drives Debian's chromium, the
# test host loads real react / react-dom / @grafana/data / systemjs, binaryen's
# wasm-opt (Debian's binaryen 108 emits modules Chromium rejects), echarts for the
# heatmap benchmark, esbuild bundles the host's shared modules.
# ---------------------------------------------------------------------------
# npm ci writes node_modules/.package-lock.json: newer than the lock file means up to date.
# npm_ci <dir> <what> [npm ci flags...]
npm_ci() {
    local dir=$1 what=$2
    shift 2
    if [[ $dir/node_modules/.package-lock.json -nt $dir/package-lock.json ]]; then
        say "$what ok"
    elif (( CHECK_ONLY )); then
        missing "$what (cd $dir && npm ci)"
    else
        say "npm ci: $what"
        (cd "$dir" && npm ci --no-audit --no-fund "$@")
        say "$what ok (installed)"
    fi
}
npm_packages() {
    npm_ci "$ROOT_DIR" "npm packages"
    # The oldest Grafana we claim (grafanaDependency >=10.4.0): its @grafana packages and React 18
    # in tests/grafana-10.4, for the second type check and the React 18 browser hosts.
    npm_ci "$ROOT_DIR/tests/grafana-10.4" "npm packages of tests/grafana-10.4" --ignore-scripts
}

# ---------------------------------------------------------------------------
# Metrics engines built from source through the Go module proxy, cached by version
# (scripts/build-engines.sh; versions in scripts/engines.env): Prometheus 3 and Thanos (their
# times from an empty module cache: the README's Testing section). And the modules of
# tests/grafana-sdk (Grafana's Go plugin SDK, whose decoder judges our frames).
# ---------------------------------------------------------------------------
engines() {
    if ! command -v go >/dev/null 2>&1; then
        missing "go (the machine's Go toolchain builds Prometheus 3, Thanos and tests/grafana-sdk)"
    elif bash "$ROOT_DIR/scripts/build-engines.sh" --check >/dev/null 2>&1; then
        say "engines ok (Prometheus 3, Thanos)"
    elif (( CHECK_ONLY )); then
        missing "engines (bash scripts/build-engines.sh)"
    else
        bash "$ROOT_DIR/scripts/build-engines.sh"
    fi
}

go_modules() {
    if command -v go >/dev/null 2>&1 && (( ! CHECK_ONLY )); then
        (cd "$ROOT_DIR/tests/grafana-sdk" && GOTOOLCHAIN=local go mod download)
        say "tests/grafana-sdk modules ok"
    fi
}

installs() { debs; rust_targets; npm_packages; go_modules; }

case $PART in
    installs) installs ;;
    engines) engines ;;
    wasm-bindgen) wasm_bindgen ;;
    all) installs; engines; wasm_bindgen ;;
esac

# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------
# Check that nothing we started listens on a non-loopback address.
if command -v ss >/dev/null 2>&1; then
    exposed=$(ss -Hltnp 2>/dev/null | grep -E 'prometheus|victoria' \
        | awk '{print $4}' | grep -vE '^(127\.|\[::1\]|localhost)' || true)
    if [[ -n "$exposed" ]]; then
        say "WARNING: metrics store listening on non-loopback: $exposed"
    fi
fi

if (( ${#MISSING[@]} > 0 )); then
    say "missing: ${MISSING[*]}"
    exit 1
fi
say "$PART ok"
