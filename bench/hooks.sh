#!/usr/bin/env bash
# Whole-process medians of the hook runtime, per host, then `pre-tool` (the one command each host
# registers before a tool) over the guard table's whole suite, per host, and the number of
# processes each host starts for one shell call before and after `pre-tool`. First the
# protected-path guard on an ordinary write (allow) and on a write into a protected folder
# (block), and the loop-cap guard on a ledger call it must check against the run's state
# (`wazir capture event --event phase_enter --phase plan`, which reads runs/latest,
# status.json and the phase's workflow). Each figure is
# compared with the Node @wazir-dev/cli 1.0.0 guards measured on the same kind of machine:
# 96 ms (protected-path allow), 107 ms (protected-path block), 43 ms (loop-cap).
#
#   bench/hooks.sh [RUNS]
#
# Uses hyperfine when installed (it subtracts the shell's own start-up from each run), else a
# loop timed with `date +%s%N` (BENCH_TIMER=loop forces the loop). Uses $WAZIR_BIN when set,
# else builds the release binary.
# Prints figures; it is not a test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
runs=${1:-200}
if [ -z "${WAZIR_BIN:-}" ]; then
  (cd "$repo" && cargo build --release -q -p wazir >&2)
  WAZIR_BIN="$repo/target/release/wazir"
fi
bin="$WAZIR_BIN"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
proj="$work/project"
mkdir -p "$proj/src" "$proj/roles" "$work/payloads"
cp "$repo/kit/wazir.manifest.yaml" "$proj/"
cp -r "$repo/kit/workflows" "$proj/workflows"
echo 'fn main() {}' > "$proj/src/main.rs"
export WAZIR_STATE_ROOT="$work/state"
unset CLAUDE_PROJECT_DIR GEMINI_PROJECT_DIR WAZIR_APPROVED_FLOW
(cd "$proj" && "$bin" capture init --run bench --phase plan >/dev/null)

# One payload file per host and case, shaped as each host sends it.
cat > "$work/payloads.py" <<'PY'
import json, sys
proj, out = sys.argv[1], sys.argv[2]
ledger = "wazir capture event --event phase_enter --phase plan"
def write(host, path):
    if host == "claude":
        return {"session_id": "s", "transcript_path": "/tmp/t", "cwd": proj, "permission_mode": "default",
                "hook_event_name": "PreToolUse", "tool_name": "Write",
                "tool_input": {"file_path": f"{proj}/{path}", "content": "x"}, "tool_use_id": "t"}
    if host == "codex":
        return {"session_id": "s", "turn_id": "t", "transcript_path": None, "cwd": proj,
                "hook_event_name": "PreToolUse", "model": "m", "permission_mode": "default",
                "tool_name": "apply_patch", "tool_use_id": "c",
                "tool_input": {"command": f"*** Begin Patch\n*** Add File: {path}\n+x\n*** End Patch\n"}}
    if host == "gemini":
        return {"session_id": "s", "transcript_path": "/tmp/t", "cwd": proj, "hook_event_name": "BeforeTool",
                "timestamp": "2026-11-26T14:37:05.264Z", "tool_name": "write_file",
                "tool_input": {"file_path": f"{proj}/{path}", "content": "x"}}
    return {"conversation_id": "c", "generation_id": "g", "hook_event_name": "preToolUse",
            "workspace_roots": [proj], "tool_name": "Write", "tool_input": {"file_path": f"{proj}/{path}"}}
def shell(host, cmd):
    if host == "claude":
        return {"session_id": "s", "cwd": proj, "hook_event_name": "PreToolUse", "tool_name": "Bash",
                "tool_input": {"command": cmd}, "tool_use_id": "t"}
    if host == "codex":
        return {"session_id": "s", "turn_id": "t", "transcript_path": None, "cwd": proj,
                "hook_event_name": "PreToolUse", "model": "m", "permission_mode": "default",
                "tool_name": "Bash", "tool_input": {"command": cmd}, "tool_use_id": "c"}
    if host == "gemini":
        return {"session_id": "s", "cwd": proj, "hook_event_name": "BeforeTool",
                "tool_name": "run_shell_command", "tool_input": {"command": cmd}}
    return {"conversation_id": "c", "generation_id": "g", "hook_event_name": "beforeShellExecution",
            "workspace_roots": [proj], "command": cmd, "cwd": proj}
for host in ["claude", "codex", "gemini", "cursor"]:
    for name, payload in [("allow", write(host, "src/new.rs")), ("block", write(host, "roles/new.md")),
                          ("loopcap", shell(host, ledger))]:
        with open(f"{out}/{host}-{name}.json", "w") as f:
            json.dump(payload, f)
PY
python3 "$work/payloads.py" "$proj" "$work/payloads"

# Checks the decision before timing it: a benchmark of a wrong answer measures nothing.
expect() {
  local code=0
  (cd "$proj" && "$bin" hook --host "$1" "$2" < "$3" >/dev/null 2>&1) || code=$?
  if [ "$code" != "$4" ]; then
    echo "bench/hooks.sh: $1 $2 $(basename "$3") exited $code, expected $4" >&2
    exit 1
  fi
}

use_hyperfine() { [ "${BENCH_TIMER:-}" != loop ] && command -v hyperfine >/dev/null 2>&1; }

median_ms() { # host event payload -> median milliseconds
  if use_hyperfine; then
    (cd "$proj" && hyperfine --style none -i --warmup 10 --runs "$runs" \
      --export-json "$work/h.json" "'$bin' hook --host $1 $2 < '$3'" >/dev/null 2>&1)
    python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$work/h.json"
  else
    # Runs inside $(…), so the cd stays here. Bash's EPOCHREALTIME is read without starting
    # a process; `date +%s%N` (two processes per run, counted in the figure) is the fallback.
    local i t0 t1
    cd "$proj"
    : > "$work/times"
    for ((i = 0; i < runs + 10; i++)); do
      if [ -n "${EPOCHREALTIME:-}" ]; then t0=${EPOCHREALTIME/[.,]/}; else t0=$(($(date +%s%N) / 1000)); fi
      "$bin" hook --host "$1" "$2" < "$3" >/dev/null 2>&1 || true
      if [ -n "${EPOCHREALTIME:-}" ]; then t1=${EPOCHREALTIME/[.,]/}; else t1=$(($(date +%s%N) / 1000)); fi
      [ "$i" -ge 10 ] && echo $((t1 - t0)) >> "$work/times"
    done
    sort -n "$work/times" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f\n", m / 1000}'
  fi
}

tool=$(use_hyperfine && echo "hyperfine $(hyperfine --version | cut -d' ' -f2)" || echo "timed loop")
echo "wazir hook: whole-process medians over $runs runs ($tool), $(nproc) cores"
printf '%-8s %-22s %10s %10s %10s\n' host case "median ms" "Node ms" "faster"
for host in claude codex gemini cursor; do
  p="$work/payloads/$host"
  expect "$host" protected-path "$p-allow.json" 0
  # Gemini blocks with its JSON deny on exit 0 (exit 2 would show the user a failed-hook
  # warning); every other host blocks with exit 2.
  if [ "$host" = gemini ]; then block_code=0; else block_code=2; fi
  expect "$host" protected-path "$p-block.json" "$block_code"
  expect "$host" loop-cap "$p-loopcap.json" 0
  for row in "protected-path allow:protected-path:$p-allow.json:96" \
             "protected-path block:protected-path:$p-block.json:107" \
             "loop-cap (ledger call):loop-cap:$p-loopcap.json:43"; do
    IFS=: read -r label event file node <<< "$row"
    ms=$(median_ms "$host" "$event" "$file")
    ratio=$(python3 -c "print('%.0fx' % ($node / max($ms, 0.001)))")
    printf '%-8s %-22s %10s %10s %10s\n' "$host" "$label" "$ms" "$node" "$ratio"
  done
done

# The guard table's suite (crates/wazir-hook/tests/it/guard_table.rs): every row on every host,
# each payload run once through the whole process as the hosts call it, `pre-tool` (the guards
# and capture routing in one process; best of 3 against a busy machine). Prints the median and
# the worst case per host and over the whole suite, and the payload of the worst.
suite="$work/suite"
if ! (cd "$repo" && WAZIR_GUARD_SUITE_DIR="$suite" cargo test -q -p wazir-hook --test it \
      guard_table::the_guard >"$work/suite.log" 2>&1); then
  echo "bench/hooks.sh: the guard table failed; see its output:" >&2
  cat "$work/suite.log" >&2
  exit 1
fi
: > "$work/suite-times"
wrong=0
for f in "$suite"/payloads/*.json; do
  name=$(basename "$f" .json)
  host=$(echo "$name" | cut -d- -f2)
  # A block is exit 2, except on Gemini, which blocks with its JSON deny on exit 0.
  want=$([ "${name##*-}" = block ] && [ "$host" != gemini ] && echo 2 || echo 0)
  best=
  for _ in 1 2 3; do
    code=0
    t0=${EPOCHREALTIME/[.,]/}
    "$bin" hook --host "$host" --state-root "$suite/state" pre-tool < "$f" >/dev/null 2>&1 \
      || code=$?
    t1=${EPOCHREALTIME/[.,]/}
    d=$((t1 - t0))
    if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
  done
  if [ "$code" != "$want" ]; then
    echo "bench/hooks.sh: $name exited $code, expected $want" >&2
    wrong=$((wrong + 1))
  fi
  echo "$best $host $name" >> "$work/suite-times"
done
echo
echo "pre-tool over the guard suite: whole-process median and worst case (best of 3 per payload)"
printf '%-8s %9s %10s %10s  %s\n' host payloads "median ms" "worst ms" "worst payload"
for host in claude codex gemini cursor all; do
  sort -n "$work/suite-times" | awk -v h="$host" '(h == "all" || $2 == h) {a[++n]=$1; w=$3} END {
    if (n == 0) exit;
    m = (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2;
    printf "%-8s %9d %10.2f %10.2f  %s\n", h, n, m / 1000, a[n] / 1000, w }'
done
echo "guard suite: $(wc -l < "$work/suite-times") payloads, $wrong wrong decisions"

# Processes a host starts for one shell call: the entries of its generated hook settings whose
# event runs before a shell tool and whose matcher selects it (Claude Code and Gemini CLI read
# a matcher as an unanchored regular expression; Cursor's shell calls arrive on
# beforeShellExecution). "Before" is the newest commit whose exported settings predate
# `pre-tool` (BENCH_BASE picks another commit), "now" the working tree.
base=${BENCH_BASE:-$(cd "$repo" && for c in $(git log --format=%H -- kit/exports/hosts/claude/hooks/hooks.json); do
  git show "$c:kit/exports/hosts/claude/hooks/hooks.json" | grep -q ' pre-tool"' || { echo "$c"; break; }
done)}
cat > "$work/count.py" <<'PY'
import json, re, sys
host, text = sys.argv[1], sys.stdin.read()
hooks = json.loads(text).get("hooks", {}) if text.strip() else {}
shell = {"claude": "Bash", "codex": "Bash", "gemini": "run_shell_command", "cursor": "Shell"}[host]
events = {"claude": ["PreToolUse"], "codex": ["PreToolUse"], "gemini": ["BeforeTool"],
          "cursor": ["preToolUse", "beforeShellExecution"]}[host]
n = 0
for ev in events:
    for entry in hooks.get(ev, []):
        m = entry.get("matcher")
        if ev == "beforeShellExecution" or m is None or re.search(m, shell):
            n += len(entry["hooks"]) if "hooks" in entry else 1
print(n)
PY
echo
echo "processes per shell call, counted from the generated hook settings (before: ${base:0:12})"
printf '%-8s %-45s %7s %5s\n' host settings before now
for pair in claude:kit/exports/hosts/claude/hooks/hooks.json codex:kit/exports/hosts/codex/.codex/hooks.json \
            gemini:kit/exports/hosts/gemini/hooks/hooks.json cursor:kit/exports/hosts/cursor/.cursor/hooks.json; do
  host=${pair%%:*}; file=${pair#*:}
  before=$( (cd "$repo" && git show "$base:$file" 2>/dev/null) | python3 "$work/count.py" "$host")
  now=$(python3 "$work/count.py" "$host" < "$repo/$file")
  printf '%-8s %-45s %7s %5s\n' "$host" "$file" "$before" "$now"
done
[ "$wrong" = 0 ]
