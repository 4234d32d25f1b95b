#!/usr/bin/env bash
# The test command: the whole suite on SQLite (unit, HTTP, access matrix, browser), then the
# database-facing suites again on PostgreSQL, run by cargo-nextest (one process per test, see
# .config/nextest.toml). Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust; override
# with SAFECAMPUS_TEST_PG_URL), Mosquitto at 127.0.0.1:1883 (override with
# SAFECAMPUS_TEST_MQTT_URL), Debian's chromium and chromium-driver, and cargo-nextest;
# .ci/run installs and starts what is missing. Nothing is skipped: a missing service fails the
# run.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_BACKTRACE=1
command -v cargo-nextest >/dev/null || cargo install --locked cargo-nextest
echo "== build =="
cargo nextest run --locked --lib --bins --tests --no-run
cargo test --locked --bench platform --no-run
echo "== tests on SQLite =="
cargo nextest run --locked --lib --bins --tests
echo "== Schemathesis against the OpenAPI document (T-IN-1), beside the rest =="
# The binary the integration tests were built with (a plain `cargo build` resolves the
# dependencies' features without the dev-dependencies and would compile many of them again).
test -x target/debug/safecampus || { echo "error: target/debug/safecampus was not built" >&2; exit 1; }
# Schemathesis drives a server of its own on SQLite, one request at a time (about one core):
# it runs while the benchmark smoke run and the PostgreSQL pass use the rest, its output kept
# and printed when it ends. Either failing fails the run.
st_log=$(mktemp -t safecampus-schemathesis.XXXXXX)
scripts/schemathesis.sh >"$st_log" 2>&1 &
st_pid=$!
status=0
echo "== benchmark smoke run (every timed request answers 200) =="
cargo test --locked --bench platform || status=1
echo "== integration tests on PostgreSQL =="
SAFECAMPUS_TEST_DB=postgres cargo nextest run --locked --tests || status=1
st_status=0
wait "$st_pid" || st_status=$?
echo "== Schemathesis output =="
cat "$st_log"
rm -f "$st_log"
if [ "$st_status" -ne 0 ]; then
  echo "error: Schemathesis failed (exit $st_status)" >&2
  status=1
fi
exit "$status"
