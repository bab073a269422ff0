#!/usr/bin/env bash
# Whole-process medians of `wazir export build` and `wazir export check` on the kit (kit/ is
# itself a Wazir project), with the ratio against the Node reference (@wazir-dev/cli 1.0.0 on
# the same kind of machine: export build 283 ms, export check 255 ms).
#
#   bench/export.sh [--runs N]
#
# Works on a copy of the kit in a temporary folder, so the repository's kit/exports/ is never
# touched. Uses $WAZIR_BIN when set, else builds the release binary of this repository.
#
# Rows:
#   export build            packages already up to date (what a user re-running it sees)
#   export check            packages fresh
#   export build, cold      the output folder removed first: every file composed and written
#                           (each write is fsync'ed, so the disk dominates)
#   export check, stale     one role edited: every package compiled in full to name the files
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
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/kit"
(cd "$repo/kit" && tar --exclude=./exports -cf - .) | (cd "$work/kit" && tar -xf -)
out="$work/out"
cold="$work/cold"
(cd "$work/kit" && "$WAZIR_BIN" export build --out "$out" >/dev/null)
t() { python3 "$here/timeit.py" --runs "$runs" --cwd "$work/kit" "$@"; }

echo "wazir: $WAZIR_BIN ($("$WAZIR_BIN" --version))"
echo "project: copy of $repo/kit, $runs runs each after 3 warm-up runs"
echo "files: $(find "$out" -type f | wc -l) in 4 packages and the marketplace"
t --baseline-ms 283 "export build" -- "$WAZIR_BIN" export build --out "$out"
t --baseline-ms 255 "export check" -- "$WAZIR_BIN" export check --out "$out"
t "export build, cold (all files written)" -- \
  sh -c "rm -rf '$cold' && exec '$WAZIR_BIN' export build --out '$cold'"
printf '\n- One more failure condition, added by the benchmark.\n' >> "$work/kit/roles/reviewer.md"
t --expect-exit 1 "export check, stale (full compile)" -- "$WAZIR_BIN" export check --out "$out"
