# A throwaway PostgreSQL server for the collector's store and API tests. Source this file, then:
#
#   start_test_postgres DIR   # initdb in DIR/data, start on 127.0.0.1:<free port>, wait until ready,
#                             # export BULWARK_TEST_POSTGRES_URL=postgresql://USER@127.0.0.1:PORT/postgres
#   stop_test_postgres        # pg_ctl stop -m fast; safe to call twice, from a trap, or before start
#
# The server runs as an unprivileged user: `postgres` (or `nobody`) when the caller is root — DIR
# is then chowned to that user, so its parent directories must be traversable — and as the
# caller otherwise. Authentication is `trust` on the Unix socket (in DIR) and on 127.0.0.1 only;
# fsync is off: the data is disposable. When no EXIT trap is set yet, start_test_postgres sets
# one that calls stop_test_postgres; a caller with its own EXIT trap must call it there.

BULWARK_TEST_POSTGRES_DATA=${BULWARK_TEST_POSTGRES_DATA:-}
BULWARK_TEST_POSTGRES_RUNAS=${BULWARK_TEST_POSTGRES_RUNAS:-}
BULWARK_TEST_POSTGRES_BIN=${BULWARK_TEST_POSTGRES_BIN:-}

# Runs "$@" as the server's user.
_pg_as_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$BULWARK_TEST_POSTGRES_RUNAS" -- "$@"
  else
    "$@"
  fi
}

# Prints the bin directory of the newest installed PostgreSQL server.
_pg_find_bindir() {
  local dir best=""
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] || continue
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$dir" | sort -V | tail -n 1)" = "$dir" ]; then
      best=$dir
    fi
  done
  if [ -z "$best" ] && command -v initdb >/dev/null 2>&1; then best=$(dirname "$(command -v initdb)"); fi
  [ -n "$best" ] || { echo "start_test_postgres: no PostgreSQL server found (install 'postgresql')" >&2; return 1; }
  printf '%s\n' "$best"
}

start_test_postgres() {
  local dir=${1:?usage: start_test_postgres DIR}
  local bindir user data port attempt
  bindir=$(_pg_find_bindir) || return 1
  mkdir -p "$dir" || return 1
  dir=$(cd "$dir" && pwd) || return 1
  data=$dir/data

  if [ "$(id -u)" -eq 0 ]; then
    if id -u postgres >/dev/null 2>&1; then user=postgres; else user=nobody; fi
    chown "$user" "$dir" || return 1
    chmod 0700 "$dir" || return 1
  else
    user=$(id -un)
  fi
  BULWARK_TEST_POSTGRES_RUNAS=$user
  BULWARK_TEST_POSTGRES_BIN=$bindir
  if ! _pg_as_user test -w "$dir"; then
    echo "start_test_postgres: $dir is not writable by '$user' (are its parent directories traversable?)" >&2
    return 1
  fi
  # The Unix socket path (DIR/.s.PGSQL.PORT) must fit in sun_path.
  if [ ${#dir} -gt 90 ]; then
    echo "start_test_postgres: '$dir' is too long for a Unix socket directory" >&2
    return 1
  fi

  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data"
    _pg_as_user "$bindir/initdb" -D "$data" -U "$user" --auth=trust --encoding=UTF8 \
      --no-locale --no-sync >"$dir/initdb.log" 2>&1 || {
      echo "start_test_postgres: initdb failed:" >&2
      cat "$dir/initdb.log" >&2
      return 1
    }
  fi
  # Only the socket in DIR and loopback TCP; trust is safe on both for a throwaway server.
  _pg_as_user sh -c "cat >'$data/pg_hba.conf'" <<'EOF'
local all all            trust
host  all all 127.0.0.1/32 trust
EOF
  _pg_as_user sh -c "cat >>'$data/postgresql.conf'" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
EOF

  for attempt in $(seq 1 20); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    : >"$dir/server.log"
    chown "$user" "$dir/server.log" 2>/dev/null || true
    if _pg_as_user "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -o "-p $port" -w -t 60 \
        start >/dev/null 2>&1; then
      break
    fi
    if grep -qi 'address already in use\|could not create any TCP/IP sockets\|could not bind' \
        "$dir/server.log"; then
      port=""
      continue
    fi
    echo "start_test_postgres: the server did not start:" >&2
    cat "$dir/server.log" >&2
    return 1
  done
  [ -n "${port:-}" ] || { echo "start_test_postgres: no free port found" >&2; return 1; }
  BULWARK_TEST_POSTGRES_DATA=$data

  for attempt in $(seq 1 100); do
    "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -U "$user" && break
    [ "$attempt" -eq 100 ] && { echo "start_test_postgres: server not ready" >&2; return 1; }
    sleep 0.1
  done

  export BULWARK_TEST_POSTGRES_URL="postgresql://$user@127.0.0.1:$port/postgres"
  export BULWARK_TEST_POSTGRES_DATA BULWARK_TEST_POSTGRES_RUNAS BULWARK_TEST_POSTGRES_BIN
  if [ -z "$(trap -p EXIT)" ]; then
    trap stop_test_postgres EXIT
  fi
}

stop_test_postgres() {
  if [ -n "${BULWARK_TEST_POSTGRES_DATA:-}" ] && [ -f "$BULWARK_TEST_POSTGRES_DATA/postmaster.pid" ]; then
    _pg_as_user "$BULWARK_TEST_POSTGRES_BIN/pg_ctl" -D "$BULWARK_TEST_POSTGRES_DATA" -m fast -w \
      stop >/dev/null 2>&1 || true
  fi
  BULWARK_TEST_POSTGRES_DATA=""
  unset BULWARK_TEST_POSTGRES_URL
  return 0
}
