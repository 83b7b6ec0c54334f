# The scenarios bench/run.sh runs, sourced by it. One line each:
#   id|what the table calls it|loadgen arguments
# Servers are started afresh for every scenario of a full run, so memory
# figures start from an idle server. A scenario with `--parser msgpack` runs
# against servers started with `--parser msgpack` (the bare server speaks
# JSON only), one with `--deflate` (the generator offers permessage-deflate)
# against servers started with it on (not the bare server nor
# python-socketio, which have none).

# Full run: 1.5 to 3.5 minutes per server on 2 cores.
FULL_SCENARIOS=(
  "echo-w8|echo, 100 clients, 8 in flight, 16 B|--scenario echo --clients 100 --window 8 --size 16"
  "echo-w32|echo, 100 clients, 32 in flight, 16 B|--scenario echo --clients 100 --window 32 --size 16"
  "ack-w8|ack, 100 clients, 8 in flight, 16 B|--scenario ack --clients 100 --window 8 --size 16"
  "ack-w32|ack, 100 clients, 32 in flight, 16 B|--scenario ack --clients 100 --window 32 --size 16"
  "latency|echo latency at a moderate 2,000 events/s, 100 clients|--scenario echo --clients 100 --window 8 --size 16 --rate 2000"
  "size-1k|echo 1 KiB strings, 20 clients, 8 in flight|--scenario echo --clients 20 --window 8 --size 1024"
  "size-16k|echo 16 KiB strings, 20 clients, 8 in flight|--scenario echo --clients 20 --window 8 --size 16384"
  "size-64k|echo 64 KiB strings, 20 clients, 8 in flight|--scenario echo --clients 20 --window 8 --size 65536"
  "binary-16|echo 16 B binary attachments, 100 clients, 8 in flight|--scenario echo --clients 100 --window 8 --size 16 --binary"
  "binary-64k|echo 64 KiB binary attachments, 20 clients, 8 in flight|--scenario echo --clients 20 --window 8 --size 65536 --binary"
  "bcast-1k|broadcast to 1,000 clients, 16 in flight|--scenario bcast --clients 1000 --window 16 --size 16"
  "bcast-10k|broadcast to 10,000 clients, 8 in flight|--scenario bcast --clients 10000 --window 8 --size 16"
  "ramp|connection ramp to 5,000 clients, 100 connecting at once|--scenario ramp --clients 5000 --concurrency 100"
  "idle-10k|10,000 idle WebSocket clients|--scenario idle --clients 10000 --settle 2"
  "max-conns|as many idle WebSocket clients as allowed (target 50,000)|--scenario idle --clients MAX_CLIENTS --settle 2"
  "polling|long-polling echo, 50 clients, 8 in flight|--scenario echo --transport polling --clients 50 --window 8 --size 16"
  "size-2k|echo 2 KiB strings, 20 clients, 8 in flight|--scenario echo --clients 20 --window 8 --size 2048"
  "deflate-2k|permessage-deflate: echo 2 KiB strings, 20 clients, 8 in flight|--scenario echo --clients 20 --window 8 --size 2048 --deflate"
  "bcast-2k|broadcast 2 KiB to 1,000 clients, 16 in flight|--scenario bcast --clients 1000 --window 16 --size 2048"
  "deflate-bcast-2k|permessage-deflate: broadcast 2 KiB to 1,000 clients, 16 in flight|--scenario bcast --clients 1000 --window 16 --size 2048 --deflate"
  "msgpack-echo-w8|msgpack parser: echo, 100 clients, 8 in flight, 16 B|--scenario echo --clients 100 --window 8 --size 16 --parser msgpack"
  "msgpack-ack-w8|msgpack parser: ack, 100 clients, 8 in flight, 16 B|--scenario ack --clients 100 --window 8 --size 16 --parser msgpack"
  "msgpack-binary-16|msgpack parser: echo 16 B binary, 100 clients, 8 in flight|--scenario echo --clients 100 --window 8 --size 16 --binary --parser msgpack"
  "msgpack-size-1k|msgpack parser: echo 1 KiB strings, 20 clients, 8 in flight|--scenario echo --clients 20 --window 8 --size 1024 --parser msgpack"
  "msgpack-bcast-1k|msgpack parser: broadcast to 1,000 clients, 16 in flight|--scenario bcast --clients 1000 --window 16 --size 16 --parser msgpack"
  "msgpack-bcast-10k|msgpack parser: broadcast to 10,000 clients, 8 in flight|--scenario bcast --clients 10000 --window 8 --size 16 --parser msgpack"
)
FULL_TIMING="--duration 3 --warmup 1"

# Smoke run: every scenario in a second or less, few clients.
SMOKE_SCENARIOS=(
  "echo-w8|echo|--scenario echo --clients 4 --window 8 --size 16"
  "ack-w8|ack|--scenario ack --clients 4 --window 8 --size 16"
  "latency|rate-limited echo|--scenario echo --clients 4 --window 8 --size 16 --rate 500"
  "size-64k|64 KiB echo|--scenario echo --clients 2 --window 2 --size 65536"
  "binary-64k|64 KiB binary echo|--scenario echo --clients 2 --window 2 --size 65536 --binary"
  "binary-ack|binary ack|--scenario ack --clients 2 --window 2 --size 64 --binary"
  "bcast|broadcast|--scenario bcast --clients 20 --window 2 --size 16"
  "ramp|connection ramp|--scenario ramp --clients 50 --concurrency 10"
  "idle|idle clients|--scenario idle --clients 50 --settle 0.2"
  "polling|long-polling echo|--scenario echo --transport polling --clients 2 --window 4 --size 16"
  "deflate-echo|permessage-deflate echo|--scenario echo --clients 2 --window 2 --size 2048 --deflate"
  "msgpack-echo|msgpack echo|--scenario echo --clients 4 --window 8 --size 16 --parser msgpack"
  "msgpack-ack|msgpack binary ack|--scenario ack --clients 2 --window 2 --size 64 --binary --parser msgpack"
  "msgpack-bcast|msgpack broadcast|--scenario bcast --clients 20 --window 2 --size 16 --parser msgpack"
)
SMOKE_TIMING="--duration 0.5 --warmup 0 --connect-timeout 20"
