#!/usr/bin/env python3
"""Interleaved A/B of two `wazir` binaries on the hook path: the same payloads, run in turns
(A, B, A, B, ...) so machine noise falls on both alike. Prints each binary's whole-process median
per host and case, and the ratio B/A.

    bench/hooks_ab.py --a OLD_BIN --b NEW_BIN [--rev REV] [--runs N]

The project is made from the kit of git revision REV (default HEAD): its manifest and workflows,
so an older binary reads a manifest it knows. Cases: a write the guard allows (src/new.rs), a
write into a protected folder (roles/new.md) and a ledger call the loop-cap guard checks. Each
binary runs the event names it registers: `--event-a`/`--event-b` (default protected-path and
loop-cap for both; `pre-tool` runs every pre-tool behaviour in one process). Decisions are
checked before timing: both binaries must block and allow alike. Prints figures; not a test.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEDGER = "wazir capture event --event phase_enter --phase plan"


def payload(host, proj, kind, path=None, cmd=None):
    if kind == "write":
        return {
            "claude": {"session_id": "s", "transcript_path": "/tmp/t", "cwd": proj,
                       "permission_mode": "default", "hook_event_name": "PreToolUse",
                       "tool_name": "Write", "tool_use_id": "t",
                       "tool_input": {"file_path": f"{proj}/{path}", "content": "x"}},
            "codex": {"session_id": "s", "turn_id": "t", "transcript_path": None, "cwd": proj,
                      "hook_event_name": "PreToolUse", "model": "m", "permission_mode": "default",
                      "tool_name": "apply_patch", "tool_use_id": "c",
                      "tool_input": {"command": f"*** Begin Patch\n*** Add File: {path}\n+x\n*** End Patch\n"}},
            "gemini": {"session_id": "s", "transcript_path": "/tmp/t", "cwd": proj,
                       "hook_event_name": "BeforeTool", "timestamp": "2026-12-06T00:00:00.000Z",
                       "tool_name": "write_file",
                       "tool_input": {"file_path": f"{proj}/{path}", "content": "x"}},
            "cursor": {"conversation_id": "c", "generation_id": "g", "hook_event_name": "preToolUse",
                       "workspace_roots": [proj], "tool_name": "Write",
                       "tool_input": {"file_path": f"{proj}/{path}"}},
        }[host]
    return {
        "claude": {"session_id": "s", "cwd": proj, "hook_event_name": "PreToolUse",
                   "tool_name": "Bash", "tool_input": {"command": cmd}, "tool_use_id": "t"},
        "codex": {"session_id": "s", "turn_id": "t", "transcript_path": None, "cwd": proj,
                  "hook_event_name": "PreToolUse", "model": "m", "permission_mode": "default",
                  "tool_name": "Bash", "tool_input": {"command": cmd}, "tool_use_id": "c"},
        "gemini": {"session_id": "s", "cwd": proj, "hook_event_name": "BeforeTool",
                   "tool_name": "run_shell_command", "tool_input": {"command": cmd}},
        "cursor": {"conversation_id": "c", "generation_id": "g",
                   "hook_event_name": "beforeShellExecution", "workspace_roots": [proj],
                   "command": cmd, "cwd": proj},
    }[host]


def run(binary, host, event, data, proj, env):
    t0 = time.perf_counter()
    p = subprocess.run([binary, "hook", "--host", host, event], input=data, cwd=proj, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    blocked = p.returncode == 2 or b'"deny"' in p.stdout
    return elapsed, blocked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--event-a", default=None)
    ap.add_argument("--event-b", default=None)
    args = ap.parse_args()

    work = tempfile.mkdtemp()
    proj = os.path.join(work, "project")
    os.makedirs(os.path.join(proj, "src"))
    os.makedirs(os.path.join(proj, "roles"))
    archive = subprocess.run(["git", "-C", REPO, "archive", args.rev, "kit/wazir.manifest.yaml",
                              "kit/workflows"], check=True, stdout=subprocess.PIPE).stdout
    subprocess.run(["tar", "-x", "--strip-components=1", "-C", proj], input=archive, check=True)
    with open(os.path.join(proj, "src", "main.rs"), "w") as f:
        f.write("fn main() {}\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "WAZIR_APPROVED_FLOW")}
    env["WAZIR_STATE_ROOT"] = os.path.join(work, "state")
    # A run in a phase that may write, so the allowed write is allowed under enforcement too.
    # Started by A, the older binary: B reads the status it wrote as any newer wazir does.
    subprocess.run([args.a, "capture", "init", "--run", "bench", "--phase", "plan"], cwd=proj,
                   env=env, check=True, stdout=subprocess.DEVNULL)

    cases = [("protected-path allow", "write", "src/new.rs", None, False),
             ("protected-path block", "write", "roles/new.md", None, True),
             ("loop-cap (ledger call)", "shell", None, LEDGER, False)]
    print(f"A: {args.a}\nB: {args.b}\nkit of {args.rev}; {args.runs} runs each, interleaved; "
          f"{os.cpu_count()} cores; medians in ms (whole process, from Python's spawn)")
    print(f"{'host':8} {'case':24} {'A':>8} {'B':>8} {'B/A':>6}")
    for host in ["claude", "codex", "gemini", "cursor"]:
        for label, kind, path, cmd, want_block in cases:
            default = "loop-cap" if kind == "shell" else "protected-path"
            ev_a = args.event_a or default
            ev_b = args.event_b or default
            data = json.dumps(payload(host, proj, kind, path, cmd)).encode()
            ta, tb = [], []
            for i in range(args.runs + 5):
                ea, ba = run(args.a, host, ev_a, data, proj, env)
                eb, bb = run(args.b, host, ev_b, data, proj, env)
                if ba != want_block or bb != want_block:
                    sys.exit(f"{host} {label}: A blocked={ba}, B blocked={bb}, "
                             f"expected blocked={want_block}")
                if i >= 5:
                    ta.append(ea)
                    tb.append(eb)
            ma, mb = statistics.median(ta) * 1000, statistics.median(tb) * 1000
            print(f"{host:8} {label:24} {ma:8.2f} {mb:8.2f} {mb / ma:6.2f}")


if __name__ == "__main__":
    main()
