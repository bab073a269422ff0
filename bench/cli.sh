#!/usr/bin/env bash
# Whole-process medians of the basic command line against the Node @wazir-dev/cli 1.0.0 figures
# measured on the same kind of machine (122 ms for --help, 221 ms for validate manifest).
# Prints figures; it is not a test. Usage: bench/cli.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
cargo build --release --locked -q -p wazir
bin=$PWD/target/release/wazir
t=bench/timeit.py
python3 $t --runs "$runs" --baseline-ms 122 "wazir --help" -- "$bin" --help
python3 $t --runs "$runs" --baseline-ms 221 --cwd kit "wazir validate manifest (kit)" -- "$bin" validate manifest
