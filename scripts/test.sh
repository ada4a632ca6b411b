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
echo "== cargo clippy, driftmon-monitor without AWS (features s3 / cloudwatch off)"
cargo clippy -p driftmon-monitor --no-default-features --all-targets -- -D warnings
echo "== local AWS-compatible servers: moto (S3, CloudWatch, IAM, SageMaker) and the CloudWatch CBOR proxy"
# moto[server] (with boto3), cbor2 and aiosmtpd (the e-mail tests' SMTP server) live in .venv/
# (gitignored), created here on a fresh machine.
VENV=$(pwd)/.venv
if ! "$VENV/bin/python" -c 'import moto, cbor2, flask, boto3, aiosmtpd' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'moto[server]>=5.1,<6' 'cbor2>=5.6' \
    'aiosmtpd>=1.4'
fi
# The action tests (tests/tests/actions.rs) run boto3 and tests/support/smtp_sink.py with it.
export DRIFTMON_TEST_PYTHON="$VENV/bin/python"
SERVER_LOGS=$(mktemp -d)
SERVER_PIDS=()
stop_servers() {
  for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_servers EXIT
free_port() {
  "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_http() { # url name
  "$VENV/bin/python" - "$1" <<'PY' || { echo "$2 did not start; its log:" >&2; cat "$SERVER_LOGS/$2.log" >&2; exit 1; }
import sys, time, urllib.request, urllib.error
for _ in range(300):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=1)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}
start_moto() { # name -> sets PORT
  PORT=$(free_port)
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$SERVER_LOGS/$1.log" 2>&1 &
  SERVER_PIDS+=($!)
  wait_http "http://127.0.0.1:$PORT/moto-api/" "$1"
}
start_moto moto
MOTO_PORT=$PORT
# A second moto that enforces IAM, for the access-denied test.
start_moto moto-iam
IAM_PORT=$PORT
CW_PORT=$(free_port)
"$VENV/bin/python" tests/support/cw_cbor_proxy.py --upstream "http://127.0.0.1:$MOTO_PORT" \
  --port "$CW_PORT" >"$SERVER_LOGS/cw-proxy.log" 2>&1 &
SERVER_PIDS+=($!)
wait_http "http://127.0.0.1:$CW_PORT/" cw-proxy
IAM_KEYS=$("$VENV/bin/python" tests/support/moto_iam_setup.py --endpoint "http://127.0.0.1:$IAM_PORT")
export DRIFTMON_TEST_MOTO_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
export DRIFTMON_TEST_CW_ENDPOINT="http://127.0.0.1:$CW_PORT"
export DRIFTMON_TEST_IAM_ENDPOINT="http://127.0.0.1:$IAM_PORT"
DRIFTMON_TEST_IAM_ACCESS_KEY_ID=$(printf '%s\n' "$IAM_KEYS" | sed -n 1p)
DRIFTMON_TEST_IAM_SECRET_ACCESS_KEY=$(printf '%s\n' "$IAM_KEYS" | sed -n 2p)
export DRIFTMON_TEST_IAM_ACCESS_KEY_ID DRIFTMON_TEST_IAM_SECRET_ACCESS_KEY
echo "moto on :$MOTO_PORT, moto with IAM on :$IAM_PORT, CloudWatch CBOR proxy on :$CW_PORT"

echo "== headless Chromium (Debian's package) for the report's browser tests"
if ! command -v chromium >/dev/null 2>&1; then
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$SERVER_LOGS/apt.log" 2>&1; then
    echo "warning: could not install chromium (see $SERVER_LOGS/apt.log); the browser tests will skip" >&2
  fi
fi
echo "== oracles: scipy, scikit-learn, smclarify 0.5 and shap regenerate the reference values"
# The Rust oracle tests read rules/oracle/*_reference.json; here the independent libraries
# compute them again from the scripts kept beside them, and any difference fails the suite.
# The libraries live in .venv-oracle/ (gitignored), created here on a fresh machine.
ORACLE=$(pwd)/.venv-oracle
if ! "$ORACLE/bin/python" -c 'import smclarify, shap, scipy, sklearn, pandas, mpmath' 2>/dev/null; then
  python3 -m venv "$ORACLE"
  "$ORACLE/bin/pip" install --quiet --disable-pip-version-check --no-deps 'smclarify==0.5'
  "$ORACLE/bin/pip" install --quiet --disable-pip-version-check 'pandas==3.1.1' 'numpy==2.4.6' \
    'scikit-learn==1.9.1' 'pyfunctional==1.5.0' 'shap==0.51.0' 'scipy==1.17.1' 'mpmath==1.3.0'
fi
for gen in gen_reference gen_model_quality gen_bias gen_shap gen_ndcg; do
  "$ORACLE/bin/python" "rules/oracle/$gen.py" >/dev/null 2>&1 || { echo "rules/oracle/$gen.py failed" >&2; exit 1; }
done
if ! git diff --quiet -- rules/oracle; then
  git --no-pager diff --stat -- rules/oracle >&2
  echo "the oracles disagree with the committed reference values (rules/oracle)" >&2
  exit 1
fi

echo "== build the driftmon and driftmon-lambda binaries that the CLI and Lambda tests drive"
cargo build --release -p driftmon-monitor --bin driftmon
cargo build --release -p driftmon-lambda --bin driftmon-lambda

echo "== cargo test"
cargo test --workspace --release
echo "== core purity: driftmon-rules and driftmon-baseline depend on no tokio / aws crates"
if cargo tree -p driftmon-rules -e normal --prefix none | grep -E '^(tokio|aws-)'; then
  echo "driftmon-rules must stay pure" >&2
  exit 1
fi
if cargo tree -p driftmon-baseline -e normal --prefix none | grep -E '^(tokio|aws-)'; then
  echo "driftmon-baseline must stay pure" >&2
  exit 1
fi
echo "== control purity: monitor/src/control imports no tokio, no AWS crate, no other room of the crate"
if grep -rnE '\b(tokio|aws_[a-z_]+|lettre)::|crate::(adapters|daemon|job|monitors|cli|config|report|wiring)\b' \
  monitor/src/control --include='*.rs' | grep -v '/tests\.rs:' | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//'; then
  echo "monitor/src/control must stay pure (schedules, state, policy)" >&2
  exit 1
fi
echo "all tests passed"
