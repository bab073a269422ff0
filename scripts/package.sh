#!/usr/bin/env bash
# Builds the install packages of this machine's platform (Linux x64 here) into target/dist/ from
# the release build of `wazir`:
#   - the npm main package @wazir/cli (a Node launcher that runs the platform binary) and the
#     platform package @wazir/cli-<os>-<cpu> (the binary, with `os`/`cpu` fields), as .tgz by
#     `npm pack`;
#   - the PyPI wheel wazir-cli (maturin, bindings = "bin", see packaging/pypi/pyproject.toml.in).
# Needs cargo and node/npm, and maturin (`pip install maturin`) for the wheel. The release
# workflow runs the same steps on every platform.
# Usage: scripts/package.sh [--skip-build] [--npm-only]
#   --skip-build  package the release binary already built
#   --npm-only    build the two npm packages and no wheel (no maturin needed): what the README's
#                 install from a clone uses
set -euo pipefail
cd "$(dirname "$0")/.."

dist=target/dist
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) os=linux cpu=x64 exe=wazir ;;
  Linux-aarch64) os=linux cpu=arm64 exe=wazir ;;
  Darwin-x86_64) os=darwin cpu=x64 exe=wazir ;;
  Darwin-arm64) os=darwin cpu=arm64 exe=wazir ;;
  MINGW*-x86_64 | MSYS*-x86_64) os=win32 cpu=x64 exe=wazir.exe ;;
  *) echo "error: no package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
bin=${CARGO_TARGET_DIR:-target}/release/$exe

build=1 wheel=1
for arg in "$@"; do
  case "$arg" in
    --skip-build) build=0 ;;
    --npm-only) wheel=0 ;;
    *) echo "error: unknown option $arg (usage: scripts/package.sh [--skip-build] [--npm-only])" >&2; exit 1 ;;
  esac
done

if [ "$build" = 1 ]; then
  echo "== cargo build --release (the binary every package carries)"
  cargo build --release --locked -p wazir
fi
[ -x "$bin" ] || { echo "error: $bin is missing: run without --skip-build" >&2; exit 1; }
"$bin" --version

rm -rf "$dist" && mkdir -p "$dist"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
fill() { sed -e "s/@VERSION@/$version/g" -e "s/@OS@/$os/g" -e "s/@CPU@/$cpu/g" -e "s/@EXE@/$exe/g" "$1"; }

echo "== npm: @wazir/cli-$os-$cpu"
mkdir -p "$stage/platform/bin"
fill packaging/npm/platform/package.json.in > "$stage/platform/package.json"
cp "$bin" "$stage/platform/bin/$exe"
chmod 0755 "$stage/platform/bin/$exe"
cp LICENSE* "$stage/platform/" 2>/dev/null || true
(cd "$stage/platform" && npm pack --silent --pack-destination "$OLDPWD/$dist" >/dev/null)

echo "== npm: @wazir/cli"
mkdir -p "$stage/main/bin"
fill packaging/npm/wazir/package.json.in > "$stage/main/package.json"
cp packaging/npm/wazir/bin/wazir.js "$stage/main/bin/wazir.js"
chmod 0755 "$stage/main/bin/wazir.js"
cp README.md "$stage/main/" 2>/dev/null || true
(cd "$stage/main" && npm pack --silent --pack-destination "$OLDPWD/$dist" >/dev/null)

if [ "$wheel" = 1 ]; then
echo "== PyPI wheel (maturin, bindings = bin)"
command -v maturin >/dev/null || { echo "error: maturin is missing: pip install maturin" >&2; exit 1; }
mkdir -p "$stage/pypi"
sed "s|@MANIFEST@|$PWD/crates/wazir/Cargo.toml|" packaging/pypi/pyproject.toml.in > "$stage/pypi/pyproject.toml"
(cd "$stage/pypi" && maturin build --release --locked --out "$OLDPWD/$dist" --quiet)
fi

ls -l "$dist"
