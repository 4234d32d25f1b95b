#!/usr/bin/env bash
# The test command: the whole suite on SQLite (unit, HTTP, access matrix, browser), then the
# database-facing suites again on PostgreSQL. Needs PostgreSQL at 127.0.0.1:5432 (user
# postgres, trust; override with SAFECAMPUS_TEST_PG_URL) and Debian's chromium and
# chromium-driver; .ci/run installs and starts what is missing. Nothing is skipped: a missing
# service fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_BACKTRACE=1
echo "== tests on SQLite =="
cargo test --locked --all-targets
echo "== integration tests on PostgreSQL =="
SAFECAMPUS_TEST_DB=postgres cargo test --locked --tests
