#!/bin/bash
# Connect/disconnect storms (storm.test.mjs) against sio_test_server, twice:
# the ASan+UBSan build (use after free, leaks at exit, descriptors, acks),
# then the normal build with the resident-memory check as well (ASan's
# quarantine keeps freed memory resident, so its RSS says nothing). Builds
# nothing. Ends with one line "N passed, N failed".
#
#   SIO_TEST_SERVER       server of the first run (default: the ASan build,
#                         $SIO_BUILD_PREFIX-asan/examples/sio_test_server);
#                         "ref" is the Node reference server
#   SIO_STORM_RSS_SERVER  server of the memory run (default: the normal build,
#                         $SIO_BUILD_PREFIX/examples/sio_test_server); "none" skips it
#   SIO_STORM_ROUNDS, SIO_STORM_CLIENTS   see storm.test.mjs (4 x 2500 per run)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PREFIX=${SIO_BUILD_PREFIX:-build}
STORM_SERVER=${SIO_TEST_SERVER:-$ROOT/$PREFIX-asan/examples/sio_test_server}
RSS_SERVER=${SIO_STORM_RSS_SERVER:-$ROOT/$PREFIX/examples/sio_test_server}
# Past round 1, a round may end this far above round 1's resident memory
# (besides the test server's disconnect records): 2500 connections leaking
# 150 bytes each pass it by round 4.
RSS_TOLERANCE_KIB=1024
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# Each storm client and each half-open one it holds is a descriptor here.
ulimit -Sn "$(ulimit -Hn)"

PASSED=0
FAILED=0

needs_modules() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund) || return 1
  fi
}

# storm LABEL SERVER [VAR=VALUE...]: one run of storm.test.mjs, counted from its TAP report.
storm() {
  local label=$1 server=$2
  shift 2
  if [ "$server" != ref ] && [ ! -x "${server%% *}" ]; then
    echo "storm ($label): no server at $server"
    FAILED=$((FAILED + 1))
    return
  fi
  echo "==== storm ($label): $server ===="
  local tap
  tap=$(mktemp)
  env "$@" SIO_TEST_SERVER="$server" node --test \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" \
    "$HERE/storm.test.mjs"
  local status=$? passed failed cancelled
  passed=$(grep -E '^# pass [0-9]+' "$tap" | tail -1 | awk '{print $3}')
  failed=$(grep -E '^# fail [0-9]+' "$tap" | tail -1 | awk '{print $3}')
  cancelled=$(grep -E '^# cancelled [0-9]+' "$tap" | tail -1 | awk '{print $3}')
  rm -f "$tap"
  failed=$((${failed:-0} + ${cancelled:-0}))
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  PASSED=$((PASSED + ${passed:-0}))
  FAILED=$((FAILED + failed))
}

if ! needs_modules "$HERE" || { [ "$STORM_SERVER" = ref ] && ! needs_modules "$ROOT/tests/interop"; }; then
  echo "npm ci failed"
  echo "0 passed, 1 failed"
  exit 1
fi

storm "descriptors, acks, sanitizers" "$STORM_SERVER"
[ "$RSS_SERVER" = none ] || storm "resident memory" "$RSS_SERVER" SIO_STORM_RSS_TOLERANCE_KIB=$RSS_TOLERANCE_KIB

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
