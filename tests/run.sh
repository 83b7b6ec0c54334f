#!/bin/bash
# The test command of libsio. From a clean clone on Debian 12 (as root, so that
# missing packages can be installed) it builds the library three ways (normal,
# ASan+UBSan, TSan), compares the normal build's ABI with abi/libsio.abi
# (tests/abi_check.sh), runs the C unit tests of each, runs the Node.js interop
# and bad-input suites against the ASan build of sio_test_server, then the
# chat demo in headless Chromium (tests/browser), the Python, Lua and
# benchmark smoke tests when they exist. It ends with one line
# "N passed, N failed" and exits non-zero when anything failed.
#
#   tests/run.sh              everything
#   tests/run.sh --suites     only the interop and bad-input suites
#
# SIO_TEST_SERVER picks the server of the suites: unset means the ASan build of
# sio_test_server (the Node reference server with --suites); "ref" means the
# Node reference server (tests/interop/ref_server.mjs); anything else is the
# command line of a server. SIO_BUILD_PREFIX (default "build") names the build
# directories: PREFIX, PREFIX-asan, PREFIX-tsan.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD_PREFIX=${SIO_BUILD_PREFIX:-build}
LOG_DIR="$ROOT/$BUILD_PREFIX-logs"
JOBS=$(nproc 2>/dev/null || echo 2)
APT_PACKAGES=(build-essential cmake pkg-config libuv1-dev libwslay-dev libmsgpack-dev node-llhttp libssl-dev
  nettle-dev # bench/: the load generator's WebSocket handshake (sha1, base64)
  openssl # the tests make self-signed certificates
  zlib1g-dev # permessage-deflate, httpCompression
  libhiredis-dev redis-server nginx # the Redis adapter; tests/interop/cluster*.test.mjs start their own Redis (and nginx)
  clang libclang-rt-14-dev # clang: tests/fuzz/run.sh
  abigail-tools # abidiff, abidw: tests/abi_check.sh
  chromium # tests/browser: the chat demo, driven by puppeteer-core
  locales # localedef: tests/unit/test_number_locale.c makes a comma-decimal locale
  python3-venv dpkg-dev debootstrap # tests/python/test_wheel.py: Debian's python3; apt-get source; Debian 11
  libedit-dev) # line editing of sio connect (examples/cli)
SANITIZER_REPORT='==[0-9]+==ERROR: |runtime error: |WARNING: ThreadSanitizer|SUMMARY: [A-Za-z]+Sanitizer'
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

TOTAL_PASSED=0
TOTAL_FAILED=0
SUMMARY=()

# record STEP PASSED FAILED
record() {
  TOTAL_PASSED=$((TOTAL_PASSED + $2))
  TOTAL_FAILED=$((TOTAL_FAILED + $3))
  SUMMARY+=("$(printf '%-40s %4d passed, %4d failed' "$1" "$2" "$3")")
}

banner() {
  printf '\n==== %s ====\n' "$1"
}

# Installs the Debian packages (and node/npm) that are missing; apt-get update
# runs only when something is missing.
install_packages() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  banner "installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# npm ci only when node_modules is missing or older than the lock file, so
# that a run does not pull node_modules from under another run.
install_node_modules() {
  local sub dir
  for sub in tests/interop tests/client; do
    dir="$ROOT/$sub"
    if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      banner "npm ci ($sub)"
      (cd "$dir" && npm ci --no-audit --no-fund) || return 1
    fi
  done
}

# build NAME DIR CMAKE_ARGS... ; the log is kept in $LOG_DIR/NAME-build.log.
build() {
  local name=$1 dir=$2
  shift 2
  banner "build $name ($dir)"
  local log="$LOG_DIR/$name-build.log"
  { cmake -S "$ROOT" -B "$dir" "$@" && cmake --build "$dir" -j "$JOBS" --clean-first; } 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  if [ "$status" -ne 0 ]; then
    record "build $name" 0 1
    return 1
  fi
  record "build $name" 1 0
}

# Fails when the build log shows a compiler warning in our own sources.
check_warnings() {
  local log="$LOG_DIR/$1-build.log" warnings
  warnings=$(grep -E "^($ROOT/)?(core|abi|examples|tests|bench)/[^:]+:[0-9]+(:[0-9]+)?: warning:" "$log" | sort -u)
  if [ -n "$warnings" ]; then
    banner "compiler warnings in our sources"
    printf '%s\n' "$warnings"
    record "no compiler warnings ($1)" 0 1
  else
    record "no compiler warnings ($1)" 1 0
  fi
}

# Runs ctest in DIR and records its counts.
run_ctest() {
  local name=$1 dir=$2
  banner "ctest $name"
  local log="$LOG_DIR/$name-ctest.log"
  (cd "$dir" && ctest --output-on-failure -j "$JOBS" --timeout 300) 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local line total failed
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -n "$line" ]; then
    failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
    record "ctest $name" $((total - failed)) "$failed"
  elif grep -q 'No tests were found' "$log"; then
    record "ctest $name (no tests)" 0 0
  else
    record "ctest $name" 0 1
  fi
  [ "$status" -eq 0 ] || [ -n "$line" ] || return 1
}

# The ABI of the library in $1 only grew since the committed baseline
# (tests/abi_check.sh, docs/abi-policy.md); otherwise abidiff's report is shown.
run_abi_check() {
  banner "abi check"
  local log="$LOG_DIR/abi-check.log"
  bash "$ROOT/tests/abi_check.sh" "$1" 2>&1 | tee "$log"
  if [ "${PIPESTATUS[0]}" -eq 0 ]; then
    record "abi check (abidiff)" 1 0
  else
    record "abi check (abidiff)" 0 1
  fi
}

# Runs the interop and bad-input suites with node's test runner against the
# server command in $1; counts come from the TAP report.
run_suites() {
  local server=$1 label=$2
  banner "interop and bad-input suites against $label"
  SIO_TEST_SERVER=$server run_node_tests "suites against $label" \
    "$ROOT"/tests/interop/*.test.mjs "$ROOT"/tests/badinput/*.test.mjs
  # The suites that use socket.io-client only, again with the msgpack parser
  # on both sides (the others write JSON packets by hand).
  local suite files=()
  for suite in events rooms binary namespaces disconnect transports tls cluster cluster_data; do
    files+=("$ROOT/tests/interop/$suite.test.mjs")
  done
  SIO_INTEROP_PARSER=msgpack SIO_TEST_SERVER=$server \
    run_node_tests "suites, msgpack parser, against $label" "${files[@]}"
}

# run_node_tests LABEL FILES... : node's test runner over FILES, counted
# from its TAP output.
run_node_tests() {
  local label=$1
  shift
  local tap="$LOG_DIR/$(tr -c 'a-zA-Z0-9' '-' <<<"$label").tap"
  node --test \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" \
    "$@"
  local status=$?
  local passed failed cancelled
  passed=$(grep -E '^# pass [0-9]+' "$tap" | tail -1 | awk '{print $3}')
  failed=$(grep -E '^# fail [0-9]+' "$tap" | tail -1 | awk '{print $3}')
  cancelled=$(grep -E '^# cancelled [0-9]+' "$tap" | tail -1 | awk '{print $3}')
  passed=${passed:-0}
  failed=$(( ${failed:-0} + ${cancelled:-0} ))
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  record "$label" "$passed" "$failed"
}

# Our client (Engine.IO harness and the Socket.IO client driver, ASan
# builds) against the official Node.js servers and against our server.
run_client_suites() {
  banner "client suites (ASan build)"
  cd "$ROOT/tests/client" || return
  EIO_HARNESS="$ASAN_DIR/tests/client/eio_harness" \
    CLIENT_DRIVER="$ASAN_DIR/tests/client/client_driver" \
    SIO_TEST_SERVER_BIN="$ASAN_DIR/examples/sio_test_server" \
    run_node_tests "client suites (ASan)" "$ROOT"/tests/client/*.test.mjs
  # The same client tests against the official server, both on msgpack.
  SIO_CLIENT_PARSER=msgpack CLIENT_DRIVER="$ASAN_DIR/tests/client/client_driver" \
    run_node_tests "client suites, msgpack parser (ASan)" \
    "$ROOT"/tests/client/socketio_client.test.mjs "$ROOT"/tests/client/socketio_client_reconnect.test.mjs
  cd "$ROOT" || return
}

# The chat demo in Debian's headless Chromium (tests/browser): the normal
# build's sio_chat_server, the page's client bundle from examples/chat and
# puppeteer-core from tests/browser, each npm ci'd when its lock file is
# newer. The screenshot the test takes goes to the logs, not the source tree.
run_browser_test() {
  banner "the chat demo in Chromium"
  local server="$ROOT/$BUILD_PREFIX/examples/sio_chat_server" sub dir
  if [ ! -x "$server" ]; then
    record "chat demo in Chromium (not built)" 0 1
    return
  fi
  for sub in examples/chat tests/browser; do
    dir="$ROOT/$sub"
    if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      (cd "$dir" && npm ci --no-audit --no-fund) || { record "chat demo in Chromium (npm ci $sub)" 0 1; return; }
    fi
  done
  SIO_CHAT_SERVER=$server SIO_CHAT_SCREENSHOT="$LOG_DIR/chat-demo.png" \
    run_node_tests "chat demo in Chromium" "$ROOT/tests/browser/chat_demo.test.mjs"
}

# sio, the command-line tool (ASan build), against the official Node server,
# sio_test_server and itself (tests/cli).
run_cli_suite() {
  banner "sio command line (ASan build)"
  SIO_CLI="$ASAN_DIR/examples/sio" SIO_TEST_SERVER_BIN="$ASAN_DIR/examples/sio_test_server" \
    run_node_tests "sio command line (ASan)" "$ROOT"/tests/cli/*.test.mjs
}

# Runs an optional script of another part of the project; its counts come from
# its own "N passed, N failed" line, else from pytest's summary lines, else
# from its exit status.
run_optional() {
  local script=$1
  shift
  [ -f "$ROOT/$script" ] || return 0
  banner "$script $*"
  local log="$LOG_DIR/$(tr -c 'a-zA-Z0-9' '-' <<<"$script").log"
  bash "$ROOT/$script" "$@" </dev/null 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local line passed failed pytest_lines
  line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  pytest_lines=$(grep -E '^=+ .*[0-9]+ (passed|failed).* in [0-9.]+s' "$log")
  if [ -n "$line" ]; then
    passed=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
    failed=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
  elif [ -n "$pytest_lines" ]; then
    passed=$(grep -oE '[0-9]+ passed' <<<"$pytest_lines" | awk '{s += $1} END {print s + 0}')
    failed=$(grep -oE '[0-9]+ (failed|errors?)' <<<"$pytest_lines" | awk '{s += $1} END {print s + 0}')
  elif [ "$status" -eq 0 ]; then
    passed=1 failed=0
  else
    passed=0 failed=1
  fi
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  record "$script" "$passed" "$failed"
}

finish() {
  banner "summary"
  printf '%s\n' "${SUMMARY[@]}"
  echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
  [ "$TOTAL_FAILED" -eq 0 ]
  exit
}

# The suites' server: the ASan test server unless SIO_TEST_SERVER says otherwise.
suite_server() {
  local default=$1
  case "${SIO_TEST_SERVER:-}" in
    "") echo "$default" ;;
    *) echo "$SIO_TEST_SERVER" ;;
  esac
}

mkdir -p "$LOG_DIR"

if [ "${1:-}" = "--suites" ]; then
  install_packages || { record "install packages" 0 1; finish; }
  install_node_modules || { record "npm ci" 0 1; finish; }
  run_suites "$(suite_server ref)" "$(suite_server ref)"
  finish
fi

install_packages || { record "install packages" 0 1; finish; }
install_node_modules || record "npm ci" 0 1

if build normal "$ROOT/$BUILD_PREFIX"; then
  check_warnings normal
  run_abi_check "$ROOT/$BUILD_PREFIX/libsio.so"
  run_ctest normal "$ROOT/$BUILD_PREFIX"
fi
ASAN_DIR="$ROOT/$BUILD_PREFIX-asan"
asan_built=0
if build asan "$ASAN_DIR" -DSIO_SANITIZE=address,undefined; then
  asan_built=1
  run_ctest asan "$ASAN_DIR"
fi
if build tsan "$ROOT/$BUILD_PREFIX-tsan" -DSIO_SANITIZE=thread; then
  run_ctest tsan "$ROOT/$BUILD_PREFIX-tsan"
fi

C_SERVER="$ASAN_DIR/examples/sio_test_server"
SERVER=$(suite_server "$C_SERVER")
if [ "$SERVER" = "$C_SERVER" ] && { [ "$asan_built" -eq 0 ] || [ ! -x "$C_SERVER" ]; }; then
  banner "no $C_SERVER: the suites cannot run"
  record "suites against sio_test_server (not built)" 0 1
else
  label=$SERVER
  [ "$SERVER" = "$C_SERVER" ] && label="sio_test_server (ASan)"
  run_suites "$SERVER" "$label"
fi

if [ "$asan_built" -eq 1 ]; then
  run_client_suites
  run_cli_suite
else
  record "client suites (not built)" 0 1
  record "sio command line (not built)" 0 1
fi

run_browser_test

run_optional tests/stress/run.sh
# The mutation run itself takes longer than this command's budget
# (docs/testing.md); its patches must still apply to the code.
run_optional tests/mutation/run.sh --check
run_optional tests/python/run.sh
run_optional tests/lua/run.sh
run_optional tests/fuzz/run.sh
run_optional bench/run.sh --smoke

finish
