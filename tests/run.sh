#!/usr/bin/env bash
# The project's whole test command (README: `bash tests/run.sh`).
#
# 1. Starts a throwaway PostgreSQL 15 on a random free port of 127.0.0.1, in a fresh temporary
#    folder, with superuser `postgres` / password `dangqun`, and exports for the tests:
#      DANGQUN_TEST_PG_URL  postgres://postgres:dangqun@127.0.0.1:<port>/postgres
#      DANGQUN_TEST_PG_BIN  the folder of the server binaries (initdb, pg_ctl, psql…)
#    Installs PostgreSQL 15 first when it is missing (as root, with apt-get), and Node.js and
#    Chromium the same way; installs the Node packages of tests/federation and tests/graphql-http (`npm ci`)
#    when they are missing or older than their lock file.
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

# shellcheck source=tests/pg.sh
source tests/pg.sh

# ---------------------------------------------------------------------------------------------
# Clean-up: stop the server, end a running pass, remove the folder — whatever way we exit.
# ---------------------------------------------------------------------------------------------

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
    pg_stop
    exit "$status"
}
trap cleanup EXIT
trap 'echo; echo "tests/run.sh: interrupted" >&2; exit 130' INT
trap 'echo "tests/run.sh: terminated" >&2; exit 143' TERM HUP

pg_start

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
# Node packages, exactly as each folder's package-lock.json pins them; reinstalled when the lock
# changes: tests/federation (composition, the fixture subgraph, Hive Gateway) and
# tests/graphql-http (the GraphQL-over-HTTP audit).
# ---------------------------------------------------------------------------------------------

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "== installing Node.js and npm (apt-get install nodejs npm)"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    fi
fi
command -v node >/dev/null && command -v npm >/dev/null \
    || die "Node.js 20 or newer and npm are needed (tests/federation, tests/graphql-http): install them (Debian: apt-get install nodejs npm)"
node -e 'process.exit(parseInt(process.versions.node, 10) >= 20 ? 0 : 1)' \
    || die "Node.js 20 or newer is needed (tests/federation, tests/graphql-http); found $(node --version)"
# Headless Chromium, for the test that loads a page from another origin (tests/e2e/web.rs).
if ! command -v chromium >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "== installing Chromium (apt-get install chromium)"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
fi
command -v chromium >/dev/null \
    || die "Chromium is needed for the browser test (tests/e2e/web.rs): install it (Debian: apt-get install chromium)"
# Chinese glyphs for the comparison page's screenshots (tests/e2e/page.rs keeps them in
# target/test-artefacts/); the page's checks read the DOM and pass without them.
if [[ -z $(fc-list :lang=zh 2>/dev/null) ]] && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "== installing Chinese fonts for the screenshots (apt-get install fonts-noto-cjk)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null \
        || echo "== warning: no Chinese fonts: the page's screenshots will show boxes for Chinese text"
fi

for dir in tests/federation tests/graphql-http; do
    if [[ ! -f $dir/node_modules/.package-lock.json || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
        echo "== npm ci --prefix $dir (node $(node --version))"
        npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error </dev/null
    else
        echo "== $dir/node_modules is current (node $(node --version))"
    fi
done

SECONDS=0
run_pass 1 "unit tests and every district on SQLite" sqlite \
    cargo test --workspace --locked "$@"
run_pass 2 "every district on PostgreSQL" postgres \
    cargo test --locked -p server --test e2e "$@"
run_pass 3 "districts mixed between SQLite and PostgreSQL" mixed \
    cargo test --locked -p server --test e2e "$@"

echo
echo "== all 3 passes passed (SQLite, PostgreSQL, mixed) in ${SECONDS}s"
