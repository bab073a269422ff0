#!/usr/bin/env bash
# Benchmark `wazir index` on any folder: build, refresh (unchanged), recall and summarize
# medians, and, when universal-ctags is installed, the share of ctags' definitions the index
# also finds plus the build/ctags wall-time ratio.
#
#   bench/index.sh DIR [--runs N] [--no-summarize] [--misses N] [--refresh-files N]
#
# With --refresh-files N it first times an unchanged `index refresh` on a tree of at least N
# files made of hard-linked copies of DIR (100000 for the large-tree figure).
#
# Uses $WAZIR_BIN when set, else builds the release binary of this repository.
set -euo pipefail
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: bench/index.sh DIR [--runs N] [--recall-runs N] [--no-summarize] [--misses N] [--refresh-files N]" >&2
  exit 1
fi
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
if [ -z "${WAZIR_BIN:-}" ]; then
  (cd "$repo" && cargo build --release -p wazir >&2)
  WAZIR_BIN="$repo/target/release/wazir"
fi
dir="$1"
shift
exec python3 "$here/index_bench.py" "$dir" --bin "$WAZIR_BIN" "$@"
