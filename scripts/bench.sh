#!/usr/bin/env bash
# The load benchmark over real HTTP (not part of CI): the release server seeded with the demo
# district, driven by wrk on loopback, every endpoint measured against a bare axum server
# (baseline A, examples/bench_baseline.rs) in alternating runs, plus raw insert rates
# (baseline B, examples/bench_inserts.rs). Writes target/bench/BENCHMARKS-http.md and prints it.
#
#   scripts/bench.sh                      # SQLite and PostgreSQL, 8 s per timed endpoint run
#   BENCH_DURATION=10 BENCH_ROUNDS=3 scripts/bench.sh
#   BENCH_BACKENDS=sqlite scripts/bench.sh
#
# Settings (environment): BENCH_DURATION (seconds of one timed endpoint run, default 8),
# BENCH_BASELINE_DURATION (one baseline run, default half of it), BENCH_WARMUP (seconds,
# default 2), BENCH_SOLO_DURATION (the one-client run, default 2), BENCH_ROUNDS (A/B rounds
# per endpoint, at least 2, default 2), BENCH_THREADS and BENCH_CONNECTIONS (wrk -t/-c,
# default 2 and 32), BENCH_BACKENDS ("sqlite postgres"), BENCH_PG (server URL without
# database, default postgres://postgres@127.0.0.1:5432), BENCH_PG_DB (database created afresh
# and dropped at the end, default safecampus_bench), BENCH_CITY_SCHOOLS (a city of that many
# schools made by `safecampus generate` instead of the demo district; BENCH_CITY_DISTRICTS,
# default 10), BENCH_NO_BUILD=1 (use the binaries
# already built), CARGO_TARGET_DIR (where they are built), BENCH_REPORT_ONLY=1 (write the
# report of the last run again from target/bench/*.tsv), BENCH_SLOW_DURATION and BENCH_SLOW_MIN
# (an endpoint answering fewer than SLOW_MIN requests in its timed runs gets one run of
# SLOW_DURATION seconds with a timeout twice that; defaults 20 and 20).
# Needs root for apt-get only when wrk, curl or jq is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${BENCH_DURATION:-8}
BASE_DURATION=${BENCH_BASELINE_DURATION:-$(((DURATION + 1) / 2))}
WARMUP=${BENCH_WARMUP:-2}
SOLO=${BENCH_SOLO_DURATION:-2}
SLOW=${BENCH_SLOW_DURATION:-20}
SLOW_MIN=${BENCH_SLOW_MIN:-20}
ROUNDS=${BENCH_ROUNDS:-2}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PG_DB=${BENCH_PG_DB:-safecampus_bench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$ROOT/target/bench
PASSWORD='SafeCampus#2021'
LUA=$ROOT/scripts/bench/stats.lua
HZ=$(getconf CLK_TCK)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}
[[ $ROUNDS -ge 2 ]] || die "BENCH_ROUNDS must be at least 2 (got $ROUNDS)"
[[ $DURATION -ge 1 && $BASE_DURATION -ge 1 ]] || die "durations must be at least 1 s"

# ---- tools ----
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
if [[ ${#need[@]} -gt 0 ]]; then
    [[ $(id -u) -eq 0 ]] || die "missing ${need[*]}: install them (apt-get install -y ${need[*]}) or run as root"
    log "installing ${need[*]}"
    apt-get install -y "${need[@]}" >/dev/null 2>&1 || {
        apt-get update -qq && apt-get install -y "${need[@]}" >/dev/null
    } || die "apt-get install ${need[*]} failed"
fi
for b in $BACKENDS; do
    case $b in
    sqlite) ;;
    postgres)
        command -v psql >/dev/null || die "BENCH_BACKENDS has postgres but psql is missing"
        psql "$PG/postgres" -Atqc 'select 1' >/dev/null 2>&1 ||
            die "PostgreSQL does not answer at $PG (start it, or run with BENCH_BACKENDS=sqlite)"
        ;;
    *) die "unknown backend '$b' in BENCH_BACKENDS (sqlite, postgres)" ;;
    esac
done

# ---- build ----
if [[ ${BENCH_NO_BUILD:-0} != 1 && ${BENCH_REPORT_ONLY:-0} != 1 ]]; then
    log "building the release binary and the baselines (CARGO_TARGET_DIR=$TARGET)"
    CARGO_TARGET_DIR=$TARGET cargo build --release --locked
    CARGO_TARGET_DIR=$TARGET cargo build --release --locked --example bench_baseline --example bench_inserts
fi
SERVER=$TARGET/release/safecampus
BASELINE=$TARGET/release/examples/bench_baseline
INSERTS=$TARGET/release/examples/bench_inserts
for f in "$SERVER" "$BASELINE" "$INSERTS"; do
    [[ -x $f || ${BENCH_REPORT_ONLY:-0} == 1 ]] || die "$f is missing (build it, or unset BENCH_NO_BUILD)"
done

# ---- processes and cleanup ----
mkdir -p "$OUT/logs"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/safecampus-bench.XXXXXX")
PIDS=()
PG_CREATED=0
cleanup() {
    local rc=$?
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    if [[ $PG_CREATED == 1 ]]; then
        psql "$PG/postgres" -Atqc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
    [[ $rc -eq 0 ]] || printf 'bench: failed (exit %s); logs in %s\n' "$rc" "$OUT/logs" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nothing listens on (checked just before the server binds it).
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        if ! (: </dev/tcp/127.0.0.1/$p) 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    die "no free port found"
}

# Waits until URL answers 200 while process PID lives.
wait_up() {
    local url=$1 pid=$2 secs=$3 logf=$4
    for _ in $(seq 1 $((secs * 5))); do
        kill -0 "$pid" 2>/dev/null || die "the server exited before answering (see $logf): $(tail -n 5 "$logf")"
        [[ $(curl -s -o /dev/null -w '%{http_code}' "$url" || true) == 200 ]] && return
        sleep 0.2
    done
    die "$url did not answer 200 within $secs s (see $logf)"
}

stop() {
    local pid=$1
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local keep=()
    for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
    PIDS=("${keep[@]+"${keep[@]}"}")
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
# "pid ticks" of every PostgreSQL process (its backends do the queries of the PostgreSQL runs).
pg_snapshot() {
    local p
    for p in $(pgrep -u postgres 2>/dev/null || true); do
        awk -v p="$p" '{print p, $14 + $15}' "/proc/$p/stat" 2>/dev/null || true
    done
}
# CPU ticks PostgreSQL spent between two snapshots: per process, a process started in between
# counts whole; one that ended in between is lost (the pool keeps its connections open).
pg_delta() {
    awk 'NR == FNR {t0[$1] = $2; next} {d += $2 - (($1 in t0) ? t0[$1] : 0)} END {print d + 0}' "$1" "$2"
}

RESULTS=$OUT/runs.tsv
INSERTS_TSV=$OUT/inserts.tsv
INFO=$OUT/info.tsv
info() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$INFO"; }

# Waits until process PID has used no more than 2 clock ticks in half a second: a run that
# wrk ends leaves one request in flight per connection, which the server still works on.
wait_idle() {
    local pid=$1 t0 t1
    for _ in $(seq 1 240); do
        t0=$(ticks "$pid")
        sleep 0.5
        t1=$(ticks "$pid")
        [[ $((t1 - t0)) -le 2 ]] && return
    done
    log "WARNING: pid $pid still busy after 120 s"
}

# One wrk run: backend label kind round pid seconds url [token]; kind A is the baseline, B the
# endpoint under load, C the endpoint with one client. Appends a line to runs.tsv. The CPU of a
# B or C run is counted from its start until the server is idle again (so the requests left in
# flight when wrk stops are in it; the report divides by requests + connections).
run_wrk() {
    local backend=$1 label=$2 kind=$3 round=$4 pid=$5 secs=$6 url=$7 token=${8:-}
    local hdr=() c0 c1 d1=0 line
    [[ -n $token ]] && hdr=(-H "Authorization: Bearer $token")
    c0=$(ticks "$pid")
    [[ $backend == postgres && $kind != A ]] && pg_snapshot >"$TMP/pg0"
    line=$(wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --timeout "${WRK_TIMEOUT:-10}s" -s "$LUA" "${hdr[@]+"${hdr[@]}"}" "$url" |
        tee -a "$OUT/logs/wrk.log" | grep '^WRK ') || die "wrk failed on $url"
    local rss hwm
    rss=$(status_kb "$pid" VmRSS)
    hwm=$(status_kb "$pid" VmHWM)
    [[ $kind != A ]] && wait_idle "$pid"
    c1=$(ticks "$pid")
    if [[ $backend == postgres && $kind != A ]]; then
        pg_snapshot >"$TMP/pg1"
        d1=$(pg_delta "$TMP/pg0" "$TMP/pg1")
    fi
    local requests duration_us bytes p50_us p95_us p99_us max_us connect read write status timeout
    eval "$(tr ' ' '\n' <<<"${line#WRK }" | grep -E '^[a-z0-9_]+=[0-9]+$')"
    local errs=$((connect + read + write + timeout))
    [[ $status -eq 0 && $errs -eq 0 ]] || log "WARNING: $label: $status non-2xx answers, $errs socket errors"
    printf '%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n' \
        "$backend" "$label" "$kind" "$round" "$requests" "$duration_us" "$p50_us" "$p95_us" \
        "$p99_us" "$status" "$errs" $((c1 - c0)) "$d1" "$rss" "$hwm" "$CONNS" >>"$RESULTS"
    awk -v r="$requests" -v d="$duration_us" -v l="$label" -v k="$kind" -v p="$p99_us" \
        'BEGIN { printf "    %s %-44s %9.1f req/s  p99 %7.1f ms\n", k, l, r / (d / 1e6), p / 1000 }' >&2
}

# Signs in over the JSON API; prints the whole answer.
login() {
    curl -sS --fail-with-body -H 'Content-Type: application/json' \
        -d "{\"username\":\"$2\",\"password\":\"$PASSWORD\"}" "$1/api/v1/auth/login" ||
        die "sign-in of $2 failed"
}

# GET that must answer 200; prints the body.
get_ok() {
    local url=$1 token=${2:-} code
    local hdr=()
    [[ -n $token ]] && hdr=(-H "Authorization: Bearer $token")
    code=$(curl -sS -o "$TMP/body" -w '%{http_code}\t%{content_type}\t%{size_download}' \
        "${hdr[@]+"${hdr[@]}"}" "$url") || die "GET $url failed"
    [[ ${code%%$'\t'*} == 200 ]] || die "GET $url answered ${code%%$'\t'*}, not 200: $(head -c 300 "$TMP/body")"
    printf '%s\n' "$code" >"$TMP/meta"
    cat "$TMP/body"
}

if [[ ${BENCH_REPORT_ONLY:-0} != 1 ]]; then
: >"$RESULTS"
: >"$INSERTS_TSV"
: >"$INFO"

# ---- baseline A ----
BPORT=$(free_port)
"$BASELINE" "127.0.0.1:$BPORT" 2>"$OUT/logs/baseline.log" &
BPID=$!
PIDS+=("$BPID")
BURL=http://127.0.0.1:$BPORT/baseline
wait_up "$BURL" "$BPID" 30 "$OUT/logs/baseline.log"
log "baseline A (bare axum) on port $BPORT, pid $BPID; warming up"
wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" "$BURL" >/dev/null

START=$(date +%s)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src Cargo.toml Cargo.lock templates locales 2>/dev/null || COMMIT="$COMMIT (with uncommitted changes)"
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg)
for backend in $BACKENDS; do
    case $backend in
    sqlite) URL="sqlite://$TMP/bench.db?mode=rwc" ;;
    postgres)
        psql "$PG/postgres" -v ON_ERROR_STOP=1 -Atq -c "DROP DATABASE IF EXISTS $PG_DB" \
            -c "CREATE DATABASE $PG_DB" >/dev/null || die "cannot create database $PG_DB at $PG"
        PG_CREATED=1
        URL="$PG/$PG_DB"
        ;;
    esac
    # Background jobs and the demo's simulated devices off: they would write during the runs.
    # Sign-in with a password alone for the load generator's accounts (as the demo does).
    printf '[jobs]\nenabled = false\n\n[security]\nmfa_required_roles = []\n' >"$TMP/bench.toml"
    PORT=$(free_port)
    LOGF=$OUT/logs/server-$backend.log
    t0=$(date +%s.%N)
    if [[ -n ${BENCH_CITY_SCHOOLS:-} ]]; then
        # A city-scale data set instead of the demo district (the same accounts and password).
        log "$backend: generating a city of $BENCH_CITY_SCHOOLS schools, then serving on port $PORT"
        "$SERVER" --config "$TMP/bench.toml" --database-url "$URL" generate \
            --schools "$BENCH_CITY_SCHOOLS" --districts "${BENCH_CITY_DISTRICTS:-10}" \
            >"$OUT/logs/generate-$backend.log" 2>&1 || die "generate failed (see $OUT/logs/generate-$backend.log)"
        RUST_LOG=${RUST_LOG:-info,sqlx=warn,sea_orm=warn} "$SERVER" --config "$TMP/bench.toml" \
            --database-url "$URL" --listen "127.0.0.1:$PORT" serve >"$LOGF" 2>&1 &
    else
        log "$backend: seeding the demo district and serving on port $PORT"
        RUST_LOG=${RUST_LOG:-info,sqlx=warn,sea_orm=warn} "$SERVER" --config "$TMP/bench.toml" \
            --database-url "$URL" --listen "127.0.0.1:$PORT" demo --no-simulate >"$LOGF" 2>&1 &
    fi
    SPID=$!
    PIDS+=("$SPID")
    BASE=http://127.0.0.1:$PORT
    wait_up "$BASE/readyz" "$SPID" 600 "$LOGF"
    t1=$(date +%s.%N)
    info "$backend" seed_secs "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')"
    info "$backend" rss_start_kb "$(status_kb "$SPID" VmRSS)"

    OFFICER=$(login "$BASE" bureau.officer | jq -r .token)
    P=$(login "$BASE" s001.principal)
    PRINCIPAL=$(jq -r .token <<<"$P")
    SID=$(jq -r .user.org.id <<<"$P")
    [[ $SID =~ ^[0-9]+$ ]] || die "s001.principal has no school: $P"

    # Data size.
    info "$backend" schools "$(get_ok "$BASE/api/v1/schools?per_page=200" "$OFFICER" | jq '.total // (.items | length)')"
    info "$backend" hazards "$(get_ok "$BASE/api/v1/hazards" "$OFFICER" | jq .total)"
    info "$backend" district_points "$(get_ok "$BASE/api/v1/risk-summary" "$OFFICER" | jq '[.[].total] | add')"
    info "$backend" school_points "$(get_ok "$BASE/api/v1/schools/$SID/risk-points" "$OFFICER" | jq .total)"
    info "$backend" school_code "$(get_ok "$BASE/api/v1/schools/$SID" "$OFFICER" | jq -r .code)"

    # label|token|path: every one must answer 200 before it is timed.
    ENDPOINTS=(
        "GET /healthz||/healthz"
        "GET /api/v1/schools|$OFFICER|/api/v1/schools"
        "GET /api/v1/self-inspection-board|$OFFICER|/api/v1/self-inspection-board"
        "GET /api/v1/hazards|$OFFICER|/api/v1/hazards"
        "GET /hazards (page)|$OFFICER|/hazards"
        "GET /api/v1/warnings|$OFFICER|/api/v1/warnings"
        "GET /warnings (page)|$OFFICER|/warnings"
        "GET /risk (page)|$OFFICER|/risk"
        "GET /api/v1/risk-summary|$OFFICER|/api/v1/risk-summary"
        "GET /api/v1/schools/{id}/risk-points|$OFFICER|/api/v1/schools/$SID/risk-points"
        "GET /schools/{id} (page)|$OFFICER|/schools/$SID"
        "GET /schools/{id} (page, principal)|$PRINCIPAL|/schools/$SID"
    )
    for e in "${ENDPOINTS[@]}"; do
        IFS='|' read -r label token path <<<"$e"
        get_ok "$BASE$path" "$token" >/dev/null
        IFS=$'\t' read -r _ ctype size <"$TMP/meta"
        info "$backend" "size:$label" "${ctype%%;*}, $size B"
    done
    # A second instance on the same database with the response cache off: every endpoint is
    # timed on both, so the report shows a repeated read (answered from the cache while the
    # data is unchanged) and the work of computing the answer (every request a miss).
    UPORT=$(free_port)
    ULOGF=$OUT/logs/server-$backend-uncached.log
    SAFECAMPUS_CACHE_ENABLED=0 RUST_LOG=${RUST_LOG:-info,sqlx=warn,sea_orm=warn} "$SERVER" \
        --config "$TMP/bench.toml" --database-url "$URL" --listen "127.0.0.1:$UPORT" serve >"$ULOGF" 2>&1 &
    UPID=$!
    PIDS+=("$UPID")
    UBASE=http://127.0.0.1:$UPORT
    wait_up "$UBASE/readyz" "$UPID" 120 "$ULOGF"
    log "$backend: every endpoint answers 200; timing (${ROUNDS} rounds of A ${BASE_DURATION}s / B ${DURATION}s), cached and uncached"
    # time_endpoint label token path pid base
    time_endpoint() {
        local label=$1 token=$2 path=$3 pid=$4 base=$5 hdr=() answered
        [[ -n $token ]] && hdr=(-H "Authorization: Bearer $token")
        wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" "${hdr[@]+"${hdr[@]}"}" "$base$path" >/dev/null
        wait_idle "$pid"
        for r in $(seq 1 "$ROUNDS"); do
            run_wrk "$backend" "$label" A "$r" "$BPID" "$BASE_DURATION" "$BURL"
            run_wrk "$backend" "$label" B "$r" "$pid" "$DURATION" "$base$path" "$token"
        done
        # One client, one request at a time: the latency without queueing.
        THREADS=1 CONNS=1 run_wrk "$backend" "$label" C 1 "$pid" "$SOLO" "$base$path" "$token"
        # An endpoint too slow to answer SLOW_MIN requests in a timed run gets one longer run
        # with a longer timeout, so that its throughput under load is measured at all.
        answered=$(awk -F'\t' -v b="$backend" -v l="$label" '$1 == b && $2 == l && $3 == "B" {print $5}' "$RESULTS" | median)
        if awk -v a="$answered" -v m="$SLOW_MIN" 'BEGIN {exit !(a < m)}'; then
            WRK_TIMEOUT=$((SLOW * 2)) run_wrk "$backend" "$label" D 1 "$pid" "$SLOW" "$base$path" "$token"
        fi
    }
    for e in "${ENDPOINTS[@]}"; do
        IFS='|' read -r label token path <<<"$e"
        time_endpoint "$label" "$token" "$path" "$SPID" "$BASE"
        [[ $path == /healthz ]] && continue
        get_ok "$UBASE$path" "$token" >/dev/null
        time_endpoint "$label (uncached)" "$token" "$path" "$UPID" "$UBASE"
    done
    info "$backend" rss_uncached_kb "$(status_kb "$UPID" VmRSS)"
    stop "$UPID"
    info "$backend" rss_end_kb "$(status_kb "$SPID" VmRSS)"
    info "$backend" hwm_end_kb "$(status_kb "$SPID" VmHWM)"
    info "$backend" requests "$(awk -F'\t' -v b="$backend" '$1 == b && $3 == "B" {n += $5} END {print n}' "$RESULTS")"
    stop "$SPID"

    log "$backend: raw insert baseline"
    case $backend in
    sqlite) target="$TMP/raw.db" ;;
    postgres) target=$URL ;;
    esac
    "$INSERTS" "$backend" "$target" >"$TMP/inserts.out" 2>&1 ||
        die "the insert baseline failed: $(tail -n 5 "$TMP/inserts.out")"
    cat "$TMP/inserts.out" >>"$OUT/logs/inserts.log"
    grep -q '^RESULT ' "$TMP/inserts.out" || die "the insert baseline printed no result"
    grep '^RESULT ' "$TMP/inserts.out" | sed 's/^RESULT //' | while read -r kv; do
        # backend=… kind=… rows=… secs=… rows_per_s=…
        awk '{for (i = 1; i <= NF; i++) {split($i, f, "="); v[f[1]] = f[2]}
              printf "%s\t%s\t%s\t%s\t%s\n", v["backend"], v["kind"], v["rows"], v["secs"], v["rows_per_s"]}' <<<"$kv"
    done >>"$INSERTS_TSV"
    if [[ $backend == postgres ]]; then
        psql "$PG/postgres" -Atqc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null || true
        PG_CREATED=0
    fi
done
info run elapsed $(($(date +%s) - START))
info run load_start "$LOAD_START"
info run load_end "$(cut -d" " -f1-3 /proc/loadavg)"
info run params "$THREADS $CONNS $ROUNDS $BASE_DURATION $DURATION $WARMUP $SOLO $SLOW"
info run backends "$BACKENDS"
info run commit "$COMMIT"
fi # BENCH_REPORT_ONLY

# ---- report ----
col() { awk -F'\t' -v b="$1" -v l="$2" -v k="$3" -v c="$4" '$1 == b && $2 == l && $3 == k {print $c}' "$RESULTS"; }
getinfo() { awk -F'\t' -v b="$1" -v k="$2" '$1 == b && $2 == k {print $3}' "$INFO"; }
rps_col() { awk -F'\t' -v b="$1" -v l="$2" -v k="$3" '$1 == b && $2 == l && $3 == k {printf "%.1f\n", $5 / ($6 / 1e6)}' "$RESULTS"; }

# BENCH_REPORT_ONLY=1 scripts/bench.sh writes the report of the last run again.
read -r THREADS CONNS ROUNDS BASE_DURATION DURATION WARMUP SOLO SLOW <<<"$(getinfo run params)"
BACKENDS=$(getinfo run backends)
ELAPSED=$(getinfo run elapsed)
LOAD_START=$(getinfo run load_start)
LOAD_END=$(getinfo run load_end)
COMMIT=$(getinfo run commit)
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
REPORT=$OUT/BENCHMARKS-http.md
{
    echo "## $(date -u +%Y-%m-%d) — load over HTTP (wrk), $(nproc) cores"
    echo
    echo "- machine: $(nproc) × ${CPU:-unknown CPU}, $MEM, Linux $(uname -r); wrk and the server share the cores; load average $LOAD_START at the start, $LOAD_END at the end"
    echo "- commit: $COMMIT; release build; jobs off; wrk -t$THREADS -c$CONNS, $ROUNDS rounds of baseline A ${BASE_DURATION} s / endpoint ${DURATION} s alternating, ${WARMUP} s warm-up each, then one client alone (wrk -t1 -c1, ${SOLO} s); medians; $ELAPSED s in all"
    echo "- columns: req/s and latency of the endpoint under load (-c$CONNS); CPU per request is utime + stime of the server (/proc/PID/stat) from the start of a run until it is idle again, divided by the requests answered plus those left in flight; *one client* is the same for the -c1 run; RSS / HWM (VmRSS / VmHWM) after the run; ratio is the endpoint's req/s over baseline A's in the runs alternating with it"
    for backend in $BACKENDS; do
        echo "- $backend data: $(getinfo "$backend" schools) schools, $(getinfo "$backend" hazards) hazards, $(getinfo "$backend" district_points) active risk points in the district, $(getinfo "$backend" school_points) at school $(getinfo "$backend" school_code) (the \`{id}\` below); seeded in $(getinfo "$backend" seed_secs) s"
    done
    if [[ " $BACKENDS " == *" postgres "* ]]; then
        echo "- PostgreSQL: $(psql "$PG/postgres" -Atqc 'show server_version' 2>/dev/null || echo '?'), local, default settings; *db* CPU is that of its processes (the backends serving the pool)"
    fi
    for backend in $BACKENDS; do
        echo
        echo "### $backend"
        echo
        echo "| endpoint | req/s | p50 ms | p95 ms | p99 ms | CPU/req µs under load | CPU/req µs one client | RSS / HWM MiB | baseline A req/s | ratio to A | one client: p50 ms (requests) |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        mapfile -t labels < <(awk -F'\t' -v b="$backend" '$1 == b && !seen[$2]++ {print $2}' "$RESULTS")
        for label in "${labels[@]}"; do
            rps=$(rps_col "$backend" "$label" B | median)
            arps=$(rps_col "$backend" "$label" A | median)
            p50=$(col "$backend" "$label" B 7 | median)
            p95=$(col "$backend" "$label" B 8 | median)
            p99=$(col "$backend" "$label" B 9 | median)
            awk -F'\t' -v b="$backend" -v l="$label" -v hz="$HZ" -v rps="$rps" -v arps="$arps" \
                -v p50="$p50" -v p95="$p95" -v p99="$p99" '
                function us(ticks, n) { return ticks / hz / n * 1e6 }
                # CPU: server (and, on PostgreSQL, its processes) per request, the requests left
                # in flight when wrk stopped counted as served.
                function cpu(s, d, n) { return (b == "postgres") ? sprintf("%.0f + db %.0f", us(s, n), us(d, n)) : sprintf("%.0f", us(s, n)) }
                $1 == b && $2 == l && $3 == "B" {n += $5; fl += $16; c += $12; d += $13; rss = $14; hwm = $15; bad += $10 + $11}
                $1 == b && $2 == l && $3 == "C" {cn = $5; cc = $12; cd = $13; cp50 = $7; bad += $10 + $11}
                END {
                    flag = bad ? sprintf(" (%d errors)", bad) : ""
                    solo = sprintf("%.2f (%d)", cp50 / 1000, cn)
                    if (n == 0) {
                        printf "| `%s`%s | 0 (none answered in the run) | — | — | — | %s | %s | %.0f / %.0f | %.0f | 0 | %s |\n",
                            l, flag, cpu(c, d, fl), cpu(cc, cd, cn + 1), rss / 1024, hwm / 1024, arps, solo
                        exit
                    }
                    printf "| `%s`%s | %.1f | %.2f | %.2f | %.2f | %s | %s | %.0f / %.0f | %.0f | %.4f (1/%.0f) | %s |\n",
                        l, flag, rps, p50 / 1000, p95 / 1000, p99 / 1000, cpu(c, d, n + fl),
                        cpu(cc, cd, cn + 1), rss / 1024, hwm / 1024, arps, rps / arps, arps / rps, solo
                }' "$RESULTS"
        done
        if awk -F'\t' -v b="$backend" '$1 == b && $3 == "D" {f = 1} END {exit !f}' "$RESULTS"; then
            echo
            echo "Too slow for the timed runs, so measured once more in a ${SLOW} s run (-c$CONNS, timeout $((SLOW * 2)) s):"
            echo
            echo "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | CPU/req µs |"
            echo "|---|---:|---:|---:|---:|---:|---:|"
            awk -F'\t' -v b="$backend" -v hz="$HZ" '$1 == b && $3 == "D" {
                n = $5 + $16
                c = (b == "postgres") ? sprintf("%.0f + db %.0f", $12 / hz / n * 1e6, $13 / hz / n * 1e6) : sprintf("%.0f", $12 / hz / n * 1e6)
                printf "| `%s`%s | %d | %.1f | %.0f | %.0f | %.0f | %s |\n", $2, ($10 + $11) ? sprintf(" (%d errors)", $10 + $11) : "",
                    $5, $5 / ($6 / 1e6), $7 / 1000, $8 / 1000, $9 / 1000, c }' "$RESULTS"
        fi
        awk -F'\t' -v b="$backend" -v hz="$HZ" '$1 == b && $3 == "A" {n += $5; cpu += $12}
            END {if (n) printf "\nBaseline A (bare axum, small JSON from memory): %.0f µs of its own CPU per request.\n", cpu / hz / n * 1e6}' "$RESULTS"
        printf 'Server RSS %s MiB after seeding, %s MiB after %s timed requests (peak %s MiB).\n' \
            "$(($(getinfo "$backend" rss_start_kb) / 1024))" "$(($(getinfo "$backend" rss_end_kb) / 1024))" \
            "$(getinfo "$backend" requests)" "$(($(getinfo "$backend" hwm_end_kb) / 1024))"
        echo
        echo "Baseline B (raw inserts, sqlx, one connection):"
        echo
        echo "| insert | rows | seconds | rows/s |"
        echo "|---|---:|---:|---:|"
        awk -F'\t' -v b="$backend" '$1 == b {
            k = ($2 == "single_tx") ? "one row per transaction" : "multi-row INSERTs (500 rows each) in one transaction"
            printf "| %s | %d | %s | %d |\n", k, $3, $4, $5 }' "$INSERTS_TSV"
        echo
        echo "Answers: $(awk -F'\t' -v b="$backend" '$1 == b && $2 ~ /^size:/ {sub(/^size:/, "", $2); printf "%s`%s` %s", sep, $2, $3; sep = "; "}' "$INFO")."
    done
} >"$REPORT"
echo
cat "$REPORT"
log "written to $REPORT (raw runs in $RESULTS, logs in $OUT/logs)"
