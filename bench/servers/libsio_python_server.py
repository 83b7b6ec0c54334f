"""libsio's Python binding (asyncio mode) with the test server's command line
and the handlers the benchmarks use (echo, ack, bcast, message,
message-with-ack), as in examples/TEST-SERVER.md.

    libsio_python_server.py [--port N] [--ping-interval MS] [--ping-timeout MS]
                            [--max-http-buffer-size BYTES] [--transports polling,websocket]
                            [--parser json|msgpack] [--per-message-deflate true|false]
"""
import argparse
import asyncio
import signal

import sio


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--ping-interval", type=int, default=25000)
    p.add_argument("--ping-timeout", type=int, default=20000)
    p.add_argument("--max-http-buffer-size", type=int, default=1_000_000)
    p.add_argument("--transports", default="polling,websocket")
    p.add_argument("--parser", choices=("json", "msgpack"), default="json")
    p.add_argument("--per-message-deflate", choices=("true", "false"), default="false")
    return p.parse_args()


def on_connection(io, socket):
    socket.emit("auth", socket.handshake.get("auth") or {})
    socket.on("echo", lambda *args: socket.emit("echo", *args))
    socket.on("message", lambda *args: socket.emit("message-back", *args))
    # A handler without an `ack` parameter acks with its return value; a
    # tuple sends its items as separate arguments.
    socket.on("ack", lambda *args: args)
    socket.on("message-with-ack", lambda *args: args)
    socket.on("bcast", lambda *args: io.emit("bcast", *args))


async def main():
    args = parse_args()
    io = sio.AsyncServer(
        host="127.0.0.1",
        port=args.port,
        ping_interval=args.ping_interval / 1000,
        ping_timeout=args.ping_timeout / 1000,
        max_http_buffer_size=args.max_http_buffer_size,
        transports=args.transports.split(","),
        parser=args.parser,
        per_message_deflate=args.per_message_deflate == "true",
    )
    io.on("connection", lambda socket: on_connection(io, socket))
    io.start()
    print(f"listening on {io.port}", flush=True)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, io.close)
    await io.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
