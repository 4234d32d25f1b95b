#!/usr/bin/env bash
# CPU profile of the release server under wrk load (a companion of scripts/bench.sh, not part
# of CI). Builds the release binary with line tables and frame pointers in its own target
# directory, seeds the demo district into a fresh SQLite file (or PostgreSQL with
# PROFILE_PG_URL), and for each path given records `perf record -g` of the server while wrk
# drives it, then `perf stat` (context switches, CPU migrations, syscalls) in a second run.
# Writes target/bench/profile/<name>.{report.txt,stat.txt} and prints the top entries.
#
#   scripts/bench/profile.sh /api/v1/hazards /risk /api/v1/risk-summary
#
# Settings: PROFILE_SECONDS (default 10), PROFILE_TARGET_DIR (default target/profiling),
# PROFILE_NO_BUILD=1, PROFILE_TOP (lines of the report printed, default 40).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SECS=${PROFILE_SECONDS:-10}
TOP=${PROFILE_TOP:-40}
TARGET=${PROFILE_TARGET_DIR:-$ROOT/target/profiling}
OUT=$ROOT/target/bench/profile
PASSWORD='SafeCampus#2021'
[[ $# -gt 0 ]] || set -- /api/v1/hazards /risk /api/v1/risk-summary
die() {
    printf 'profile: error: %s\n' "$*" >&2
    exit 1
}
command -v perf >/dev/null || die "perf is missing (apt-get install -y linux-perf)"
command -v wrk >/dev/null || die "wrk is missing (apt-get install -y wrk)"
command -v jq >/dev/null || die "jq is missing (apt-get install -y jq)"

if [[ ${PROFILE_NO_BUILD:-0} != 1 ]]; then
    CARGO_TARGET_DIR=$TARGET CARGO_PROFILE_RELEASE_DEBUG=1 \
        RUSTFLAGS="${RUSTFLAGS:-} -C force-frame-pointers=yes" cargo build --release --locked
fi
SERVER=$TARGET/release/safecampus
[[ -x $SERVER ]] || die "$SERVER is missing"

mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/safecampus-prof.XXXXXX")
SPID=
cleanup() {
    [[ -n $SPID ]] && { kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; }
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=
for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (: </dev/tcp/127.0.0.1/$p) 2>/dev/null; then PORT=$p; break; fi
done
[[ -n $PORT ]] || die "no free port"
URL=${PROFILE_PG_URL:-sqlite://$TMP/prof.db?mode=rwc}
printf '[jobs]\nenabled = false\n' >"$TMP/prof.toml"
"$SERVER" --config "$TMP/prof.toml" --database-url "$URL" --listen "127.0.0.1:$PORT" demo \
    >"$OUT/server.log" 2>&1 &
SPID=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 3000); do
    kill -0 "$SPID" 2>/dev/null || die "the server exited: $(tail -n 5 "$OUT/server.log")"
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz" || true) == 200 ]] && break
    sleep 0.2
done
TOKEN=$(curl -sS --fail -H 'Content-Type: application/json' \
    -d "{\"username\":\"bureau.officer\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login" | jq -r .token)
[[ -n $TOKEN && $TOKEN != null ]] || die "sign-in failed"

EVENTS=task-clock,context-switches,cpu-migrations
perf stat -e raw_syscalls:sys_enter -o /dev/null true 2>/dev/null && EVENTS=$EVENTS,raw_syscalls:sys_enter
rss() { awk '$1 == "VmRSS:" {print $2}' "/proc/$SPID/status"; }
for path in "$@"; do
    name=$(tr -c 'a-zA-Z0-9\n' '_' <<<"${path#/}")
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$path")
    [[ $code == 200 ]] || die "GET $path answered $code"
    wrk -t2 -c32 -d2s -H "Authorization: Bearer $TOKEN" "$BASE$path" >/dev/null
    r0=$(rss)
    perf record -e cpu-clock -F 999 -g -p "$SPID" -o "$TMP/$name.data" -- sleep "$SECS" \
        >/dev/null 2>"$TMP/perf.err" &
    ppid=$!
    wrk -t2 -c32 -d"${SECS}s" -H "Authorization: Bearer $TOKEN" "$BASE$path" >"$OUT/$name.wrk.txt"
    wait "$ppid" || die "perf record failed: $(cat "$TMP/perf.err")"
    r1=$(rss)
    perf report -i "$TMP/$name.data" --no-children --stdio --percent-limit 0.5 -g none \
        --sort symbol 2>/dev/null >"$OUT/$name.report.txt"
    perf report -i "$TMP/$name.data" --no-children --stdio --percent-limit 2 -g caller,0.5,callee,function,percent \
        --sort symbol 2>/dev/null >"$OUT/$name.callers.txt"
    perf report -i "$TMP/$name.data" --no-children --stdio --sort dso 2>/dev/null >"$OUT/$name.dso.txt"
    perf report -i "$TMP/$name.data" --no-children --stdio --sort comm 2>/dev/null >"$OUT/$name.threads.txt"
    perf report -i "$TMP/$name.data" --no-children --stdio --sort comm,dso -g none 2>/dev/null >"$OUT/$name.threads-dso.txt"
    # Second run: counts only.
    perf stat -e "$EVENTS" -p "$SPID" -o "$OUT/$name.stat.txt" -- sleep "$SECS" &
    ppid=$!
    wrk -t2 -c32 -d"${SECS}s" -H "Authorization: Bearer $TOKEN" "$BASE$path" >"$OUT/$name.wrk2.txt"
    wait "$ppid" || die "perf stat failed"
    echo "== $path: RSS ${r0} kB -> ${r1} kB under load"
    grep -E 'Requests/sec|Latency' "$OUT/$name.wrk.txt" "$OUT/$name.wrk2.txt" || true
    grep -E 'task-clock|context-switches|cpu-migrations|sys_enter' "$OUT/$name.stat.txt" || true
    grep -E '^ +[0-9]' "$OUT/$name.threads.txt" | sed 's/  */ /g' | head -n 6
    grep -E '^ +[0-9]' "$OUT/$name.report.txt" | sed 's/  */ /g; s/ - - *$//' | head -n "$TOP"
    echo
done
echo "profile: reports in $OUT"
