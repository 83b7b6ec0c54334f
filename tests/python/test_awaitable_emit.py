"""python-socketio's `await sio.emit(...)`: in AsyncServer and AsyncClient,
emit and send (on the server, a namespace, an operator, a socket, a client)
and enter_room/leave_room are awaitable, and the same calls without await
still send and warn of nothing. The python-socketio client from PyPI and our
AsyncClient check what arrived."""
from __future__ import annotations

import asyncio
import gc
import inspect
import queue
import warnings
from typing import Any

import sio
from runners import AsyncRunner, BlockingRunner
from waiting import next_item


def test_async_server_emits_are_awaitable_and_need_no_await(py_clients) -> None:
    server = AsyncRunner()
    io = server.io
    returned: queue.Queue = queue.Queue()

    async def go(socket: Any) -> None:
        sid = socket.id
        await io.enter_room(sid, "red")
        await socket.emit("socket.emit", 1)
        await socket.send("socket.send")
        await socket.timeout(5).emit("emitter.emit")
        await io.emit("io.emit")
        await io.emit("io.emit to", to=sid)
        await io.emit("io.emit callback", to=sid, callback=lambda *values: None)
        await io.send("io.send")
        await io.to("red").emit("operator.emit")
        await io.of("/").emit("namespace.emit")
        await io.sockets.send("namespace.send")
        for remote in await io.fetch_sockets():
            await remote.emit("remote.emit")
        await io.leave_room(sid, "red")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            plain = [io.emit("plain"), socket.emit("plain"), io.to(sid).emit("plain"),
                     io.enter_room(sid, "blue")]
            gc.collect()
        returned.put(([inspect.isawaitable(x) and not inspect.iscoroutine(x) for x in plain],
                      [str(w.message) for w in caught if w.category is RuntimeWarning]))

    io.on("connection", lambda socket: socket.on("go", lambda: go(socket)))
    server.start()
    try:
        client = py_clients()
        seen: queue.Queue = queue.Queue()
        client.on("*", lambda event, *args: seen.put(event))
        client.on("message", lambda *args: seen.put(("message", *args)))
        client.connect(server.url, transports=["websocket"], wait_timeout=5)
        client.emit("go")
        awaitable, caught = next_item(returned)
        assert awaitable == [True] * 4 and caught == []
        got = [next_item(seen) for _ in range(14)]
        assert got == ["socket.emit", ("message", "socket.send"), "emitter.emit", "io.emit",
                       "io.emit to", "io.emit callback", ("message", "io.send"),
                       "operator.emit", "namespace.emit", ("message", "namespace.send"),
                       "remote.emit", "plain", "plain", "plain"]
        assert server.call(io.rooms, client.get_sid()) == {client.get_sid(), "blue"}
    finally:
        server.stop()


def test_blocking_server_emit_returns_none() -> None:
    server = BlockingRunner()
    server.start()
    try:
        assert server.io.emit("nobody") is None and server.io.to("r").emit("x") is None
    finally:
        server.stop()


def test_async_client_emit_is_awaitable(make_server) -> None:
    server = make_server()
    seen: queue.Queue = queue.Queue()
    server.io.on("connection", lambda socket: socket.on_any(
        lambda event, *args: seen.put((event, *args))))
    server.start()

    async def main() -> list[Any]:
        client = sio.AsyncClient(reconnection=False)
        await client.connect(server.url, wait_timeout=10)
        await client.emit("a", 1)
        await client.send("b")
        await client.timeout(5).emit("c")
        await client.socket("/").emit("d")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            client.emit("e")
            gc.collect()
        client.close()
        await asyncio.wait_for(client.wait(), 10)
        return [str(w.message) for w in caught if w.category is RuntimeWarning]

    assert asyncio.run(main()) == []
    assert [next_item(seen) for _ in range(5)] == [("a", 1), ("message", "b"), ("c",),
                                                   ("d",), ("e",)]
