#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite: data folder and Unix socket in a new
# temporary folder, no TCP listener, trust authentication on the socket (plus one role that
# needs a password, for the redaction tests).
#
#   eval "$(scripts/postgres-test-server.sh start)"   # exports PORTREG_TEST_POSTGRES_URL and _DIR
#   swift test
#   scripts/postgres-test-server.sh stop              # stops the cluster in $PORTREG_TEST_POSTGRES_DIR
#
# initdb refuses to run as root: as root the cluster runs as the `postgres` user that Debian's
# package creates (or `portreg-ci`, created here, when there is none).
set -euo pipefail

bindir() {
    local dir
    if command -v pg_config >/dev/null && dir=$(pg_config --bindir 2>/dev/null) && [ -x "$dir/initdb" ]; then
        echo "$dir"; return
    fi
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
    dir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
    [ -x "$dir/initdb" ] || { echo "postgres-test-server: initdb not found (apt-get install postgresql)" >&2; exit 69; }
    echo "$dir"
}

# Runs a server binary as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$owner" -- "$@"
    else
        "$@"
    fi
}

start() {
    local bin dir
    bin=$(bindir)
    if [ "$(id -u)" -eq 0 ]; then
        owner=postgres
        if ! id -u "$owner" >/dev/null 2>&1; then
            owner=portreg-ci
            id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
        fi
    else
        owner=$(id -un)
    fi
    dir=$(mktemp -d "${TMPDIR:-/tmp}/portreg-pg.XXXXXX")
    chmod 0755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U "$owner" --auth-local=trust --auth-host=reject \
        -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 70; }
    # The role portreg_pw must give its password (scram): the tests check it never shows.
    { echo "local all portreg_pw scram-sha-256"; cat "$dir/data/pg_hba.conf"; } >"$dir/pg_hba.conf"
    as_owner cp "$dir/pg_hba.conf" "$dir/data/pg_hba.conf"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 70; }
    # The test database sorts text by ICU's en-US rules where the server has ICU (Debian's
    # has): portreg's COLLATE "C" columns must keep the export order byte-wise all the same.
    local psql=("$bin/psql" -h "$dir" -U "$owner" -d postgres -qAt -v ON_ERROR_STOP=1)
    as_owner "${psql[@]}" \
        -c "CREATE DATABASE portreg_test TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'" \
        >/dev/null 2>&1 || as_owner "${psql[@]}" -c "CREATE DATABASE portreg_test" >/dev/null
    as_owner "${psql[@]}" -c "CREATE ROLE portreg_pw LOGIN PASSWORD 'correct-horse-battery'" >/dev/null
    echo "export PORTREG_TEST_POSTGRES_DIR='$dir'"
    echo "export PORTREG_TEST_POSTGRES_URL='postgresql://$owner@/portreg_test?host=$dir'"
}

stop() {
    local dir=${1:-${PORTREG_TEST_POSTGRES_DIR:-}}
    [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "postgres-test-server: no cluster folder given" >&2; exit 64; }
    owner=$(stat -c %U "$dir/data")
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    *) echo "usage: $0 start | stop [DIR]" >&2; exit 64 ;;
esac
