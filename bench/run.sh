#!/usr/bin/env bash
# Runs the benchmark comparison: libsio's C test server, its Python and Lua
# bindings, the bare WebSocket ceiling (alone and with libsio's hand-off
# between an I/O thread and a host thread), the official Node.js socket.io
# server and python-socketio, each started on loopback and driven by the same load
# generator.
#
#   bench/run.sh                  full run (~15 min on 2 cores), writes docs/benchmarks.md
#   bench/run.sh --smoke          every server and scenario for a moment, then
#                                 bench/cluster.sh --smoke; checks that each
#                                 completes, writes nothing to docs/
#   bench/run.sh --servers bare,node   only these (libsio, libsio-py, libsio-lua,
#                                      bare, bare-handoff, node, python)
#
# Environment: BENCH_BIN_DIR (a build with loadgen and bare_server, else built
# into build-bench/MODE/tools), SIO_TEST_SERVER (the libsio server command,
# else built into build-bench/MODE/libsio; set but empty: skip libsio).
set -u
# The whole script is one block, parsed before it runs: editing this file
# while a run is going on does not change that run.
{

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
MODE=full
SERVERS=(libsio libsio-py libsio-lua bare bare-handoff node python)
COMMAND_LINE="bench/run.sh $*"

while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) MODE=smoke ;;
    --servers) shift; IFS=, read -r -a SERVERS <<< "$1" ;;
    *) echo "usage: bench/run.sh [--smoke] [--servers libsio,libsio-py,libsio-lua,bare,bare-handoff,node,python]" >&2
       exit 2 ;;
  esac
  shift
done

# shellcheck source=bench/scenarios.sh
. "$BENCH/scenarios.sh"
if [ "$MODE" = smoke ]; then
  SCENARIOS=("${SMOKE_SCENARIOS[@]}"); TIMING=$SMOKE_TIMING
else
  SCENARIOS=("${FULL_SCENARIOS[@]}"); TIMING=$FULL_TIMING
fi

# Each mode builds in its own directory, and runs of one mode take turns:
# several people share this checkout, and the test command runs --smoke while
# a full run may be going on.
BUILD=$ROOT/build-bench/$MODE
mkdir -p "$BUILD"
exec 9> "$BUILD/.lock"
flock 9

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/build-bench/results/$MODE-$STAMP
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
STATUS=$OUT/status.tsv
: > "$RESULTS"
: > "$STATUS"
log() { echo "[bench] $*" >&2; }

# ---- build ------------------------------------------------------------------
BIN=${BENCH_BIN_DIR:-}
if [ -z "$BIN" ]; then
  BIN=$BUILD/tools
  log "building loadgen and bare_server in $BIN"
  if ! { cmake -S "$BENCH" -B "$BIN" -DCMAKE_BUILD_TYPE=Release > "$OUT/build-tools.log" 2>&1 &&
         cmake --build "$BIN" -j2 >> "$OUT/build-tools.log" 2>&1; }; then
    cat "$OUT/build-tools.log" >&2
    exit 1
  fi
fi

wants() { [[ " ${SERVERS[*]} " == *" $1 "* ]]; }

# libsio's C server, and the shared library the Lua binding loads.
SIO=${SIO_TEST_SERVER:-}
SIO_NOTE=""
SIO_LIB=""
if [ -z "$SIO" ] && [ -n "${SIO_TEST_SERVER+set}" ]; then
  SIO_NOTE="not part of this build"
elif [ -z "$SIO" ] && { wants libsio || wants libsio-lua; }; then
  log "building sio_test_server and libsio.so in $BUILD/libsio"
  if cmake -S "$ROOT" -B "$BUILD/libsio" -DCMAKE_BUILD_TYPE=Release \
       -DSIO_BUILD_TESTS=OFF > "$OUT/build-libsio.log" 2>&1 &&
     cmake --build "$BUILD/libsio" -j2 --target sio_test_server sio >> "$OUT/build-libsio.log" 2>&1; then
    SIO=$BUILD/libsio/examples/sio_test_server
    SIO_LIB=$BUILD/libsio/libsio.so
  else
    SIO_NOTE="did not build (see build-libsio.log)"
    log "libsio: $SIO_NOTE"
  fi
fi

# ---- dependencies -----------------------------------------------------------
NODE_NOTE=""
if wants node && { [ ! -d "$BENCH/node/node_modules/socket.io" ] ||
                   [ ! -d "$BENCH/node/node_modules/socket.io-msgpack-parser" ]; }; then
  log "installing socket.io into bench/node"
  (cd "$BENCH/node" && npm ci --no-audit --no-fund > "$OUT/npm.log" 2>&1) || NODE_NOTE="npm ci failed"
fi
PY_NOTE=""
VENV=$BENCH/.venv
if wants python &&
   ! cmp -s "$BENCH/requirements.txt" "$VENV/installed-requirements.txt"; then
  log "installing python-socketio into bench/.venv"
  if python3 -m venv "$VENV" > "$OUT/pip.log" 2>&1 &&
     "$VENV/bin/pip" install -q -r "$BENCH/requirements.txt" >> "$OUT/pip.log" 2>&1; then
    cp "$BENCH/requirements.txt" "$VENV/installed-requirements.txt"
  else
    PY_NOTE="pip install failed"
  fi
fi

# The Python binding is built from the checkout into its own venv (its CMake
# build in build-bench/MODE/pybind, away from the binding's own), again whenever
# its sources or the core's change.
PYBIND_NOTE=""
PYBIND_VENV=$BENCH/.venv-libsio-$MODE
if wants libsio-py; then
  stamp=$(cd "$ROOT" && find bindings/python/src bindings/python/CMakeLists.txt \
            bindings/python/pyproject.toml core abi -type f | sort | xargs cat | sha1sum)
  if [ "$stamp" != "$(cat "$PYBIND_VENV/installed-stamp" 2>/dev/null)" ]; then
    log "building the libsio Python binding into $PYBIND_VENV"
    if python3 -m venv "$PYBIND_VENV" > "$OUT/pybind.log" 2>&1 &&
       "$PYBIND_VENV/bin/pip" install -q --force-reinstall \
         --config-settings=build-dir="$BUILD/pybind" \
         "$ROOT/bindings/python" >> "$OUT/pybind.log" 2>&1; then
      echo "$stamp" > "$PYBIND_VENV/installed-stamp"
    else
      PYBIND_NOTE="the binding did not build (see pybind.log)"
    fi
  fi
fi

# ---- servers ----------------------------------------------------------------
# 50,000 clients need 50,000 descriptors in the server and in the generator.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
FD_LIMIT=$(ulimit -n)
MAX_CLIENTS=50000
if [ "$FD_LIMIT" != unlimited ] && [ "$FD_LIMIT" -lt $((MAX_CLIENTS + 200)) ]; then
  MAX_CLIENTS=$((FD_LIMIT - 200))
  log "descriptor limit $FD_LIMIT: max-conns holds $MAX_CLIENTS clients instead of 50,000"
fi

# How a scenario's servers are started, from its loadgen arguments: json,
# msgpack, or deflate (JSON with permessage-deflate on).
scenario_parser() {
  if [[ "$1" == *"--parser msgpack"* ]]; then echo msgpack
  elif [[ "$1" == *"--deflate"* ]]; then echo deflate
  else echo json; fi
}

# Why server $1 cannot run scenarios of mode $2, or nothing when it can.
mode_unsupported() {
  case "$1:$2" in
    bare*:msgpack) echo "n/a (JSON only)" ;;
    bare*:deflate | python:deflate) echo "n/a (no permessage-deflate)" ;;
  esac
}

server_command() { # server mode
  local parser="--parser $2"
  [ "$2" = deflate ] && parser="--parser json --per-message-deflate true"
  case "$1" in
    libsio) [ -n "$SIO" ] && echo "$SIO --port 0 $parser" ;;
    libsio-py) [ -z "$PYBIND_NOTE" ] &&
      echo "$PYBIND_VENV/bin/python $BENCH/servers/libsio_python_server.py --port 0 $parser" ;;
    libsio-lua) [ -n "$SIO_LIB" ] && command -v luajit > /dev/null &&
      echo "env SIO_LIB=$SIO_LIB luajit $ROOT/tests/lua/test_server.lua --port 0 $parser" ;;
    bare) echo "$BIN/bare_server --port 0" ;;
    bare-handoff) echo "$BIN/bare_server --port 0 --handoff" ;;
    node) [ -z "$NODE_NOTE" ] && echo "node $BENCH/servers/node_server.mjs --port 0 $parser" ;;
    python) [ -z "$PY_NOTE" ] &&
      echo "$VENV/bin/python $BENCH/servers/python_server.py --port 0 $parser" ;;
  esac
}

SERVER_PID=""
SERVER_PORT=""
# Starts server $1 with parser $2 and waits for its `listening on PORT` line.
start_server() {
  local cmd
  cmd=$(server_command "$1" "$2") || return 1
  [ -n "$cmd" ] || return 1
  local out=$OUT/$1.server.log
  : > "$out.stdout"
  $cmd > "$out.stdout" 2>> "$out" &
  SERVER_PID=$!
  for _ in $(seq 150); do
    SERVER_PORT=$(sed -n 's/^listening on \([0-9][0-9]*\)$/\1/p' "$out.stdout" | head -n1)
    [ -n "$SERVER_PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  stop_server
  return 1
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null
  for _ in $(seq 50); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}
trap stop_server EXIT

not_started_note() {
  case "$1" in
    libsio) echo "${SIO_NOTE:-did not start}" ;;
    libsio-py) echo "${PYBIND_NOTE:-did not start}" ;;
    libsio-lua)
      if [ -z "$SIO_LIB" ]; then echo "no libsio.so built here (${SIO_NOTE:-SIO_TEST_SERVER given})"
      elif ! command -v luajit > /dev/null; then echo "no luajit"
      else echo "did not start"; fi ;;
    node) echo "${NODE_NOTE:-did not start}" ;;
    python) echo "${PY_NOTE:-did not start}" ;;
    *) echo "did not start" ;;
  esac
}

# ---- scenarios --------------------------------------------------------------
FAILED=0
run_scenario() { # server id args
  local server=$1 id=$2 args=${3//MAX_CLIENTS/$MAX_CLIENTS}
  if [[ "$server" == bare* ]] && [[ "$args" == *"--transport polling"* ]]; then
    printf '%s\t%s\tn/a (WebSocket only)\n' "$server" "$id" >> "$STATUS"
    return
  fi
  local unsupported
  unsupported=$(mode_unsupported "$server" "$(scenario_parser "$args")")
  if [ -n "$unsupported" ]; then
    printf '%s\t%s\t%s\n' "$server" "$id" "$unsupported" >> "$STATUS"
    return
  fi
  # shellcheck disable=SC2086
  timeout 180 "$BIN/loadgen" --port "$SERVER_PORT" --server-pid "$SERVER_PID" --label "$server" \
    $TIMING $args > "$OUT/run.json" 2>> "$OUT/$server.loadgen.log"
  local rc=$?
  if [ -s "$OUT/run.json" ]; then
    sed "s/^{/{\"id\":\"$id\",/" "$OUT/run.json" >> "$RESULTS"
  fi
  if [ $rc -eq 0 ]; then
    printf '%s\t%s\tok\n' "$server" "$id" >> "$STATUS"
  else
    printf '%s\t%s\tfailed (exit %d)\n' "$server" "$id" "$rc" >> "$STATUS"
    log "$server $id: FAILED (exit $rc), see $OUT/$server.loadgen.log"
    FAILED=1
  fi
}

mark_skipped() {
  local note
  note=$(not_started_note "$1")
  log "$1: $note, skipped"
  printf '%s\t*\tskipped: %s\n' "$1" "$note" >> "$STATUS"
}

if [ "$MODE" = smoke ]; then
  # One server process per parser for all scenarios keeps the smoke run short.
  for server in "${SERVERS[@]}"; do
    for parser in json msgpack deflate; do
      if [ -n "$(mode_unsupported "$server" "$parser")" ]; then
        for line in "${SCENARIOS[@]}"; do
          IFS='|' read -r id _ args <<< "$line"
          [ "$(scenario_parser "$args")" = "$parser" ] && run_scenario "$server" "$id" "$args"
        done
        continue
      fi
      if ! start_server "$server" "$parser"; then
        mark_skipped "$server"
        break
      fi
      for line in "${SCENARIOS[@]}"; do
        IFS='|' read -r id _ args <<< "$line"
        [ "$(scenario_parser "$args")" = "$parser" ] || continue
        log "$server $id"
        run_scenario "$server" "$id" "$args"
      done
      stop_server
    done
  done
else
  # Scenario by scenario, every server in turn, each started afresh: the
  # figures compared in one table are taken minutes apart at most, under
  # much the same load from whatever else the machine runs.
  declare -A SKIPPED=()
  for line in "${SCENARIOS[@]}"; do
    IFS='|' read -r id _ args <<< "$line"
    for server in "${SERVERS[@]}"; do
      [ -z "${SKIPPED[$server]:-}" ] || continue
      if [ -n "$(mode_unsupported "$server" "$(scenario_parser "$args")")" ]; then
        run_scenario "$server" "$id" "$args"
        continue
      fi
      if ! start_server "$server" "$(scenario_parser "$args")"; then
        SKIPPED[$server]=1
        mark_skipped "$server"
        continue
      fi
      log "$id $server"
      run_scenario "$server" "$id" "$args"
      stop_server
    done
  done
fi

column -t -s "$(printf '\t')" "$STATUS" >&2
if [ "$MODE" = full ]; then
  python3 "$BENCH/report.py" --results "$RESULTS" --status "$STATUS" \
    --command "$COMMAND_LINE" --fd-limit "$FD_LIMIT" > "$OUT/benchmarks.md"
  # Sections between "<!-- NAME: begin -->" and "<!-- NAME: end -->" (what
  # bench/cluster.sh writes, figures measured apart) are not this run's:
  # they stay as they were written.
  if grep -q '^<!-- .*: begin -->$' "$ROOT/docs/benchmarks.md"; then
    echo >> "$OUT/benchmarks.md"
    sed -n '/^<!-- .*: begin -->$/,/^<!-- .*: end -->$/p' \
      "$ROOT/docs/benchmarks.md" >> "$OUT/benchmarks.md"
  fi
  cp "$OUT/benchmarks.md" "$ROOT/docs/benchmarks.md"
  log "wrote docs/benchmarks.md (raw results in $OUT)"
elif [ -n "$SIO" ] && wants libsio; then
  # The cluster runs (two nodes over Redis, two processes on one port), briefly.
  BENCH_BIN_DIR=$BIN SIO_TEST_SERVER=$SIO "$BENCH/cluster.sh" --smoke || FAILED=1
fi
if [ $FAILED -ne 0 ]; then
  log "some runs failed"
  exit 1
fi
log "all runs completed"
exit 0
}
