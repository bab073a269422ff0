#!/usr/bin/env bash
# Whole-process medians of `wazir validate all`, `wazir doctor` and `wazir validate hooks` run
# on the kit (kit/ is itself a Wazir project), with the ratio against the Node reference
# (@wazir-dev/cli 1.0.0 on the same kind of machine: validate hooks 197 ms, doctor 257 ms).
#
#   bench/validate.sh [--runs N]
#
# Uses $WAZIR_BIN when set, else builds the release binary of this repository. The state root
# is a fresh temporary folder, so doctor writes nothing in your home folder.
set -euo pipefail
runs=30
if [ "${1:-}" = "--runs" ] && [ -n "${2:-}" ]; then
  runs="$2"
fi
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
if [ -z "${WAZIR_BIN:-}" ]; then
  (cd "$repo" && cargo build --release -p wazir >&2)
  WAZIR_BIN="$repo/target/release/wazir"
fi
state="$(mktemp -d)"
trap 'rm -rf "$state"' EXIT
export WAZIR_STATE_ROOT="$state"
kit="$repo/kit"
t() { python3 "$here/timeit.py" --runs "$runs" --cwd "$kit" "$@"; }

echo "wazir: $WAZIR_BIN ($("$WAZIR_BIN" --version))"
echo "project: $kit, state root: $state, $runs runs each after 3 warm-up runs"
t --baseline-ms 197 "validate hooks" -- "$WAZIR_BIN" validate hooks
t --baseline-ms 257 "doctor" -- "$WAZIR_BIN" doctor
t "validate all" -- "$WAZIR_BIN" validate all
t "validate artifacts" -- "$WAZIR_BIN" validate artifacts
t "validate docs" -- "$WAZIR_BIN" validate docs
t "validate expertise" -- "$WAZIR_BIN" validate expertise
