#!/usr/bin/env python3
"""Prints everything an index holds about the source, one sorted line per row, so two builds
can be compared with `diff` or `cmp` (ids, timestamps and run records left out).

    python3 bench/index_dump.py STATE_ROOT/index/index.sqlite > dump.txt

Symbols carry their full container path (rebuilt from the scope rows), signature and doc;
outlines, imports and identifiers follow, and the file list with hashes.
"""

import sqlite3
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: index_dump.py INDEX.sqlite")
    con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    scopes = {}
    for sid, parent, name, sep in con.execute(
            "SELECT s.id, s.parent, s.name, CASE f.language WHEN 'rust' THEN '::' ELSE '.' END "
            "FROM scopes s JOIN files f ON f.id = s.file_id"):
        scopes[sid] = (parent, name, sep)

    def path(sid):
        names = []
        sep = "."
        while sid is not None:
            parent, name, sep = scopes[sid]
            names.append(name)
            sid = parent
        return sep.join(reversed(names))

    out = []
    for row in con.execute(
            "SELECT f.path, y.kind, y.name, y.scope, y.signature, y.start_line, y.end_line, "
            "y.name_line, y.doc, y.words FROM symbols y JOIN files f ON f.id = y.file_id"):
        p, kind, name, scope, sig, sl, el, nl, doc, words = row
        c = path(scope) if scope is not None else ""
        out.append("S\t" + "\t".join(repr(x) for x in (p, sl, el, nl, kind, name, c, sig, doc, words)))
    for row in con.execute(
            "SELECT f.path, o.line, o.end_line, o.depth, o.kind, o.name FROM outlines o "
            "JOIN files f ON f.id = o.file_id"):
        out.append("O\t" + "\t".join(repr(x) for x in row))
    for row in con.execute(
            "SELECT f.path, r.imports, r.idents FROM file_refs r JOIN files f ON f.id = r.file_id"):
        out.append("R\t" + "\t".join(repr(x) for x in row))
    for row in con.execute("SELECT path, language, size, hash, lines FROM files"):
        out.append("F\t" + "\t".join(repr(x) for x in row))
    out.sort()
    sys.stdout.write("\n".join(out) + "\n")
    counts = {}
    for line in out:
        counts[line[0]] = counts.get(line[0], 0) + 1
    sys.stderr.write(f"symbols {counts.get('S', 0)}, outline items {counts.get('O', 0)}, "
                     f"files with refs {counts.get('R', 0)}, files {counts.get('F', 0)}\n")


if __name__ == "__main__":
    main()
