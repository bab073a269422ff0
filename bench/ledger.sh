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
# `capture init` needs a fresh run id each time, which timeit.py cannot vary: time it here the
# same way (whole process, warm-up runs first, median), with ids init-0, init-1, …
python3 - "$bin" "$state" "$runs" <<'PY'
import statistics, subprocess, sys, time
bin, state, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = []
for i in range(runs + 3):
    cmd = [bin, "--state-root", state, "capture", "init", "--run", f"init-{i}", "--phase", "execute"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = (time.perf_counter() - t0) * 1000.0
    if p.returncode != 0:
        sys.exit(f"capture init failed: {' '.join(cmd)}")
    if i >= 3:
        times.append(dt)
med = statistics.median(times)
print(f"{'capture init (new run each time)':<44} median {med:8.2f} ms   min {min(times):8.2f}   "
      f"max {max(times):8.2f}   ({runs} runs)   baseline 155 ms -> {155 / med:6.1f}x faster")
PY
lines=$(wc -l < "$state/runs/bench/events.ndjson")
echo "events recorded during the bench: $lines"
