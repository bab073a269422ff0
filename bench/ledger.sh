#!/usr/bin/env bash
# Whole-process medians of the run ledger's hot commands, against the Node @wazir-dev/cli 1.0.0
# figure for `capture init` (155 ms on the same kind of machine; the aim is 40x faster, under
# 3.9 ms). Runs in a throwaway project and state root. Prints figures; it is not a test.
# Usage: bench/ledger.sh [RUNS]   (WAZIR_BIN=path uses that binary instead of a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100}
if [[ -n "${WAZIR_BIN:-}" ]]; then
  bin=$WAZIR_BIN
else
  cargo build --release --locked -q -p wazir
  bin=$PWD/target/release/wazir
fi
t=$PWD/bench/timeit.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp kit/wazir.manifest.yaml "$work/"
state=$work/state
w() { "$bin" --state-root "$state" "$@"; }
(cd "$work" && w capture init --run bench --phase execute >/dev/null)

cd "$work"
echo "binary: $bin"
python3 "$t" --runs "$runs" --baseline-ms 155 "capture event (note, locked append)" -- \
  "$bin" --state-root "$state" capture event --event note --phase execute --message bench
python3 "$t" --runs "$runs" --baseline-ms 155 "capture event (phase_enter, rules)" -- \
  "$bin" --state-root "$state" capture event --event phase_enter --phase execute
python3 "$t" --runs "$runs" --baseline-ms 155 "status (latest run)" -- \
  "$bin" --state-root "$state" status
python3 "$t" --runs "$runs" --baseline-ms 155 "status --json" -- \
  "$bin" --state-root "$state" --json status
python3 "$t" --runs "$runs" --baseline-ms 155 "capture loop-check" -- \
  "$bin" --state-root "$state" capture loop-check --phase execute
lines=$(wc -l < "$state/runs/bench/events.ndjson")
echo "events recorded during the bench: $lines"
