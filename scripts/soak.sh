#!/usr/bin/env bash
# The soak tier of the durability and isolation tests (docs/security.md): longer versions of
# suites the PR tier runs short. Needs what scripts/test.sh needs (PostgreSQL at 127.0.0.1:5432,
# cargo-nextest); takes about 15 minutes on 2 cores.
#   T-DU-2 / T-DU-2p  the server SIGKILLed 20 times under write load, SQLite and PostgreSQL
#   T-AC-5            10,000 random org trees, users and objects for the scope property
# Each suite prints its figures (acknowledged writes, retries, restart times); any failure
# stops the script with a non-zero status.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_BACKTRACE=1
cargo nextest run --locked --no-run --test kill9 --test scope_property
for db in sqlite postgres; do
  echo "== kill -9 x 20 on $db =="
  SAFECAMPUS_TEST_DB=$db SAFECAMPUS_KILL9_ROUNDS=20 \
    cargo nextest run --locked --test kill9 --no-capture 2>&1 | grep -E "kill9:|PASS|FAIL|panicked"
  echo "== scope property x 10,000 on $db =="
  SAFECAMPUS_TEST_DB=$db SAFECAMPUS_SCOPE_CASES=10000 \
    cargo nextest run --locked --test scope_property
done
echo "soak: passed"
