#!/usr/bin/env bash
# The relay's PostgreSQL suites (the store contract, the claim plans, and the end-to-end and chaos tests
# webhook-relay/test/e2e/postgres-*.test.ts) through a real PgBouncer in transaction pooling mode, on the
# machine's Node: `pgbouncer.sh [log]`. PgBouncer (Debian's package; 1.18 on Debian 12) is started here
# with scripts/ci/pgbouncer.ini on a free port, from a temporary directory holding its generated auth_file,
# and stopped when the tests end, whatever their outcome. No root needed; as root (CI), PgBouncer, which
# refuses to run as root, runs as `nobody`.
# The stores reach PostgreSQL through PgBouncer with `?pool_mode=transaction`; the tests' own set-up and
# pg_terminate_backend go to the server itself (RELAY_TEST_ADMIN_DATABASE_URL). One file at a time: the
# tests that terminate server connections find them by the application name PgBouncer last gave them.
# Writes the vitest output to the log too; its first line names PgBouncer's version (for .ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."

log=${1:-/dev/null}
server=${RELAY_TEST_ADMIN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
pgbouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[[ -x $pgbouncer ]] || { echo "pgbouncer: not installed (Debian: apt-get install pgbouncer)" >&2; exit 2; }

dir=$(mktemp -d)
chmod 755 "$dir"
port=$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
sed -e "s|@PORT@|$port|" -e "s|@DIR@|$dir|" scripts/ci/pgbouncer.ini >"$dir/pgbouncer.ini"
printf '"postgres" ""\n' >"$dir/users.txt"
chmod 644 "$dir/pgbouncer.ini" "$dir/users.txt"
as=()
[[ $(id -u) == 0 ]] && as=(-u nobody)
"$pgbouncer" "${as[@]}" "$dir/pgbouncer.ini" >"$dir/pgbouncer.log" 2>&1 &
pid=$!
stop() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap stop EXIT
for _ in $(seq 1 50); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/pgbouncer.log" >&2; exit 1; }
  sleep 0.2
done
pg_isready -h 127.0.0.1 -p "$port" >/dev/null

echo "pgbouncer: $("$pgbouncer" --version | head -1), pool_mode = transaction on 127.0.0.1:$port (Node $(node -v))" | tee "$log"
RELAY_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/test?pool_mode=transaction" \
  RELAY_TEST_ADMIN_DATABASE_URL="$server" \
  node node_modules/vitest/vitest.mjs run --project node --no-file-parallelism \
  webhook-relay/test/store-contract/postgres.test.ts webhook-relay/test/store-contract/claim-plans.test.ts \
  webhook-relay/test/store-contract/pooler.test.ts \
  webhook-relay/test/e2e/postgres- 2>&1 | tee -a "$log"
