#!/usr/bin/env bash
# The backend binaries the package ships: release builds for linux amd64, linux arm64 and
# windows amd64, in one cargo call, in their own target folder (cross linkers are set in
# .cargo/config.toml and installed by scripts/setup.sh). scripts/package.sh runs it;
# scripts/test.sh also starts it early, in the background, so that the builds use the CPU the
# test stages leave idle.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p calicoscope-backend --bin gpx_calicoscope \
    --target-dir target/package-backend \
    --target x86_64-unknown-linux-gnu \
    --target aarch64-unknown-linux-gnu \
    --target x86_64-pc-windows-gnu
