#!/bin/bash
# Where a server's CPU goes, per message: starts the server, drives it with
# loadgen, and prints the messages/s and each of the server's threads' user
# and system CPU per message (from /proc/PID/task/TID/stat, over the warm-up
# and the measurement both, as loadgen counts its messages over both too).
#
#   bench/cpu_split.sh BIN_DIR "SERVER COMMAND" LOADGEN ARGS...
#   bench/cpu_split.sh build-bench/full/tools "build-bench/full/libsio/examples/sio_test_server" \
#       --scenario echo --clients 100 --window 32 --size 16
#
# The server command is run with `--port 0` appended and must print
# `listening on PORT`. BIN_DIR holds loadgen (bench/run.sh builds it).
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,11p "$0" >&2; exit 2; }
BIN=$1
SERVER=$2
shift 2
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

$SERVER --port 0 > "$OUT/server.log" 2>&1 &
PID=$!
PORT=""
for _ in $(seq 100); do
  PORT=$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$OUT/server.log")
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "cpu_split: the server did not start" >&2; cat "$OUT/server.log" >&2; exit 1; }

# tid, name, user ticks, system ticks for every thread of the server.
threads() {
  for t in /proc/$PID/task/*; do
    # The name is in parentheses and may hold spaces: cut around it.
    local stat name rest
    stat=$(cat "$t/stat")
    name=${stat#*(}
    name=${name%)*}
    rest=${stat##*) }
    set -- $rest
    echo "${t##*/} ${name// /_} ${12} ${13}"
  done
}

DURATION=3
WARMUP=1
threads > "$OUT/before"
"$BIN/loadgen" --port "$PORT" --label cpu --duration $DURATION --warmup $WARMUP "$@" > "$OUT/result.json"
threads > "$OUT/after"
kill "$PID"
wait "$PID" 2> /dev/null || true

python3 - "$OUT" "$(getconf CLK_TCK)" "$DURATION" "$WARMUP" << 'PY'
import json, sys
out, hz, duration, warmup = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
result = json.loads(open(f"{out}/result.json").readline())
rate = result["msgs_per_s"]
# CPU was read over warm-up and measurement: count the messages of both.
messages = rate * (duration + warmup)
def table(path):
    rows = {}
    for line in open(path):
        tid, name, user, system = line.split()
        rows[tid] = (name, int(user), int(system))
    return rows
before, after = table(f"{out}/before"), table(f"{out}/after")
print(f"{rate:,.0f} messages/s")
total_user = total_system = 0.0
for tid, (name, user, system) in sorted(after.items()):
    u0, s0 = before.get(tid, (name, 0, 0))[1:]
    user_us = (user - u0) / hz * 1e6 / messages
    system_us = (system - s0) / hz * 1e6 / messages
    if user_us + system_us < 0.005:
        continue
    total_user += user_us
    total_system += system_us
    print(f"  thread {tid} {name}: {user_us:.3f} us user + {system_us:.3f} us system per message")
print(f"  server: {total_user:.3f} us user + {total_system:.3f} us system per message")
PY
