"""python-socketio (asyncio, aiohttp, uvloop) with the test server's command
line and the handlers the benchmarks use (echo, ack, bcast, message,
message-with-ack), as in examples/TEST-SERVER.md.

    python_server.py [--port N] [--ping-interval MS] [--ping-timeout MS]
                     [--max-http-buffer-size BYTES] [--transports polling,websocket]
                     [--parser json|msgpack]
"""
import argparse
import asyncio
import signal
import sys

import socketio
import uvloop
from aiohttp import web


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--ping-interval", type=int, default=25000)
    p.add_argument("--ping-timeout", type=int, default=20000)
    p.add_argument("--max-http-buffer-size", type=int, default=1_000_000)
    p.add_argument("--transports", default="polling,websocket")
    p.add_argument("--parser", choices=("json", "msgpack"), default="json")
    return p.parse_args()


def make_server(args):
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        ping_interval=args.ping_interval / 1000,
        ping_timeout=args.ping_timeout / 1000,
        max_http_buffer_size=args.max_http_buffer_size,
        transports=args.transports.split(","),
        cors_allowed_origins="*",
        # python-socketio's "msgpack" serializer writes the packet as the same
        # {type, nsp, data, id} map as socket.io-msgpack-parser.
        serializer="msgpack" if args.parser == "msgpack" else "default",
    )

    @sio.event
    async def connect(sid, environ, auth):
        await sio.emit("auth", auth or {}, to=sid)

    @sio.on("echo")
    async def echo(sid, *args):
        await sio.emit("echo", args, to=sid)

    @sio.on("message")
    async def message(sid, *args):
        await sio.emit("message-back", args, to=sid)

    # Returning a tuple acks with its items as separate arguments.
    @sio.on("ack")
    async def ack(sid, *args):
        return args

    @sio.on("message-with-ack")
    async def message_with_ack(sid, *args):
        return args

    @sio.on("bcast")
    async def bcast(sid, *args):
        await sio.emit("bcast", args)

    return sio


async def main():
    args = parse_args()
    sio = make_server(args)
    app = web.Application()
    sio.attach(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    # aiohttp's default backlog of 128 refuses part of a burst of connects;
    # Node.js listens with 511, and a production deployment would raise it.
    site = web.TCPSite(runner, "127.0.0.1", args.port, backlog=1024)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"listening on {port}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    uvloop.install()
    sys.exit(asyncio.run(main()))
