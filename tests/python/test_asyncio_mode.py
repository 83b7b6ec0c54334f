"""What only AsyncServer does: coroutine handlers and middlewares, and
awaiting acknowledgements inside handlers."""
from __future__ import annotations

import asyncio
import queue
import threading
import time

import pytest

import sio
from runners import AsyncRunner
from waiting import next_item, wait_until


@pytest.fixture
def server():
    runner = AsyncRunner()
    yield runner
    runner.stop()


def test_coroutine_handler_answers_with_its_return_value(server, node) -> None:
    @server.io.on("connection")
    async def on_connection(socket: sio.Socket) -> None:
        await asyncio.sleep(0)

        @socket.on("slow-double")
        async def slow_double(n):
            await asyncio.sleep(0.01)
            return n * 2

    server.start()
    cid = node.connect(server.url + "/")
    assert node.emit_ack(cid, "slow-double", 4) == (None, [8])


def test_coroutine_connection_handler_hears_the_first_packets(server, node) -> None:
    # In socket.io a connection listener runs before the socket's next
    # packet; a coroutine one runs up to its first await, so that a handler
    # it adds there hears what the client sent at once, even when the loop
    # takes the connection and that packet in one go.
    heard: queue.Queue = queue.Queue()

    @server.io.on("connection")
    async def on_connection(socket: sio.Socket) -> None:
        socket.on("hello", heard.put)

    server.start()
    for n in range(5):
        busy, free = threading.Event(), threading.Event()
        server.loop.call_soon_threadsafe(lambda busy=busy, free=free: (busy.set(), free.wait(10)))
        assert busy.wait(10)
        # The core accepts on its own (no middleware) while the loop is busy.
        cid = node.connect(server.url + "/", transports=["websocket"])
        node.emit(cid, "hello", n)
        time.sleep(0.2)
        free.set()
        assert next_item(heard, timeout=5) == n


def test_await_emit_with_ack_inside_a_handler(server, node) -> None:
    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        @socket.on("relay")
        async def relay(value):
            answer = await socket.timeout(5).emit_with_ack("echo", value, "back")
            everyone = await server.io.timeout(5).emit_with_ack("echo", "all")
            return {"answer": list(answer), "everyone": everyone}

    server.start()
    cid = node.connect(server.url + "/")
    assert node.emit_ack(cid, "relay", 5) == (None, [{"answer": [5, "back"], "everyone": ["all"]}])


def test_async_middleware_can_refuse(server, node) -> None:
    @server.io.use
    async def check(socket: sio.Socket) -> None:
        await asyncio.sleep(0.01)
        if socket.handshake["auth"].get("token") != "ok":
            raise sio.ConnectionRefusedError("no", {"code": 7})
        socket.data["checked"] = True

    seen: queue.Queue = queue.Queue()
    server.io.on("connection", lambda socket: seen.put(socket.data))
    server.start()
    refused = node.connect(server.url + "/", auth={"token": "bad"}, expect_error=True)
    assert node.connect_error(refused) | {"id": None} == {
        "ev": "connect_error", "id": None, "message": "no", "data": {"code": 7}}
    node.connect(server.url + "/", auth={"token": "ok"})
    assert next_item(seen) == {"checked": True}


def test_a_raising_coroutine_is_logged_and_serving_goes_on(server, node, caplog) -> None:
    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        @socket.on("fail")
        async def fail():
            raise ValueError("async failure")

        socket.on("ok", lambda: "fine")

    server.start()
    cid = node.connect(server.url + "/")
    node.emit(cid, "fail")
    assert node.emit_ack(cid, "ok") == (None, ["fine"])
    wait_until(lambda: any("async failure" in str(r.exc_info) for r in caplog.records))


def test_serve_returns_after_close() -> None:
    io = sio.AsyncServer(host="127.0.0.1", port=0)

    async def main() -> None:
        task = asyncio.ensure_future(io.serve())
        await asyncio.sleep(0.05)
        io.close()
        await asyncio.wait_for(task, 10)

    asyncio.run(main())
    assert io.closed
