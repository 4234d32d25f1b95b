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
echo "== Schemathesis against the OpenAPI document (T-IN-1) =="
# The binary the integration tests were built with (a plain `cargo build` resolves the
# dependencies' features without the dev-dependencies and would compile many of them again).
test -x target/debug/safecampus || { echo "error: target/debug/safecampus was not built" >&2; exit 1; }
scripts/schemathesis.sh
echo "== benchmark smoke run (every timed request answers 200) =="
cargo test --locked --bench platform
echo "== integration tests on PostgreSQL =="
SAFECAMPUS_TEST_DB=postgres cargo nextest run --locked --tests
