#!/usr/bin/env bash
# Benchmarks of several nodes on one machine, driven by bench/loadgen:
# - a broadcast to clients spread over two nodes of one Redis cluster
#   (loadgen --port2), two libsio nodes against two Node.js socket.io nodes
#   with @socket.io/redis-adapter;
# - the scale-out: one libsio process against two sharing a port (reusePort).
#
#   bench/cluster.sh           full run (~1 min), writes its section of
#                              docs/benchmarks.md and docs/multi-node.md
#   bench/cluster.sh --smoke   every run for a moment; exit code only
#   --sharded (with either)    the two-node runs once more with the sharded
#                              adapter (createShardedAdapter, --redis-sharded)
#
# Environment: BENCH_BIN_DIR (a build with loadgen, else built into
# build-bench/MODE/tools) and SIO_TEST_SERVER (a sio_test_server, else a
# Release build in build-bench/MODE/libsio), as for bench/run.sh, which runs
# the smoke mode of this script after its own.
set -u
{

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
MODE=full
SHARDED=0
for arg in "$@"; do
  case "$arg" in
    --smoke) MODE=smoke ;;
    --sharded) SHARDED=1 ;;
    *) echo "usage: bench/cluster.sh [--smoke] [--sharded]" >&2; exit 2 ;;
  esac
done

if [ "$MODE" = smoke ]; then
  TIMING="--duration 0.5 --warmup 0 --connect-timeout 20"
  BCAST_CLIENTS=20; LATENCY_CLIENTS=10; ECHO_CLIENTS=8
else
  TIMING="--duration 3 --warmup 1"
  BCAST_CLIENTS=1000; LATENCY_CLIENTS=100; ECHO_CLIENTS=100
fi
BCAST_ARGS="--scenario bcast --clients $BCAST_CLIENTS --window 16 --size 16"
LATENCY_ARGS="--scenario bcast --clients $LATENCY_CLIENTS --window 1 --size 16"
HOP_ARGS="--scenario bcast --clients 2 --window 1 --size 16"
ECHO_ARGS="--scenario echo --clients $ECHO_CLIENTS --window 32 --size 16"

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/build-bench/results/cluster-$MODE-$STAMP
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: > "$RESULTS"
log() { echo "[cluster] $*" >&2; }

# ---- build (as bench/run.sh, in the same directories, under its lock) -------
BUILD=$ROOT/build-bench/$MODE
BIN=${BENCH_BIN_DIR:-}
SIO=${SIO_TEST_SERVER:-}
if [ -z "$BIN" ] || [ -z "$SIO" ]; then
  mkdir -p "$BUILD"
  exec 9> "$BUILD/.lock"
  flock 9
fi
if [ -z "$BIN" ]; then
  BIN=$BUILD/tools
  log "building loadgen in $BIN"
  if ! { cmake -S "$BENCH" -B "$BIN" -DCMAKE_BUILD_TYPE=Release > "$OUT/build-tools.log" 2>&1 &&
         cmake --build "$BIN" -j2 --target loadgen >> "$OUT/build-tools.log" 2>&1; }; then
    cat "$OUT/build-tools.log" >&2
    exit 1
  fi
fi
if [ -z "$SIO" ]; then
  log "building sio_test_server in $BUILD/libsio"
  if ! { cmake -S "$ROOT" -B "$BUILD/libsio" -DCMAKE_BUILD_TYPE=Release \
           -DSIO_BUILD_TESTS=OFF > "$OUT/build-libsio.log" 2>&1 &&
         cmake --build "$BUILD/libsio" -j2 --target sio_test_server >> "$OUT/build-libsio.log" 2>&1; }; then
    cat "$OUT/build-libsio.log" >&2
    exit 1
  fi
  SIO=$BUILD/libsio/examples/sio_test_server
fi

# The Node.js nodes are the interop suite's reference server, which has
# @socket.io/redis-adapter (tests/interop/package.json).
REF=$ROOT/tests/interop/ref_server.mjs
NODE_NOTE=""
if ! command -v node > /dev/null; then
  NODE_NOTE="no node"
elif [ ! -d "$ROOT/tests/interop/node_modules/@socket.io/redis-adapter" ]; then
  NODE_NOTE="tests/interop/node_modules lacks @socket.io/redis-adapter (npm ci there)"
fi
if ! command -v redis-server > /dev/null; then
  log "no redis-server (apt-get install redis-server): nothing to run"
  exit 1
fi

ulimit -n "$(ulimit -Hn)" 2>/dev/null

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- processes --------------------------------------------------------------
PIDS=()
REDIS_PID=""
stop_nodes() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  PIDS=()
}
stop_all() {
  stop_nodes
  [ -z "$REDIS_PID" ] || { kill -KILL "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; }
}
trap stop_all EXIT

REDIS_PORT=$(free_port)
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  > "$OUT/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 100); do
  [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
  sleep 0.1
done

# Starts one node (`name` for its log, then its command) and waits for its
# `listening on PORT` line, and its `adapter up` when it has --redis. Sets
# NODE_PORT.
NODE_PORT=""
start_node() {
  local name=$1
  shift
  local out=$OUT/$name.log
  : > "$out.stdout"
  "$@" > "$out.stdout" 2>> "$out" &
  PIDS+=($!)
  local pid=$! want_up=0
  [[ " $* " == *" --redis "* ]] && want_up=1
  for _ in $(seq 150); do
    NODE_PORT=$(sed -n 's/^listening on \([0-9][0-9]*\)$/\1/p' "$out.stdout" | head -n1)
    if [ -n "$NODE_PORT" ] && { [ $want_up = 0 ] || grep -q '^adapter up$' "$out.stdout"; }; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  log "$name did not start (see $out)"
  return 1
}

# Waits until `count` Redis connections hold the adapter's pattern
# subscriptions, as tests/interop/helpers/cluster.mjs does (sharded: until
# `count` nodes listen to the shard channel of "/").
wait_subscribed() {
  local count=$1 sharded=${2:-}
  for _ in $(seq 150); do
    if [ -n "$sharded" ]; then
      [ "$(redis-cli -p "$REDIS_PORT" pubsub shardnumsub 'socket.io#/#' | tail -n1)" -ge "$count" ] && return 0
    else
      [ "$(redis-cli -p "$REDIS_PORT" client list | grep -c ' psub=[1-9]')" -ge "$count" ] && return 0
    fi
    sleep 0.1
  done
  log "the nodes did not subscribe in Redis"
  return 1
}

node_command() { # kind port [extra...]
  local kind=$1 port=$2
  shift 2
  case "$kind" in
    libsio) echo "$SIO --port $port $*" ;;
    node) echo "node $REF --port $port $*" ;;
  esac
}

FAILED=0
# Runs loadgen with `args` and appends its line, tagged with `id`, to the results.
measure() { # id label args...
  local id=$1 label=$2
  shift 2
  log "$id $label"
  # shellcheck disable=SC2086
  timeout 120 "$BIN/loadgen" --label "$label" $TIMING "$@" > "$OUT/run.json" 2>> "$OUT/loadgen.log"
  local rc=$?
  [ -s "$OUT/run.json" ] && sed "s/^{/{\"id\":\"$id\",/" "$OUT/run.json" >> "$RESULTS"
  if [ $rc -ne 0 ]; then
    log "$id $label: FAILED (exit $rc), see $OUT/loadgen.log"
    FAILED=1
  fi
}

# ---- two nodes of one cluster ------------------------------------------------
# Each adapter: the prefix of its runs' ids, then the nodes' extra option.
ADAPTERS=("|")
[ $SHARDED = 1 ] && ADAPTERS+=("sharded-|--redis-sharded")
for adapter in "${ADAPTERS[@]}"; do
  IFS='|' read -r prefix sharded <<< "$adapter"
  for kind in libsio node; do
    if [ "$kind" = node ] && [ -n "$NODE_NOTE" ]; then
      log "node: $NODE_NOTE, skipped"
      [ "$MODE" = smoke ] || FAILED=1
      continue
    fi
    for run in "cluster-bcast|$BCAST_ARGS" "cluster-latency|$LATENCY_ARGS" "cluster-hop|$HOP_ARGS"; do
      IFS='|' read -r id args <<< "$run"
      # shellcheck disable=SC2046,SC2086
      if start_node "$kind-a" $(node_command "$kind" 0 --redis "$REDIS_URL" $sharded); then
        port_a=$NODE_PORT
        # shellcheck disable=SC2046,SC2086
        if start_node "$kind-b" $(node_command "$kind" 0 --redis "$REDIS_URL" $sharded) &&
           wait_subscribed 2 "$sharded"; then
          # shellcheck disable=SC2086
          measure "$prefix$id" "$kind" --port "$port_a" --port2 "$NODE_PORT" $args
        else
          FAILED=1
        fi
      else
        FAILED=1
      fi
      stop_nodes
    done
  done
done

# ---- one process against two on one port -----------------------------------
# Both settings run with the same options, so the process count is all that
# differs; broadcasts reach the other process's clients through Redis.
for run in "scaleout-echo|$ECHO_ARGS|" "scaleout-bcast|$BCAST_ARGS|--redis $REDIS_URL"; do
  IFS='|' read -r id args extra <<< "$run"
  for procs in 1 2; do
    # shellcheck disable=SC2086
    if ! start_node "libsio-$procs-1" $SIO --port 0 --reuse-port $extra; then
      FAILED=1
      stop_nodes
      continue
    fi
    port=$NODE_PORT
    ok=1
    if [ $procs = 2 ]; then
      # shellcheck disable=SC2086
      start_node "libsio-$procs-2" $SIO --port "$port" --reuse-port $extra || ok=0
    fi
    if [ $ok = 1 ] && [ -n "$extra" ]; then wait_subscribed "$procs" || ok=0; fi
    if [ $ok = 1 ]; then
      # shellcheck disable=SC2086
      measure "$id" "libsio x$procs" --port "$port" $args
    else
      FAILED=1
    fi
    stop_nodes
  done
done

if [ "$MODE" = full ]; then
  python3 "$BENCH/cluster_report.py" --results "$RESULTS" \
    --load-before "$LOAD_BEFORE" --load-after "$(cut -d' ' -f1-3 /proc/loadavg)" \
    --commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    --splice "$ROOT/docs/benchmarks.md" "$ROOT/docs/multi-node.md"
  log "wrote the cluster section of docs/benchmarks.md and docs/multi-node.md (raw results in $OUT)"
fi
if [ $FAILED -ne 0 ]; then
  log "some runs failed"
  exit 1
fi
log "all runs completed"
exit 0
}
