#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server:
#
#   scripts/throwaway-postgres.sh cargo nextest run -p emhana-registry
#   scripts/throwaway-postgres.sh bash          # a shell for development
#
# The server lives in a new temporary folder, listens on a Unix socket in that
# folder only (no port to collide with), and is stopped and removed when the
# command ends, however it ends. The command gets EMHANA_TEST_DATABASE_URL,
# the server's maintenance database, on which tests create one database each.
#
# Durability is off (fsync, synchronous_commit): a throwaway server for tests.
# Set EMHANA_PG_DURABLE=1 to keep PostgreSQL's defaults (benchmarks), and
# EMHANA_PG_OPTIONS to add server settings ("-c shared_buffers=1GB ...").
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir="$(pg_config --bindir)"
else
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir="$d"; done
fi
if [ -z "$bindir" ]; then
  echo "PostgreSQL is not installed (run scripts/install-deps.sh)" >&2
  exit 1
fi

folder="$(mktemp -d /tmp/emhana-pg.XXXXXX)"
# PostgreSQL refuses to run as root: run the server as the postgres user then.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$folder"
  as_owner=(runuser -u postgres --)
  user=postgres
else
  user="$(id -un)"
fi

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$folder/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$folder"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$folder/data" -U "$user" --auth=trust \
  --encoding=UTF8 --locale=C.UTF-8 >"$folder/initdb.log" 2>&1 ||
  { cat "$folder/initdb.log" >&2; exit 1; }

options="-c listen_addresses='' -c unix_socket_directories=$folder -c max_connections=300"
if [ "${EMHANA_PG_DURABLE:-0}" != "1" ]; then
  options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
options="$options ${EMHANA_PG_OPTIONS:-}"
"${as_owner[@]}" "$bindir/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -o "$options" start >/dev/null ||
  { cat "$folder/server.log" >&2; exit 1; }

export EMHANA_TEST_DATABASE_URL="postgres://$user@localhost/postgres?host=$folder"
echo "throwaway PostgreSQL at $folder (EMHANA_TEST_DATABASE_URL)" >&2
"$@"
