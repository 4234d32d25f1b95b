#!/usr/bin/env bash
# The early warning's benchmark over real HTTP and MQTT (not part of CI): the release server
# with the demo district (its devices quiet, jobs off), driven by examples/bench_ingest.rs:
# device batches of 100 events over HTTP from 200 demo devices, alternating with the baseline —
# the same rows inserted straight into the same kind of table, 100 per transaction — then the
# same batches through Mosquitto, then ingest → SSE delivery under a background load of
# 1,000 events/s. Writes target/bench/BENCHMARKS-ingest.md and prints it.
#
#   scripts/bench-ingest.sh
#   BENCH_BACKENDS=sqlite BENCH_SECS=10 scripts/bench-ingest.sh
#
# Settings: BENCH_BACKENDS ("sqlite postgres"), BENCH_SECS (one HTTP run, default 10),
# BENCH_ROUNDS (A/B rounds, default 2), BENCH_CLIENTS (HTTP clients at once, default 16),
# BENCH_MQTT_BATCHES (default 2000), BENCH_SSE_RATE (events/s, default 1000), BENCH_PROBES
# (default 100), BENCH_PG (default postgres://postgres@127.0.0.1:5432), BENCH_MQTT (broker,
# default mqtt://127.0.0.1:1883), BENCH_NO_BUILD=1, CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
SECS=${BENCH_SECS:-10}
ROUNDS=${BENCH_ROUNDS:-2}
CLIENTS=${BENCH_CLIENTS:-16}
BATCHES=${BENCH_MQTT_BATCHES:-2000}
RATE=${BENCH_SSE_RATE:-1000}
PROBES=${BENCH_PROBES:-100}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
BROKER=${BENCH_MQTT:-mqtt://127.0.0.1:1883}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$ROOT/target/bench
PG_DB=safecampus_bench_ingest
log() { printf '[bench-ingest %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    printf 'bench-ingest: error: %s\n' "$*" >&2
    exit 1
}

if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
    log "building the release binary and the benchmark (CARGO_TARGET_DIR=$TARGET)"
    CARGO_TARGET_DIR=$TARGET cargo build --release --locked --bin safecampus --example bench_ingest
fi
SERVER=$TARGET/release/safecampus
BENCH=$TARGET/release/examples/bench_ingest
[[ -x $SERVER && -x $BENCH ]] || die "build the release binaries first"
command -v curl >/dev/null || die "curl is missing"

mkdir -p "$OUT/logs"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/safecampus-bench-ingest.XXXXXX")
SPID=
cleanup() {
    [[ -n $SPID ]] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
    psql "$PG/postgres" -Atqc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        (: </dev/tcp/127.0.0.1/$p) 2>/dev/null || {
            echo "$p"
            return
        }
    done
    die "no free port"
}

RESULTS=$OUT/ingest.tsv
: >"$RESULTS"
TOKEN=bench-$RANDOM$RANDOM
value() { grep -o "$1=[0-9.]*" | head -n1 | cut -d= -f2; }
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src examples Cargo.toml Cargo.lock 2>/dev/null || COMMIT="$COMMIT (with uncommitted changes)"

for backend in $BACKENDS; do
    case $backend in
    sqlite) URL="sqlite://$TMP/bench.db?mode=rwc" RAW=$TMP/raw.db ;;
    postgres)
        psql "$PG/postgres" -v ON_ERROR_STOP=1 -Atq -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >/dev/null
        URL="$PG/$PG_DB" RAW="$PG/$PG_DB"
        ;;
    esac
    PORT=$(free_port)
    printf '[jobs]\nenabled = false\n[mqtt]\nenabled = true\nurl = "%s"\nclient_id = "bench-%s"\n[ops]\nmetrics_token = "%s"\n' \
        "$BROKER" "$PORT" "$TOKEN" >"$TMP/bench.toml"
    log "$backend: seeding the demo and serving on $PORT"
    RUST_LOG=warn "$SERVER" --config "$TMP/bench.toml" --database-url "$URL" --listen "127.0.0.1:$PORT" \
        demo --no-simulate >"$OUT/logs/ingest-server-$backend.log" 2>&1 &
    SPID=$!
    for _ in $(seq 1 3000); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz" || true) == 200 ]] && break
        kill -0 "$SPID" 2>/dev/null || die "the server exited: $(tail -n 5 "$OUT/logs/ingest-server-$backend.log")"
        sleep 0.2
    done
    BASE=http://127.0.0.1:$PORT
    for r in $(seq 1 "$ROUNDS"); do
        a=$("$BENCH" raw "$backend" "$RAW" --rows 100000 | tee -a "$OUT/logs/ingest.log" | value events_per_s)
        b=$("$BENCH" http "$BASE" --secs "$SECS" --clients "$CLIENTS" | tee -a "$OUT/logs/ingest.log" | value events_per_s)
        printf '%s\traw\t%s\t%s\n%s\thttp\t%s\t%s\n' "$backend" "$r" "$a" "$backend" "$r" "$b" >>"$RESULTS"
        log "$backend round $r: raw $a events/s, HTTP $b events/s"
    done
    m=$("$BENCH" mqtt "$BASE" "$BROKER" "$TOKEN" --batches "$BATCHES" | tee -a "$OUT/logs/ingest.log" | value events_per_s)
    printf '%s\tmqtt\t1\t%s\n' "$backend" "$m" >>"$RESULTS"
    log "$backend: MQTT $m events/s"
    line=$("$BENCH" sse "$BASE" --rate "$RATE" --probes "$PROBES" 2>>"$OUT/logs/ingest.log" | tee -a "$OUT/logs/ingest.log" | grep '^RESULT')
    printf '%s\tsse\t1\t%s\n' "$backend" "${line#RESULT }" >>"$RESULTS"
    log "$backend: $line"
    kill "$SPID" && wait "$SPID" 2>/dev/null || true
    SPID=
done

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
col() { awk -F'\t' -v b="$1" -v k="$2" '$1 == b && $2 == k {print $4}' "$RESULTS"; }
REPORT=$OUT/BENCHMARKS-ingest.md
{
    echo "## $(date -u +%Y-%m-%d) — ingest over HTTP and MQTT, live delivery, $(nproc) cores"
    echo
    echo "- commit: $COMMIT; release build; jobs off; the demo's devices quiet; $ROUNDS rounds of raw / HTTP alternating; HTTP: $CLIENTS clients, batches of 100 heartbeat events from 200 demo devices, $SECS s; raw: the same rows, 100 per transaction, one connection (sqlx), unique (device, event id) as in the platform; MQTT: $BATCHES batches of 100 at QoS 1 through Mosquitto, timed until the server's accepted-events counter has them all; SSE: $PROBES probes (a smoke detector toggled between alarm and clear) under a background load of $RATE events/s, each timed from its request to its event on the city officer's stream"
    for backend in $BACKENDS; do
        raw=$(col "$backend" raw | median)
        http=$(col "$backend" http | median)
        mq=$(col "$backend" mqtt | median)
        sse=$(col "$backend" sse)
        echo
        echo "### $backend"
        echo
        echo "| path | events/s | ratio to raw |"
        echo "|---|---:|---:|"
        echo "| raw batched inserts (baseline) | $raw | 1 |"
        awk -v h="$http" -v m="$mq" -v r="$raw" 'BEGIN {
            printf "| HTTP ingest | %s | %.2f |\n| MQTT ingest | %s | %.2f |\n", h, h / r, m, m / r }'
        echo
        echo "Live delivery: $sse."
    done
} >"$REPORT"
cat "$REPORT"
log "written to $REPORT"
