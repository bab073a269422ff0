#!/usr/bin/env bash
# Installs each package scripts/package.sh built (target/dist/) from the local files into an empty
# folder with no network (`unshare -n`: a new network namespace with no interfaces), then runs
# `wazir --version` and, in a fresh git copy of examples/tasks-api, `wazir init` followed by
# `validate all`, `export check` and `doctor`. Prints how long each install and first run took.
# Needs root (or unprivileged user namespaces) for unshare, node/npm and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dist=$repo/target/dist
ls "$dist"/*.tgz "$dist"/*.whl >/dev/null || { echo "error: run scripts/package.sh first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
offline() { unshare -n -- "$@"; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

first_run() { # $1: the wazir command to use
  local wazir=$1 proj=$work/proj-$RANDOM
  cp -r examples/tasks-api "$proj"
  git -C "$proj" init -q
  local t=$(now)
  (cd "$proj" && HOME=$work/home offline "$wazir" init > "$proj.init.txt")
  local lines=$(wc -l < "$proj.init.txt")
  (cd "$proj" && HOME=$work/home offline "$wazir" validate all > /dev/null \
    && HOME=$work/home offline "$wazir" export check > /dev/null \
    && HOME=$work/home offline "$wazir" doctor > /dev/null)
  echo "   init ($lines lines), validate all, export check, doctor: ok in $(took "$t")"
  [ "$lines" -le 25 ] || { echo "error: init printed $lines lines (at most 25)" >&2; exit 1; }
}

echo "== npm: @wazir/cli and @wazir/cli-linux-x64 from local .tgz, offline"
main=$(ls "$dist"/wazir-cli-[0-9]*.tgz)
plat=$(ls "$dist"/wazir-cli-linux-x64-*.tgz)
mkdir -p "$work/npm"
t=$(now)
(cd "$work/npm" && offline npm install --offline --no-audit --no-fund --loglevel=error \
  "$plat" "$main" > /dev/null)
echo "   installed in $(took "$t")"
"$work/npm/node_modules/.bin/wazir" --version
first_run "$work/npm/node_modules/.bin/wazir"

echo "== PyPI wheel into a fresh venv, offline"
whl=$(ls "$dist"/*.whl)
python3 -m venv "$work/venv"
t=$(now)
offline "$work/venv/bin/pip" install --no-index --quiet --disable-pip-version-check "$whl"
echo "   installed in $(took "$t")"
"$work/venv/bin/wazir" --version
first_run "$work/venv/bin/wazir"

echo "package test: ok"
