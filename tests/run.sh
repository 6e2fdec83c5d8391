#!/usr/bin/env bash
# The project's whole test command (README: `bash tests/run.sh`).
#
# 1. Starts a throwaway PostgreSQL 15 on a random free port of 127.0.0.1, in a fresh temporary
#    folder, with superuser `postgres` / password `dangqun`, and exports for the tests:
#      DANGQUN_TEST_PG_URL  postgres://postgres:dangqun@127.0.0.1:<port>/postgres
#      DANGQUN_TEST_PG_BIN  the folder of the server binaries (initdb, pg_ctl, psql…)
#    Installs the federation tests' Node packages (`npm ci --prefix tests/federation`) when
#    they are missing or older than their lock file.
# 2. Runs three passes, stopping at the first failure (its exit code is this script's):
#      1/3  cargo test --workspace --locked        DANGQUN_TEST_BACKEND=sqlite
#      2/3  cargo test --locked -p server --test e2e  DANGQUN_TEST_BACKEND=postgres
#      3/3  cargo test --locked -p server --test e2e  DANGQUN_TEST_BACKEND=mixed
#    Extra arguments go to every `cargo test`, e.g. `bash tests/run.sh -- --nocapture`.
# 3. Always stops the server and removes the folder: on success, on failure, on Ctrl-C/SIGTERM.
#
# Environment:
#   DANGQUN_PG_BIN  folder of the PostgreSQL server binaries; default /usr/lib/postgresql/15/bin,
#                   else `pg_config --bindir`.
#
# Run as root (as in CI), the server runs as the `postgres` OS user, created if missing.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() {
    echo "tests/run.sh: $*" >&2
    exit 1
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL binaries
# ---------------------------------------------------------------------------------------------

has_server_bins() {
    [[ -n "$1" && -x "$1/initdb" && -x "$1/pg_ctl" ]]
}

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
    *) echo "tests/run.sh: warning: expected PostgreSQL 15, found: $PG_VERSION" >&2 ;;
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

# ---------------------------------------------------------------------------------------------
# Clean-up: stop the server, end a running pass, remove the folder — whatever way we exit.
# ---------------------------------------------------------------------------------------------

PG_TMP=""
PASS_PID=""

cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    if [[ -n "$PASS_PID" ]]; then
        # A pass still running (we were interrupted): end its whole process group (CONT too,
        # as a stopped process only acts on TERM once continued).
        kill -TERM -- "-$PASS_PID" 2>/dev/null || true
        kill -CONT -- "-$PASS_PID" 2>/dev/null || true
        wait "$PASS_PID" 2>/dev/null || true
    fi
    if [[ -n "$PG_TMP" && -d "$PG_TMP" ]]; then
        if [[ -f "$PG_TMP/data/postmaster.pid" ]]; then
            as_pg "$PG_BIN/pg_ctl" stop -D "$PG_TMP/data" -m immediate -w >/dev/null 2>&1 || true
        fi
        rm -rf -- "$PG_TMP"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'echo; echo "tests/run.sh: interrupted" >&2; exit 130' INT
trap 'echo "tests/run.sh: terminated" >&2; exit 143' TERM HUP

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
        -o "-p $PG_PORT -k '$PG_TMP' -c listen_addresses=127.0.0.1 -c max_connections=600 -c shared_buffers=32MB -c fsync=off -c full_page_writes=off" \
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

# ---------------------------------------------------------------------------------------------
# The passes
# ---------------------------------------------------------------------------------------------

# run_pass N TITLE BACKEND COMMAND ARGS… — runs one pass with DANGQUN_TEST_BACKEND=BACKEND.
# The command runs in the background in its own process group (set -m) and the script waits
# for it, so that Ctrl-C or SIGTERM reach our traps at once (a foreground command would delay
# them until it ends) and the clean-up ends the pass's whole group: cargo and the test binaries.
# Its standard input is /dev/null: a background process reading the terminal would be stopped.
run_pass() {
    local number=$1 title=$2 backend=$3 status=0
    shift 3
    echo
    echo "== pass $number/3: $title (DANGQUN_TEST_BACKEND=$backend)"
    echo "== $*"
    set -m
    DANGQUN_TEST_BACKEND=$backend "$@" </dev/null &
    PASS_PID=$!
    set +m
    wait "$PASS_PID" || status=$?
    PASS_PID=""
    if [[ $status -ne 0 ]]; then
        echo
        echo "== FAILED: pass $number/3 ($title) exited with status $status" >&2
        exit "$status"
    fi
}

# ---------------------------------------------------------------------------------------------
# Node packages for the federation tests (composition, the fixture subgraph, Hive Gateway),
# exactly as tests/federation/package-lock.json pins them; reinstalled when the lock changes.
# ---------------------------------------------------------------------------------------------

command -v node >/dev/null && command -v npm >/dev/null \
    || die "Node.js 20 or newer and npm are needed for the federation tests (tests/federation)"
FED=tests/federation
if [[ ! -f $FED/node_modules/.package-lock.json || $FED/package-lock.json -nt $FED/node_modules/.package-lock.json ]]; then
    echo "== npm ci --prefix $FED (node $(node --version))"
    npm ci --prefix "$FED" --no-audit --no-fund --loglevel=error </dev/null
else
    echo "== $FED/node_modules is current (node $(node --version))"
fi

SECONDS=0
run_pass 1 "unit tests and every district on SQLite" sqlite \
    cargo test --workspace --locked "$@"
run_pass 2 "every district on PostgreSQL" postgres \
    cargo test --locked -p server --test e2e "$@"
run_pass 3 "districts mixed between SQLite and PostgreSQL" mixed \
    cargo test --locked -p server --test e2e "$@"

echo
echo "== all 3 passes passed (SQLite, PostgreSQL, mixed) in ${SECONDS}s"
