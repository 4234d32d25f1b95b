#!/usr/bin/env bash
# The fuzzing soak tier (T-IN-5 in docs/security.md): every cargo-fuzz target in fuzz/ run for
# N seconds each (default 60; SECURITY-TESTS asks ≥ 1800 for a soak), one after another, on the
# nightly toolchain, niced. Each run starts from the committed corpus (fuzz/corpus/<target>/,
# read only) and writes what it finds new to fuzz/target/corpus-new/<target>/; a crash, panic,
# time-out (> 1 s per input) or memory blow-up (> 256 MiB) is saved under fuzz/artifacts/<target>/
# and fails the run. The PR tier replays the committed corpora on stable instead
# (tests/fuzz_corpora.rs, in scripts/test.sh's run).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 1800, scripts/fuzz.sh 60 period
#
# To keep what a run found: `cargo +nightly fuzz cmin <target> fuzz/target/corpus-new/<target>`,
# then copy a few small, new files into fuzz/corpus/<target>/ (about 50 per target at most).
# Needs the nightly toolchain and cargo-fuzz (installed here with `cargo install --locked` when
# missing).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
nice cargo +nightly fuzz build
failed=()
for t in "${targets[@]}"; do
  echo "== fuzz $t for ${seconds}s =="
  mkdir -p "fuzz/target/corpus-new/$t"
  if ! nice cargo +nightly fuzz run "$t" "fuzz/target/corpus-new/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -timeout=1 -rss_limit_mb=256 -print_final_stats=1; then
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no crash"
