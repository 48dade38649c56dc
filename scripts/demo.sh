#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run
# `tramite demo` on the embedded default (a SQLite file and a local folder
# under ./tramite-data).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-dependencies.sh
cargo build --locked --bin tramite
exec ./target/debug/tramite demo "$@"
