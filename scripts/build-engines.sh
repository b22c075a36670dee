#!/usr/bin/env bash
# Calicoscope: build the metrics engines the tests run against, from source, through the
# Go module proxy, cached by version (a second run only checks `--version`):
#
#   bash scripts/build-engines.sh           build what is missing
#   bash scripts/build-engines.sh --check   only report what is missing (exit 1 if anything is)
#
# Outputs ($CALICOSCOPE_CACHE, default ~/.cache/calicoscope):
#   prometheus-<version>/prometheus, prometheus-<version>/promtool
#   thanos-<version>/thanos
#
# Recorded facts:
#   - Prometheus 3 is published as Go module github.com/prometheus/prometheus v0.3XX.Y:
#     v0.316.0 is Prometheus 3.16.0 (the VERSION file in the module; checked at build time).
#     Built without the `builtinassets` tag, so no web UI is embedded (the HTTP API under
#     /api/v1 works; the UI pages answer with an error). No replace directives: plain go get.
#     Tag remove_all_sd (Prometheus's own) leaves out every service discovery but static
#     configs: the tests need none, and the cloud SDKs were most of the build time.
#   - Thanos's go.mod has replace directives, so `go install ...@v0.42.4` refuses. We build
#     from a throwaway module whose go.mod/go.sum are Thanos's own (module line renamed,
#     plus a require of Thanos itself). Tags netgo,slicelabels as upstream's .promu.yml
#     (without slicelabels the sidecar panics). Thanos v0.42.4 needs go >= 1.26.0.
#   - Version info is stamped with -ldflags on github.com/prometheus/common/version, like
#     upstream promu does, so `--version` and /api/v1/status/buildinfo tell the truth.
#   - Cold module cache, 2 cores: see the timings printed ("built in N s").
set -euo pipefail

# The versions live in engines.env, which the testkit reads too.
# shellcheck source=engines.env
source "$(dirname "$0")/engines.env"
PROM_MODULE_VERSION=$PROMETHEUS3_MODULE
PROM_VERSION=$PROMETHEUS3_VERSION

CHECK_ONLY=0
for arg in "$@"; do
    case "$arg" in
        --check) CHECK_ONLY=1 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "build-engines: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

say() { echo "build-engines: $*"; }
die() { say "ERROR: $*" >&2; exit 1; }

CACHE=${CALICOSCOPE_CACHE:-$HOME/.cache/calicoscope}
PROM_DIR=$CACHE/prometheus-$PROM_VERSION
THANOS_DIR=$CACHE/thanos-$THANOS_VERSION

# Never switch to a downloaded toolchain: build with the local go.
export GOTOOLCHAIN=local

# ok BINARY VERSION: the binary exists, runs, and reports VERSION.
ok() {
    [[ -x $1 ]] || return 1
    local out
    out=$("$1" --version 2>&1) || return 1
    [[ $out == *"version $2 "* ]]
}

TMPDIRS=()
cleanup() {
    local d
    for d in "${TMPDIRS[@]+"${TMPDIRS[@]}"}"; do
        # The module cache is read-only; build dirs hold no module files, but be safe.
        chmod -R u+w "$d" 2>/dev/null || true
        rm -rf "$d"
    done
}
trap cleanup EXIT

# new_workdir: make a throwaway module directory, set WORK to it and cd there.
# (Not called as $(new_workdir): TMPDIRS+= in a subshell would be lost, leaking the dir.)
new_workdir() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/calicoscope-engine.XXXXXX")
    TMPDIRS+=("$WORK")
    cd "$WORK"
}

# go_mod_field MODULE@VERSION FIELD: download the module and print one field of its JSON.
go_mod_field() {
    go mod download -json "$1" | sed -n "s/^[[:space:]]*\"$2\": \"\(.*\)\",\{0,1\}$/\1/p"
}

# ldflags VERSION REVISION: the -X flags promu sets (Branch HEAD, as in upstream releases).
ldflags() {
    local v=github.com/prometheus/common/version
    printf '%s ' -s -w \
        "-X $v.Version=$1" "-X $v.Revision=$2" "-X $v.Branch=HEAD" \
        "-X $v.BuildUser=$(id -un)@$(hostname)" "-X $v.BuildDate=$(date -u +%Y%m%d-%H:%M:%S)"
}

# quiet CMD...: run CMD, showing its (long: hundreds of "go: downloading") output only on failure.
quiet() {
    local log=$WORK/cmd.log rc=0
    "$@" >"$log" 2>&1 || rc=$?
    if (( rc != 0 )); then cat "$log" >&2; die "failed ($rc): $*"; fi
}

MISSING=()

# ---------------------------------------------------------------------------
# Prometheus
# ---------------------------------------------------------------------------
if ok "$PROM_DIR/prometheus" "$PROM_VERSION" && ok "$PROM_DIR/promtool" "$PROM_VERSION"; then
    say "prometheus $PROM_VERSION ok ($PROM_DIR)"
elif (( CHECK_ONLY )); then
    MISSING+=("prometheus-$PROM_VERSION"); say "prometheus $PROM_VERSION MISSING ($PROM_DIR)"
else
    command -v go >/dev/null 2>&1 || die "go is not installed"
    say "building prometheus $PROM_VERSION (module $PROM_MODULE_VERSION) into $PROM_DIR"
    start=$SECONDS
    new_workdir
    mod=github.com/prometheus/prometheus
    src=$(go_mod_field "$mod@$PROM_MODULE_VERSION" Dir)
    [[ -n $src && -f $src/VERSION ]] || die "cannot download $mod@$PROM_MODULE_VERSION"
    real=$(tr -d '[:space:]' <"$src/VERSION")
    [[ $real == "$PROM_VERSION" ]] || die "$mod@$PROM_MODULE_VERSION is Prometheus $real, not $PROM_VERSION: update PROM_VERSION"
    # The proxy's .info carries the commit when it knows it; else name the tag.
    rev=$(go_mod_field "$mod@$PROM_MODULE_VERSION" Hash || true)
    rev=${rev:-$PROM_MODULE_VERSION}
    go mod init calicoscope.local/build-prometheus >/dev/null 2>&1
    quiet go get "$mod/cmd/prometheus@$PROM_MODULE_VERSION" "$mod/cmd/promtool@$PROM_MODULE_VERSION"
    mkdir -p "$PROM_DIR"
    for cmd in prometheus promtool; do
        go build -trimpath -tags netgo,remove_all_sd -ldflags "$(ldflags "$PROM_VERSION" "$rev")" \
            -o "$PROM_DIR/.$cmd.tmp.$$" "$mod/cmd/$cmd"
        mv -f "$PROM_DIR/.$cmd.tmp.$$" "$PROM_DIR/$cmd"
    done
    cd - >/dev/null
    ok "$PROM_DIR/prometheus" "$PROM_VERSION" || die "built prometheus does not report version $PROM_VERSION"
    say "prometheus $PROM_VERSION ok (built in $((SECONDS - start)) s)"
fi

# ---------------------------------------------------------------------------
# Thanos
# ---------------------------------------------------------------------------
if ok "$THANOS_DIR/thanos" "$THANOS_VERSION"; then
    say "thanos $THANOS_VERSION ok ($THANOS_DIR)"
elif (( CHECK_ONLY )); then
    MISSING+=("thanos-$THANOS_VERSION"); say "thanos $THANOS_VERSION MISSING ($THANOS_DIR)"
else
    command -v go >/dev/null 2>&1 || die "go is not installed"
    say "building thanos $THANOS_VERSION into $THANOS_DIR"
    start=$SECONDS
    new_workdir
    mod=github.com/thanos-io/thanos
    src=$(go_mod_field "$mod@v$THANOS_VERSION" Dir)
    [[ -n $src && -f $src/go.mod ]] || die "cannot download $mod@v$THANOS_VERSION"
    rev=$(go_mod_field "$mod@v$THANOS_VERSION" Hash || true)
    rev=${rev:-v$THANOS_VERSION}
    # Thanos's own go.mod (keeps its replace directives), renamed, requiring Thanos itself.
    sed 's|^module .*|module calicoscope.local/build-thanos|' "$src/go.mod" >go.mod
    printf '\nrequire %s v%s\n' "$mod" "$THANOS_VERSION" >>go.mod
    cp "$src/go.sum" go.sum
    chmod u+w go.mod go.sum
    quiet go get "$mod/cmd/thanos@v$THANOS_VERSION"
    mkdir -p "$THANOS_DIR"
    go build -trimpath -tags netgo,slicelabels -ldflags "$(ldflags "$THANOS_VERSION" "$rev")" \
        -o "$THANOS_DIR/.thanos.tmp.$$" "$mod/cmd/thanos"
    mv -f "$THANOS_DIR/.thanos.tmp.$$" "$THANOS_DIR/thanos"
    cd - >/dev/null
    ok "$THANOS_DIR/thanos" "$THANOS_VERSION" || die "built thanos does not report version $THANOS_VERSION"
    say "thanos $THANOS_VERSION ok (built in $((SECONDS - start)) s)"
fi

if (( ${#MISSING[@]} > 0 )); then
    say "missing: ${MISSING[*]} (bash scripts/build-engines.sh)"
    exit 1
fi
