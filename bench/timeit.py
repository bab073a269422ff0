#!/usr/bin/env python3
"""Times whole processes and prints the median, like a minimal hyperfine.

usage: timeit.py [--runs N] [--warmup N] [--cwd DIR] [--stdin FILE] [--baseline-ms MS]
                 [--expect-exit CODE] LABEL -- CMD ARGS...

Prints one line: LABEL  median  min  max  (runs)  [ratio against the baseline].
A command that exits with another code than --expect-exit (default 0) is an error: a benchmark
of a failing command measures nothing.
"""
import argparse
import statistics
import subprocess
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--cwd", default=None)
    ap.add_argument("--stdin", default=None)
    ap.add_argument("--baseline-ms", type=float, default=None)
    ap.add_argument("--expect-exit", type=int, default=0)
    ap.add_argument("label")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command given")
    data = open(a.stdin, "rb").read() if a.stdin else None
    times = []
    for i in range(a.warmup + a.runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, cwd=a.cwd, input=data, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        dt = (time.perf_counter() - t0) * 1000.0
        if p.returncode != a.expect_exit:
            print(f"{a.label}: exit {p.returncode}, expected {a.expect_exit}: {' '.join(cmd)}",
                  file=sys.stderr)
            return 1
        if i >= a.warmup:
            times.append(dt)
    med = statistics.median(times)
    line = (f"{a.label:<44} median {med:8.2f} ms   min {min(times):8.2f}   "
            f"max {max(times):8.2f}   ({a.runs} runs)")
    if a.baseline_ms:
        line += f"   baseline {a.baseline_ms:.0f} ms -> {a.baseline_ms / med:6.1f}x faster"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
