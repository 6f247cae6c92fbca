#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite, started and stopped by CI itself.
#
# Source it and call the functions (what .ci/run does):
#     . .ci/pg.sh
#     pg_start                       # exports COSELL_PG_URL (and COSELL_PG_DIR)
#     trap pg_stop EXIT
#     COSELL_TEST_DATABASE_URL="$COSELL_PG_URL" pytest
# or run it by hand:
#     eval "$(.ci/pg.sh start)"      # prints the export lines
#     .ci/pg.sh stop "$COSELL_PG_DIR"
#
# The cluster lives in a fresh temp dir, listens only on a Unix socket in that
# dir (no TCP port to collide with another job), trusts local connections, and
# runs with fsync off: it holds test data only. PostgreSQL refuses to run as
# root, so under root the server runs as the `postgres` user the Debian package
# creates (or a `cosellpg` system user made here).

pg_bindir() {
    # Debian puts the server binaries outside PATH; take the newest installed major.
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
        echo "$dir"
        return 0
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

pg_install() {
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "pg.sh: PostgreSQL is missing and I am not root (no sudo)" >&2; return 1; }
        sudo="sudo"
    fi
    echo "pg.sh: installing PostgreSQL (Debian package)" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

# Run a command as the cluster's owner (ourselves unless we are root).
_pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$_PG_OWNER" -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    local bindir
    bindir=$(pg_bindir) || { pg_install && bindir=$(pg_bindir); } || {
        echo "pg.sh: no initdb/pg_ctl found after installing postgresql" >&2
        return 1
    }
    _PG_OWNER=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        _PG_OWNER=postgres
        if ! id "$_PG_OWNER" >/dev/null 2>&1; then
            _PG_OWNER=cosellpg
            id "$_PG_OWNER" >/dev/null 2>&1 || useradd --system --no-create-home "$_PG_OWNER"
        fi
    fi
    COSELL_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cosell-pg.XXXXXX")
    [ "$(id -u)" = 0 ] && chown "$_PG_OWNER" "$COSELL_PG_DIR"
    _pg_as_owner "$bindir/initdb" -D "$COSELL_PG_DIR/data" -U cosell --auth=trust -E UTF8 \
        --locale=C --no-sync >"$COSELL_PG_DIR/initdb.log" 2>&1 || {
        echo "pg.sh: initdb failed:" >&2; cat "$COSELL_PG_DIR/initdb.log" >&2; return 1
    }
    _pg_as_owner "$bindir/pg_ctl" -D "$COSELL_PG_DIR/data" -l "$COSELL_PG_DIR/server.log" -w -t 60 \
        -o "-k $COSELL_PG_DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c idle_in_transaction_session_timeout=120s" \
        start >/dev/null || {
        echo "pg.sh: the server did not start:" >&2; cat "$COSELL_PG_DIR/server.log" >&2; return 1
    }
    _pg_as_owner "$bindir/createdb" -h "$COSELL_PG_DIR" -U cosell cosell_test || return 1
    COSELL_PG_BINDIR=$bindir
    COSELL_PG_URL="postgresql+psycopg://cosell@/cosell_test?host=$COSELL_PG_DIR"
    export COSELL_PG_DIR COSELL_PG_BINDIR COSELL_PG_URL _PG_OWNER
    echo "pg.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') up at $COSELL_PG_URL" >&2
}

pg_stop() {
    local dir=${1:-${COSELL_PG_DIR:-}}
    [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
    local bindir=${COSELL_PG_BINDIR:-$(pg_bindir)}
    _PG_OWNER=${_PG_OWNER:-$(stat -c %U "$dir/data")}
    _pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-}" in
        start)
            pg_start
            echo "export COSELL_PG_DIR='$COSELL_PG_DIR' COSELL_PG_URL='$COSELL_PG_URL'"
            ;;
        stop) pg_stop "${2:-}" ;;
        *) echo "usage: $0 start | stop DIR   (or source it and call pg_start / pg_stop)" >&2; exit 2 ;;
    esac
fi
