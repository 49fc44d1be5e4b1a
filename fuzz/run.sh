#!/usr/bin/env bash
# Builds every fuzz target and runs each for N seconds (default 60), printing exec/s.
# Usage: fuzz/run.sh [seconds]. Needs the nightly toolchain; installs cargo-fuzz if missing.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
# redlite denies unsafe code, so AddressSanitizer finds little and costs ~8x the
# executions; FUZZ_SANITIZER=address brings it back.
san="${FUZZ_SANITIZER:-none}"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz
fi

cargo +nightly fuzz build -s "$san"
targets=$(cargo +nightly fuzz list)
status=0
for t in $targets; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log="$(mktemp)"
  echo "=== fuzz $t for ${secs}s"
  # -timeout: one input running longer than 10 s counts as a hang (scripts have limits).
  if ! cargo +nightly fuzz run -s "$san" "$t" "corpus/$t" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      >"$log" 2>&1; then
    status=1
    tail -n 60 "$log"
  fi
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  rate=$((runs / (secs > 0 ? secs : 1)))
  echo "$t: ${runs} executions in ${secs}s, ${rate} exec/s"
  grep -E '^(#[0-9]+ +DONE|stat::)' "$log" | sed 's/^/  /' || true
  rm -f "$log"
done
exit "$status"
