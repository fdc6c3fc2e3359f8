#!/usr/bin/env bash
# Runs `swift test` with the given arguments. When it fails, repeats the failing tests' lines
# after the summary, where the tail of a CI log shows them.
set -uo pipefail

log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if ((status != 0)); then
  echo "---- what failed in: swift test $* ----"
  # One fixture test prints a failing Lua test's line on purpose; it is not a failure.
  grep -E "^✘|^[^ ]+: error: |Test Case .* failed" "$log" | grep -v "count.test.lua" | tail -n 40
fi
exit "$status"
