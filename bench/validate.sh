#!/usr/bin/env bash
# Whole-process medians of `wazir validate hooks`, `wazir doctor` and `wazir validate all` run on
# the kit (kit/ is itself a Wazir project), with the ratio against the Node reference
# (@wazir-dev/cli 1.0.0 on the same kind of machine: validate hooks 197 ms, doctor 257 ms), and
# the other checks for context. Each line gives the wall-clock median and the median CPU time
# (user + system) of the process; CPU time barely moves when other work loads the machine.
#
#   bench/validate.sh [--runs N]
#
# Uses $WAZIR_BIN when set, else builds the release binary of this repository. Everything runs
# in a temporary folder (state root included), so nothing in the repository or your home changes.
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
export WAZIR_STATE_ROOT="$work/state"
# A copy of the kit as its own git repository, with host packages built by the binary under
# test, so doctor sees a healthy project and the git checks have a history to read.
cp -R "$repo/kit" "$work/kit"
cp "$repo/CHANGELOG.md" "$work/kit/CHANGELOG.md"
cd "$work/kit"
git init -q -b main .
git -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false \
  commit -q --allow-empty -m "chore: benchmark snapshot" >/dev/null
git add -A >/dev/null
git -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false \
  commit -q -m "chore: import the kit" >/dev/null
"$WAZIR_BIN" export build >/dev/null

echo "wazir: $WAZIR_BIN ($("$WAZIR_BIN" --version)); project: a copy of $repo/kit"
echo "$runs runs per command after 3 warm-up runs; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WAZIR_BIN" "$runs" <<'PY'
import resource, statistics, subprocess, sys, time

wazir, runs = sys.argv[1], int(sys.argv[2])
cases = [
    ("validate hooks", ["validate", "hooks"], 197.0),
    ("doctor", ["doctor"], 257.0),
    ("validate all", ["validate", "all"], None),
    ("validate manifest", ["validate", "manifest"], None),
    ("validate artifacts", ["validate", "artifacts"], None),
    ("validate docs", ["validate", "docs"], None),
    ("validate expertise", ["validate", "expertise"], None),
]
failed = False
for label, args, node in cases:
    walls, cpus = [], []
    for i in range(runs + 3):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.run([wazir] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = (time.perf_counter() - t0) * 1000.0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = ((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)) * 1000.0
        if p.returncode != 0:
            print(f"{label}: exit {p.returncode}; a failing check measures nothing", file=sys.stderr)
            failed = True
            break
        if i >= 3:
            walls.append(wall)
            cpus.append(cpu)
    if not walls:
        continue
    w, c = statistics.median(walls), statistics.median(cpus)
    line = f"{label:<20} wall median {w:8.1f} ms (min {min(walls):7.1f})   cpu median {c:7.1f} ms"
    if node:
        line += f"   Node 1.0.0 {node:.0f} ms -> {node / w:5.1f}x (wall), {node / c:5.1f}x (cpu)"
    print(line)
sys.exit(1 if failed else 0)
PY
