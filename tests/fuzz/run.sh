#!/bin/bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in build-fuzz, runs each
# over its checked-in corpus (regression), then fuzzes each for a bounded
# time: SIO_FUZZ_SECONDS (default 20). Inputs that crash are kept in
# build-fuzz/crashes/. Ends with "N passed, N failed" (one check per target
# and phase). See docs/fuzzing.md.
#
#   tests/fuzz/run.sh              every target
#   tests/fuzz/run.sh json url     some
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FUZZ="$ROOT/tests/fuzz"
BUILD="$ROOT/build-fuzz"
SECONDS_EACH=${SIO_FUZZ_SECONDS:-20}
TARGETS=(json sio_json sio_msgpack eio_packet ws_frame ws_deflate url http server client)
[ $# -gt 0 ] && TARGETS=("$@")
# Leaks count as failures; the same options as the rest of the test run.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS: $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $1"; }
finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit
}

if ! command -v clang >/dev/null; then
  fail "clang is not installed (Debian packages clang, libclang-rt-14-dev)"
  finish
fi

echo "==== build ($BUILD) ===="
if CC=clang cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIO_FUZZ=ON \
     -DSIO_SANITIZE=address,undefined -DSIO_BUILD_EXAMPLES=OFF >/dev/null &&
   cmake --build "$BUILD" -j "$(nproc 2>/dev/null || echo 2)" --target fuzz_all; then
  pass "build"
else
  fail "build"
  finish
fi

mkdir -p "$BUILD/crashes"
for t in "${TARGETS[@]}"; do
  bin="$BUILD/tests/fuzz/fuzz_$t"
  seeds="$FUZZ/corpus/$t"
  dict=()
  [ -f "$FUZZ/dict/$t.dict" ] && dict=(-dict="$FUZZ/dict/$t.dict")
  # The whole-path targets take conversations, longer than one packet.
  case $t in server | client) dict+=(-max_len=16384) ;; esac
  echo "==== $t: corpus ===="
  if "$bin" -runs=0 -timeout=10 "$seeds" 2>&1 | tail -3; [ "${PIPESTATUS[0]}" -eq 0 ]; then
    pass "$t corpus ($(ls "$seeds" | wc -l) inputs)"
  else
    fail "$t corpus"
  fi
  echo "==== $t: fuzzing ${SECONDS_EACH}s ===="
  # New inputs go to a working copy; the checked-in corpus stays as it is.
  work="$BUILD/corpus/$t"
  mkdir -p "$work"
  "$bin" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$BUILD/crashes/$t-" "$work" "$seeds" >"$BUILD/$t.log" 2>&1
  status=$?
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|#[0-9]+ +DONE)' "$BUILD/$t.log"
  if [ "$status" -eq 0 ]; then
    pass "$t fuzzing"
  else
    grep -E -m 20 'ERROR|runtime error|consistency check|^    #[0-9]+ |Test unit written' "$BUILD/$t.log"
    fail "$t fuzzing (log $BUILD/$t.log)"
  fi
done
finish
