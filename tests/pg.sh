#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the test suite (tests/run.sh) and the benchmark (bench/run.sh).
# Sourced, not run. The caller defines `die MESSAGE` and calls `pg_stop` from its EXIT trap.
#
#   pg_start   initdb into a fresh temporary folder, start on a random free port of 127.0.0.1
#              with superuser `postgres` / password `dangqun`; sets PG_PORT, PG_TMP, PG_URL
#              (postgres://postgres:dangqun@127.0.0.1:<port>/postgres). PG_EXTRA_OPTS adds
#              server options (`-c name=value …`).
#   pg_stop    stops the server and removes the folder, if there is one.
#   as_pg      runs a command as the server's OS user.
#
# Environment: DANGQUN_PG_BIN, the folder of the server binaries (default
# /usr/lib/postgresql/15/bin, else `pg_config --bindir`). Run as root, PostgreSQL 15 is installed
# with apt-get when it is missing, and the server runs as the `postgres` OS user, created if
# missing.

PG_TMP=""

# ---------------------------------------------------------------------------------------------
# PostgreSQL binaries
# ---------------------------------------------------------------------------------------------

has_server_bins() {
    [[ -n "$1" && -x "$1/initdb" && -x "$1/pg_ctl" ]]
}

# A fresh Debian machine has no PostgreSQL 15: as root, install it (with pg_trgm, which the
# PostgreSQL districts use) rather than stop.
if [[ -z "${DANGQUN_PG_BIN:-}" && $EUID -eq 0 ]] && command -v apt-get >/dev/null \
    && { ! has_server_bins /usr/lib/postgresql/15/bin \
        || [[ ! -f /usr/share/postgresql/15/extension/pg_trgm.control ]]; }; then
    echo "== installing PostgreSQL 15 (apt-get install postgresql-15)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-client-15 >/dev/null \
        || die "apt-get could not install postgresql-15"
fi

PG_BIN=""
if [[ -n "${DANGQUN_PG_BIN:-}" ]]; then
    # An explicit choice is never silently replaced by another installation.
    has_server_bins "$DANGQUN_PG_BIN" \
        || die "DANGQUN_PG_BIN=$DANGQUN_PG_BIN has no initdb and pg_ctl"
    PG_BIN=$DANGQUN_PG_BIN
elif has_server_bins /usr/lib/postgresql/15/bin; then
    PG_BIN=/usr/lib/postgresql/15/bin
elif command -v pg_config >/dev/null && has_server_bins "$(pg_config --bindir)"; then
    PG_BIN=$(pg_config --bindir)
else
    die "no PostgreSQL server binaries (initdb, pg_ctl) found: install PostgreSQL 15 (Debian: apt-get install postgresql-15) or set DANGQUN_PG_BIN"
fi
PG_VERSION=$("$PG_BIN/postgres" --version 2>/dev/null || echo "unknown version")
case "$PG_VERSION" in
    *" 15."*) ;;
    *) echo "warning: expected PostgreSQL 15, found: $PG_VERSION" >&2 ;;
esac

# ---------------------------------------------------------------------------------------------
# Who runs the server: PostgreSQL refuses to run as root, so root uses the `postgres` OS user.
# ---------------------------------------------------------------------------------------------

if [[ $EUID -eq 0 ]]; then
    if ! id -u postgres >/dev/null 2>&1; then
        echo "tests/run.sh: creating the system user 'postgres' to run PostgreSQL as"
        group=(--user-group)
        getent group postgres >/dev/null && group=(--gid postgres)
        useradd --system "${group[@]}" --no-create-home --shell /usr/sbin/nologin postgres \
            || die "running as root and there is no 'postgres' OS user, and it could not be created (useradd --system postgres)"
    fi
fi

# as_pg COMMAND ARGS… — runs a command as the server's OS user, from the temp folder (the
# postgres user may not be allowed into the current directory).
as_pg() {
    if [[ $EUID -ne 0 ]]; then
        (cd "$PG_TMP" && "$@")
    elif command -v runuser >/dev/null; then
        (cd "$PG_TMP" && runuser -u postgres -- "$@")
    else
        (cd "$PG_TMP" && su postgres -s /bin/sh -c "$(printf '%q ' "$@")")
    fi
}

pg_stop() {
    if [[ -n "$PG_TMP" && -d "$PG_TMP" ]]; then
        if [[ -f "$PG_TMP/data/postmaster.pid" ]]; then
            as_pg "$PG_BIN/pg_ctl" stop -D "$PG_TMP/data" -m immediate -w >/dev/null 2>&1 || true
        fi
        rm -rf -- "$PG_TMP"
    fi
}

pg_start() {
    # ---------------------------------------------------------------------------------------------
    # initdb into a fresh folder
    # ---------------------------------------------------------------------------------------------

    PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dangqun-pg.XXXXXXXX")
    if [[ $EUID -eq 0 ]]; then
        chown postgres: "$PG_TMP"
        as_pg test -w "$PG_TMP" \
            || die "the 'postgres' OS user cannot write to $PG_TMP: set TMPDIR to a folder it can reach (e.g. /tmp)"
    fi

    # C.UTF-8 if this system has it (glibc lists it as C.utf8), else C; the encoding is UTF8 either way.
    PG_LOCALE=C
    if grep -qiE '^c\.utf-?8$' <<<"$(locale -a 2>/dev/null || true)"; then
        PG_LOCALE=C.UTF-8
    fi

    printf 'dangqun\n' >"$PG_TMP/pwfile"
    if [[ $EUID -eq 0 ]]; then
        chown postgres: "$PG_TMP/pwfile"
    fi

    if ! as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres --pwfile="$PG_TMP/pwfile" \
        --encoding=UTF8 --locale="$PG_LOCALE" --auth-local=trust --auth-host=scram-sha-256 \
        --no-sync --no-instructions >"$PG_TMP/initdb.log" 2>&1; then
        cat "$PG_TMP/initdb.log" >&2
        die "initdb failed (output above)"
    fi
    rm -f -- "$PG_TMP/pwfile"

    # ---------------------------------------------------------------------------------------------
    # Start on a random free port (a few attempts, in case another process takes the port first)
    # ---------------------------------------------------------------------------------------------

    free_port() {
        local port
        if port=$(python3 -c 'import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])' 2>/dev/null) && [[ -n "$port" ]]; then
            echo "$port"
            return
        fi
        # No python3: random ports until one has no listener.
        for _ in $(seq 100); do
            port=$(shuf -i 20000-60999 -n 1)
            if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                echo "$port"
                return
            fi
        done
        die "found no free port on 127.0.0.1"
    }

    PG_LOG="$PG_TMP/server.log"
    started=""
    for attempt in 1 2 3; do
        PG_PORT=$(free_port)
        if as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$PG_TMP/data" -l "$PG_LOG" \
            -o "-p $PG_PORT -k '$PG_TMP' -c listen_addresses=127.0.0.1 -c max_connections=600 -c shared_buffers=32MB -c fsync=off -c full_page_writes=off ${PG_EXTRA_OPTS:-}" \
            >/dev/null; then
            started=yes
            break
        fi
        grep -q 'could not bind' "$PG_LOG" 2>/dev/null || break   # only a taken port is retried
        echo "tests/run.sh: port $PG_PORT was taken, trying another (attempt $attempt)" >&2
    done
    if [[ -z "$started" ]]; then
        echo "---- PostgreSQL server log ($PG_LOG) ----" >&2
        cat "$PG_LOG" >&2 2>/dev/null || true
        echo "----" >&2
        die "PostgreSQL did not start (server log above)"
    fi

    export DANGQUN_TEST_PG_URL="postgres://postgres:dangqun@127.0.0.1:$PG_PORT/postgres"
    export DANGQUN_TEST_PG_BIN="$PG_BIN"
    echo "== $PG_VERSION on 127.0.0.1:$PG_PORT (locale $PG_LOCALE, folder $PG_TMP)"
    PG_URL="postgres://postgres:dangqun@127.0.0.1:$PG_PORT/postgres"
}
