#!/usr/bin/env bash
# Runs driftmon's whole test suite on a fresh machine: formatting, lints, unit, property,
# oracle, golden and end-to-end tests. Everything it needs is installed here.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# Shared SageMaker fixtures live beside the repository (../shared); tests skip them when absent.
export DRIFTMON_SHARED_DIR=${DRIFTMON_SHARED_DIR:-$(cd .. && pwd)/shared}

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace --release
echo "== core purity: driftmon-rules and driftmon-baseline depend on no tokio / aws crates"
if cargo tree -p driftmon-rules -e normal --prefix none | grep -E '^(tokio|aws-)'; then
  echo "driftmon-rules must stay pure" >&2
  exit 1
fi
echo "all tests passed"
