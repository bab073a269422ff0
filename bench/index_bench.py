#!/usr/bin/env python3
"""Benchmark of `wazir index` on any folder, driven by bench/index.sh.

Measures (wall time of the whole process, median of several runs):
  * `index build`, `index refresh` with nothing changed, `recall symbol` (L2), `summarize`;
  * with universal-ctags installed: `ctags -R --output-format=json --fields=+nKS` on the same
    tree, the share of ctags' definition tags (functions, methods, classes, structs, enums,
    interfaces/traits) that the index also holds at the same name and line, per language, and
    the build/ctags wall-time ratio.

Only files the index holds count for the share (files it skips on purpose -- .gitignore'd,
`build/`, `target/`, over the size limit -- are reported separately).
"""

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

# ctags long kind names that are definitions in the sense of the target.
DEF_KINDS = {
    "function", "func", "method", "member", "methodSpec", "generator", "getter", "setter",
    "class", "struct", "enum", "interface", "trait", "union",
}
SYMBOL_LANGS = ["rust", "python", "javascript", "typescript", "tsx", "go", "java"]
# Kinds that mean a field, not a definition, in one language: ctags' Go "member" is a struct
# field (its methods are "func" and "methodSpec").
FIELD_KINDS = {"go": {"member"}}


CPU = {}


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cpu_key(cmd):
    """The CPU-time bucket of a command: `BIN build`, `BIN refresh`, `ctags -R` or none (a
    recall of a symbol named `build` is not an index build)."""
    if "index" in cmd and cmd[-1] in ("build", "refresh"):
        return cmd[0] + " " + cmd[-1]
    if "-R" in cmd:
        return cmd[0] + " -R"
    return None


def run(cmd, **kw):
    c0 = children_cpu()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    dt = (time.perf_counter() - t0) * 1000.0
    key = cpu_key(cmd)
    if key:
        CPU.setdefault(key, []).append((children_cpu() - c0) * 1000.0)
    if p.returncode != 0:
        sys.stderr.write(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}\n")
        sys.exit(1)
    return dt, p.stdout


def median_ms(cmd, runs, **kw):
    times = []
    out = ""
    for _ in range(runs):
        dt, out = run(cmd, **kw)
        times.append(dt)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--bin", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--recall-runs", type=int, default=30)
    ap.add_argument("--no-summarize", action="store_true")
    ap.add_argument("--misses", type=int, default=0, help="print this many ctags misses per language")
    ap.add_argument("--refresh-files", type=int, default=0,
                    help="also time `index refresh` with nothing changed on a synthetic tree of at "
                         "least this many files (hard-linked copies of DIR)")
    a = ap.parse_args()

    root = os.path.realpath(a.dir)
    if a.refresh_files:
        refresh_at_scale(root, a)
        # The synthetic tree's build is not the build the ctags ratio compares.
        CPU.clear()
    state = tempfile.mkdtemp(prefix="wazir-bench-")
    env = dict(os.environ, WAZIR_STATE_ROOT=state)
    base = [a.bin, "--json"]
    try:
        build_ms, out = median_ms(base + ["index", "--root", root, "build"], a.runs, env=env)
        report = json.loads(out)
        refresh_ms, out = median_ms(base + ["index", "--root", root, "refresh"], a.runs, env=env)
        refreshed = json.loads(out)

        db = os.path.join(state, "index", "index.sqlite")
        con = sqlite3.connect(db)
        names = [r[0] for r in con.execute(
            "SELECT name FROM symbols WHERE kind IN ('function','method','class','struct') "
            "AND length(name) > 3 ORDER BY id")]
        random.seed(7)
        sample = random.sample(names, min(10, len(names))) if names else []
        recall_times = []
        per = max(1, a.recall_runs // max(1, len(sample)))
        for n in sample:
            for _ in range(per):
                dt, _ = run([a.bin, "recall", "--root", root, "symbol", n], env=env)
                recall_times.append(dt)
        recall_ms = statistics.median(recall_times) if recall_times else float("nan")

        summary = None
        summarize_ms = None
        if not a.no_summarize:
            summarize_ms, out = run(base + ["index", "--root", root, "summarize"], env=env)
            summary = json.loads(out)

        print(f"tree: {root}")
        langs = ", ".join(f"{k} {v}" for k, v in sorted(report["languages"].items()))
        print(f"files indexed: {report['parsed']} ({langs}); symbols {report['symbols']}; "
              f"skipped {report['skipped_binary']} binary, {report['skipped_large']} too large")
        print(f"index build          median {build_ms:9.1f} ms  ({a.runs} runs)")
        print(f"index refresh (none) median {refresh_ms:9.1f} ms  = {100.0 * refresh_ms / build_ms:.1f}% of build"
              f"  (parsed {refreshed['parsed']}, unchanged {refreshed['unchanged']})")
        print(f"recall symbol (L2)   median {recall_ms:9.2f} ms  ({len(recall_times)} runs over {len(sample)} names)")
        if summary is not None:
            print(f"index summarize      once   {summarize_ms:9.1f} ms; L1/source o200k tokens: "
                  f"mean {100.0 * summary['l1_mean_ratio']:.1f}% per file, {100.0 * summary['l1_total_ratio']:.1f}% overall "
                  f"({summary['files_summarized']} files)")
            dt, _ = run([a.bin, "recall", "--root", root, "symbol", sample[0], "--tier", "L1"], env=env) if sample else (float("nan"), "")
            l1_times = []
            for n in sample:
                dt, _ = run([a.bin, "recall", "--root", root, "symbol", n, "--tier", "L1"], env=env)
                l1_times.append(dt)
            if l1_times:
                print(f"recall symbol (L1)   median {statistics.median(l1_times):9.2f} ms")

        ctags = shutil.which("ctags")
        version = subprocess.run([ctags, "--version"], stdout=subprocess.PIPE, text=True).stdout if ctags else ""
        if not ctags or "Universal Ctags" not in version:
            print("ctags comparison: skipped (universal-ctags not installed)")
            return
        tags_path = os.path.join(state, "tags.json")
        ctags_cmd = [ctags, "-R", "--output-format=json", "--fields=+nKS", "-f", tags_path, "."]
        ctags_times = []
        for _ in range(a.runs):
            if os.path.exists(tags_path):
                os.remove(tags_path)  # ctags refuses to overwrite a JSON tag file
            dt, _ = run(ctags_cmd, cwd=root)
            ctags_times.append(dt)
        ctags_ms = statistics.median(ctags_times)
        print(f"ctags -R             median {ctags_ms:9.1f} ms; build/ctags = {build_ms / ctags_ms:.2f}x (wall time)")
        build_cpu = statistics.median(CPU[a.bin + " build"])
        ctags_cpu = statistics.median(CPU[ctags + " -R"])
        print(f"cpu time (user+sys): build {build_cpu:.0f} ms, ctags {ctags_cpu:.0f} ms; "
              f"ratio {build_cpu / ctags_cpu:.2f}x; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

        files = {p: l for p, l in con.execute("SELECT path, language FROM files")}
        ours = set()
        for path, name, start, name_line in con.execute(
                "SELECT f.path, s.name, s.start_line, s.name_line FROM symbols s JOIN files f ON f.id = s.file_id"):
            ours.add((path, name, start))
            ours.add((path, name, name_line))
        total = {}
        found = {}
        outside = 0
        anonymous = 0
        not_defs = 0
        misses = {}
        with open(tags_path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    t = json.loads(line)
                except ValueError:
                    continue
                if t.get("_type") != "tag" or t.get("kind") not in DEF_KINDS:
                    continue
                # ctags invents names for anonymous functions and classes; they name nothing.
                if t["name"].startswith(("AnonymousFunction", "AnonymousClass", "anonFunc", "__anon")):
                    anonymous += 1
                    continue
                path = t["path"][2:] if t["path"].startswith("./") else t["path"]
                lang = files.get(path)
                if lang is None:
                    ext = os.path.splitext(path)[1]
                    if ext in (".rs", ".py", ".js", ".ts", ".tsx", ".go", ".java", ".jsx", ".mjs", ".cjs", ".pyi"):
                        outside += 1
                    continue
                if lang not in SYMBOL_LANGS or t.get("kind") in FIELD_KINDS.get(lang, ()):
                    continue
                # ctags' JavaScript parser calls an object-literal property that holds an object
                # a class; only a line that declares a class or a function defines one.
                if (lang in ("javascript", "typescript", "tsx") and t.get("kind") == "class"
                        and not any(w in t.get("pattern", "") for w in ("class", "function"))):
                    not_defs += 1
                    continue
                total[lang] = total.get(lang, 0) + 1
                # ctags drops the `#` of a private class member; the index keeps it.
                if ((path, t["name"], t.get("line")) in ours
                        or (path, "#" + t["name"], t.get("line")) in ours):
                    found[lang] = found.get(lang, 0) + 1
                else:
                    misses.setdefault(lang, []).append(f"{path}:{t.get('line')} {t.get('kind')} {t['name']}")
        print("ctags definitions found by the index (same name and line), per language:")
        for lang in sorted(total):
            n, f = total[lang], found.get(lang, 0)
            print(f"  {lang:<11} {f:>8} / {n:<8} {100.0 * f / n:6.2f}%")
        print(f"  (left out: {outside} ctags definitions in files the index skips on purpose, "
              f"{anonymous} with names ctags made up for anonymous functions and classes, "
              f"{not_defs} object-literal properties ctags calls classes)")
        if a.misses:
            for lang, m in sorted(misses.items()):
                random.shuffle(m)
                print(f"-- misses {lang}:")
                for x in m[: a.misses]:
                    print("   " + x)
    finally:
        shutil.rmtree(state, ignore_errors=True)


def refresh_at_scale(root, a):
    """Times an unchanged refresh on DIR copied (hard links) until the copy holds enough files."""
    per_copy = sum(len(fs) for _, _, fs in os.walk(root))
    copies = max(1, -(-a.refresh_files // max(1, per_copy)))
    work = tempfile.mkdtemp(prefix="wazir-bench-tree-")
    tree = os.path.join(work, "tree")
    state = os.path.join(work, "state")
    try:
        os.mkdir(tree)
        for i in range(copies):
            subprocess.run(["cp", "-al", root, os.path.join(tree, f"copy{i}")], check=True)
        env = dict(os.environ, WAZIR_STATE_ROOT=state)
        base = [a.bin, "--json", "index", "--root", tree]
        build_ms, out = run(base + ["build"], env=env)
        built = json.loads(out)
        refresh_ms, out = median_ms(base + ["refresh"], max(3, a.runs), env=env)
        refreshed = json.loads(out)
        print(f"synthetic tree: {copies} copies of {root}, {copies * per_copy} files, "
              f"{built['parsed']} indexed, {built['symbols']} symbols")
        print(f"  index build          once   {build_ms:9.1f} ms")
        print(f"  index refresh (none) median {refresh_ms:9.1f} ms  (unchanged {refreshed['unchanged']}, "
              f"parsed {refreshed['parsed']})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
