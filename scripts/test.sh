#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, then run
# every test: unit tests, and integration tests that drive the real binary on
# real files with real tesseract.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-dependencies.sh
cargo test --locked --workspace --no-fail-fast
