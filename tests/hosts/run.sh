#!/usr/bin/env bash
# Host conformance suite: drives the real Claude Code, Codex CLI and Gemini CLI, offline, against
# scripted model servers, and checks that Wazir's packages load and its hooks do what they say.
#
#   tests/hosts/run.sh [--wazir PATH] [--only REGEX] [--jobs N] [--keep]
#
# Builds nothing: takes the wazir binary (default target/debug/wazir of this checkout). Installs
# the clients pinned in versions.env into ${WAZIR_HOSTS_CACHE:-$HOME/.cache/wazir-hosts} (once),
# then runs every case inside a network namespace with only loopback (`unshare -n`, needs root
# or user namespaces). Prints one line per case and `N passed, N failed`; exits non-zero on any
# failure. If the npm registry cannot be reached and the clients are not cached, it says so
# and exits 0.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
wazir=$repo/target/debug/wazir
pass=()
while [ $# -gt 0 ]; do
  case $1 in
    --wazir) wazir=$2; shift 2 ;;
    *) pass+=("$1"); shift ;;
  esac
done
# shellcheck source=versions.env
. "$here/versions.env"
if [ ! -x "$wazir" ]; then
  echo "error: no wazir binary at $wazir: build it first (cargo build -p wazir) or pass --wazir" >&2
  exit 1
fi
for tool in python3 unshare ip; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done

cache=${WAZIR_HOSTS_CACHE:-$HOME/.cache/wazir-hosts}
key="claude-${CLAUDE_CODE_VERSION}_codex-${CODEX_VERSION}_gemini-${GEMINI_CLI_VERSION}_node-${NODE_VERSION}"
dir=$cache/$key
bin=$dir/node_modules/.bin
if [ ! -f "$dir/.complete" ]; then
  if ! timeout 60 npm view "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}" version >/dev/null 2>&1; then
    echo "SKIPPED: host conformance suite: the npm registry cannot be reached and the pinned clients are not cached in $dir"
    exit 0
  fi
  echo "installing the pinned clients into $dir"
  rm -rf "$dir" && mkdir -p "$dir"
  echo '{"name":"wazir-hosts-cache","private":true}' > "$dir/package.json"
  ( cd "$dir" && npm install --no-audit --no-fund --loglevel=error \
      "node@${NODE_VERSION}" \
      "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}" \
      "@openai/codex@${CODEX_VERSION}" \
      "@google/gemini-cli@${GEMINI_CLI_VERSION}" >/dev/null )
  touch "$dir/.complete"
fi
installed() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$dir/node_modules/$1/package.json"; }
echo "clients: claude $(installed @anthropic-ai/claude-code), codex $(installed @openai/codex), gemini $(installed @google/gemini-cli), node $("$bin/node" --version)"
echo "wazir: $wazir ($("$wazir" --version))"

# Only loopback inside: every client and model server talks to 127.0.0.1 and nothing else.
exec unshare -n -- sh -c 'ip link set lo up && exec "$@"' sh \
  python3 "$here/conformance.py" --wazir "$wazir" --bin "$bin" "${pass[@]}"
