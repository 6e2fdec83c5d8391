#!/usr/bin/env bash
# The benchmark (README, "Benchmarks"): `bash bench/run.sh`.
#
# 1. Builds the release binaries (`dangqun`, `dangqun-bench`) and installs PostGraphile 5 with
#    @graphile/pg-aggregates and a Node 22 binary (the npm package `node`) from
#    bench/postgraphile/package-lock.json.
# 2. Starts a throwaway PostgreSQL 15 (tests/pg.sh) with pg_stat_statements, to count the
#    statements of the servers that do not report their own.
# 3. For each scale, 1x (the four cities) and 100x (`dangqun synth`: 4 cities × 200 centers × 7
#    rooms, 5,600 rooms against the real 56), loads the data into one PostgreSQL database and
#    into SQLite files (one per city), and starts side by side:
#      dangqun-sqlite  dangqun, every city in its own SQLite file (the embedded default)
#      dangqun-pg      dangqun, every city in the one PostgreSQL database
#      postgraphile    PostGraphile 5 over the same PostgreSQL database (bench/postgraphile)
#      floor           `dangqun-bench floor`: one hand-written SQL statement per query behind a
#                      plain axum handler
# 4. `dangqun-bench run` checks that every server answers each query with the floor's rows, then
#    times them in interleaved rounds; `dangqun-bench report` prints one table with the ratios.
#    At each scale it also times one client at a time (rows `1x-1client`…), and it times the first
#    answered query after `dangqun` starts on an empty data folder.
#
# Environment: BENCH_SECONDS (per timed run, default 5), BENCH_ROUNDS (default 2),
# BENCH_WARMUP (seconds, default 1), BENCH_CONNECTIONS (default 16), BENCH_RESULTS (where the
# JSON lines go; default bench/results.jsonl, replaced).

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() {
    echo "bench/run.sh: $*" >&2
    exit 1
}

# shellcheck source=tests/pg.sh
source tests/pg.sh

WORK=""
PIDS=()

cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    pg_stop
    [[ -n "$WORK" ]] && rm -rf -- "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'echo; echo "bench/run.sh: interrupted" >&2; exit 130' INT
trap 'echo "bench/run.sh: terminated" >&2; exit 143' TERM HUP

SECONDS_PER_RUN=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-2}
WARMUP=${BENCH_WARMUP:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
RESULTS=${BENCH_RESULTS:-bench/results.jsonl}
BIN=target/release
PGL=bench/postgraphile

echo "== cargo build --release -p server -p bench"
cargo build --release --locked -p server -p bench

command -v npm >/dev/null || die "npm is needed to install PostGraphile (bench/postgraphile)"
if [[ ! -f $PGL/node_modules/.package-lock.json || $PGL/package-lock.json -nt $PGL/node_modules/.package-lock.json ]]; then
    echo "== npm ci --prefix $PGL"
    npm ci --prefix "$PGL" --no-audit --no-fund --loglevel=error </dev/null
fi
NODE=$PGL/node_modules/node/bin/node
echo "== PostGraphile's Node: $("$NODE" --version)"

PG_EXTRA_OPTS="-c shared_preload_libraries=pg_stat_statements"
pg_start
PSQL="$PG_BIN/psql"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dangqun-bench.XXXXXXXX")
rm -f -- "$RESULTS"

# wait_for PORT PID NAME — until the server answers HTTP, or its process is gone.
wait_for() {
    local port=$1 pid=$2 name=$3
    for _ in $(seq 600); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$WORK/$name.log" >&2
            die "$name exited before it served (its log above)"
        fi
        sleep 0.1
    done
    die "$name did not listen on $port within 60 s"
}

# start NAME COMMAND… — starts a server in the background, logging to $WORK/NAME.log; sets PID.
start() {
    local name=$1
    shift
    "$@" >"$WORK/$name.log" 2>&1 &
    PID=$!
    PIDS+=("$PID")
}

CITIES=(korla taiyuan suzhou jinshan)

for SCALE in 1x 100x; do
    echo
    echo "== scale $SCALE"
    DB=bench_$SCALE
    "$PSQL" -q -d "$PG_URL" -c "CREATE DATABASE $DB"
    URL="postgres://postgres:dangqun@127.0.0.1:$PG_PORT/$DB"
    "$PSQL" -q -d "$URL" -c "CREATE EXTENSION pg_stat_statements"
    SQLITE_DIR=$WORK/sqlite-$SCALE
    if [[ $SCALE == 1x ]]; then
        for city in "${CITIES[@]}"; do
            "$BIN/dangqun" import --city "$city" --database "$URL" >/dev/null 2>&1
        done
        "$BIN/dangqun" import --data-dir "$SQLITE_DIR" >/dev/null 2>&1
        SERVED=$(IFS=,; echo "${CITIES[*]}")
        ROOM=korla/kongque/street-corner-theatre
        SQLITE_ARGS=(--data-dir "$SQLITE_DIR")
        PG_ARGS=()
        PG_ENV=()
        for city in "${CITIES[@]}"; do
            PG_ENV+=("DANGQUN_DATABASE_${city^^}=$URL")
        done
    else
        SYNTH=(--cities 4 --centers-per-city 200 --rooms-per-center 7 --seed 1)
        "$BIN/dangqun" synth "${SYNTH[@]}" --database "$URL" >/dev/null
        "$BIN/dangqun" synth "${SYNTH[@]}" --databases 4 --out "$SQLITE_DIR" >/dev/null
        SERVED=synth-0001,synth-0002,synth-0003,synth-0004
        ROOM=synth-0001/center-00000/room-00
        FILES=$(ls "$SQLITE_DIR"/synth-*.sqlite | paste -sd, -)
        SQLITE_ARGS=(--only-synthetic --synthetic "$FILES" --data-dir "$WORK/none")
        PG_ARGS=(--only-synthetic --synthetic "$URL" --data-dir "$WORK/none")
        PG_ENV=()
    fi
    "$PSQL" -q -d "$URL" -f "$PGL/adapt.sql"
    "$PSQL" -q -d "$URL" -c "ANALYZE"

    P1=$(free_port); P2=$(free_port); P3=$(free_port); P4=$(free_port)
    # The load comes from one address: no per-client rate limit (it would answer 429).
    start dangqun-sqlite "$BIN/dangqun" serve --listen "127.0.0.1:$P1" --rate-limit 0 "${SQLITE_ARGS[@]}"
    PID1=$PID
    start dangqun-pg env "${PG_ENV[@]}" "$BIN/dangqun" serve --listen "127.0.0.1:$P2" --rate-limit 0 "${PG_ARGS[@]}"
    PID2=$PID
    start postgraphile env DATABASE_URL="$URL" PORT="$P3" "$NODE" "$PGL/server.mjs"
    PID3=$PID
    start floor "$BIN/dangqun-bench" floor --database "$URL" --listen "127.0.0.1:$P4" --cities "$SERVED"
    PID4=$PID
    wait_for "$P1" "$PID1" dangqun-sqlite
    wait_for "$P2" "$PID2" dangqun-pg
    wait_for "$P3" "$PID3" postgraphile
    wait_for "$P4" "$PID4" floor

    "$BIN/dangqun-bench" run --scale "$SCALE" \
        --target "dangqun-sqlite=dangqun=127.0.0.1:$P1=$PID1" \
        --target "dangqun-pg=dangqun=127.0.0.1:$P2=$PID2" \
        --target "postgraphile=postgraphile=127.0.0.1:$P3=$PID3" \
        --target "floor=floor=127.0.0.1:$P4=$PID4" \
        --pg-url "$URL" --room-id "$ROOM" \
        --connections "$CONNECTIONS" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" \
        --rounds "$ROUNDS" --out "$RESULTS"
    # One client at a time: latency without queueing (rows "<scale>-1client"). As many
    # interleaved rounds as under load, so one noisy moment of the shared machine does not make
    # one server's tail.
    "$BIN/dangqun-bench" run --scale "$SCALE-1client" \
            --target "dangqun-sqlite=dangqun=127.0.0.1:$P1=$PID1" \
            --target "dangqun-pg=dangqun=127.0.0.1:$P2=$PID2" \
            --target "postgraphile=postgraphile=127.0.0.1:$P3=$PID3" \
            --target "floor=floor=127.0.0.1:$P4=$PID4" \
            --pg-url "$URL" --room-id "$ROOM" \
            --connections 1 --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" \
            --rounds "$ROUNDS" --out "$RESULTS"
    for pid in "$PID1" "$PID2" "$PID3" "$PID4"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
done

# The first answered query after a start on the embedded default, data imported on the way.
echo
echo "== first answer after start (embedded default, empty data folder)"
PORT=$(free_port)
STARTED=$(date +%s%N)
start first "$BIN/dangqun" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/first"
FIRST=""
for _ in $(seq 3000); do
    if curl -sf -o /dev/null -H 'content-type: application/json' \
        --data '{"query":"{ cities { id } }"}' "http://127.0.0.1:$PORT/graphql" 2>/dev/null; then
        FIRST=$(( ($(date +%s%N) - STARTED) / 1000000 ))
        break
    fi
    sleep 0.01
done
kill "$PID" 2>/dev/null || true
[[ -n "$FIRST" ]] || die "dangqun did not answer within 30 s of its start"

echo
echo "== results ($(nproc) cores, $SECONDS_PER_RUN s × $ROUNDS rounds per cell, $CONNECTIONS connections; $(date -u +%Y-%m-%d))"
"$BIN/dangqun-bench" report "$RESULTS"
echo
echo "first answered query after start on the embedded default: $FIRST ms"
