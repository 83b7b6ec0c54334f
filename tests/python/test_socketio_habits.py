"""A python-socketio program's server calls on ours, with the python-socketio
client from PyPI on the other end: emit(..., to=, room=, skip_sid=,
namespace=, callback=), call() (60 s by default), @io.event,
enter_room/leave_room/rooms(sid), io.sleep; both run modes."""
from __future__ import annotations

import queue
import time
from typing import Any

import pytest
import socketio

import sio
from sio._socketio_habits import CALL_TIMEOUT
from waiting import next_item


def open_client(server, py_clients, **options: Any) -> tuple[Any, queue.Queue]:
    client = py_clients()
    seen: queue.Queue = queue.Queue()
    client.on("*", lambda event, *args: seen.put((event, *args)))
    client.on("news", lambda *args: seen.put(("news", *args)), namespace="/chat")
    client.connect(server.url, transports=["websocket"], wait_timeout=5, **options)
    return client, seen


def test_event_handlers_and_connect_disconnect(make_server, py_clients) -> None:
    server = make_server()
    io = server.io
    log: queue.Queue = queue.Queue()

    @io.event
    def connect(sid, environ, auth):
        log.put(("connect", sid, auth))
        if auth and auth.get("token") == "bad":
            return False
        return None

    @io.event
    def disconnect(sid, reason):
        log.put(("disconnect", sid, reason))

    @io.event
    def add(sid, a, b):
        log.put(("add", sid))
        return a + b

    server.start()
    client, _ = open_client(server, py_clients, auth={"token": "good"}, namespaces=["/"])
    kind, sid, auth = next_item(log)
    assert (kind, auth) == ("connect", {"token": "good"}) and sid == client.get_sid()
    assert client.call("add", (2, 3), timeout=5) == 5
    assert next_item(log) == ("add", sid)
    client.disconnect()
    kind, gone, reason = next_item(log)
    assert (kind, gone) == ("disconnect", sid)
    assert reason in ("client namespace disconnect", "transport close")
    refused = py_clients()
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(server.url, transports=["websocket"], auth={"token": "bad"},
                        wait_timeout=5)
    assert next_item(log)[0] == "connect"


def test_emit_to_room_skip_sid_namespace_and_callback(make_server, py_clients) -> None:
    server = make_server()
    io = server.io
    sids: queue.Queue = queue.Queue()
    io.on("connection", lambda socket: sids.put(socket.id))
    io.of("/chat").on("connection", lambda socket: None)
    server.start()
    a, seen_a = open_client(server, py_clients, namespaces=["/", "/chat"])
    b, seen_b = open_client(server, py_clients, namespaces=["/", "/chat"])
    sid_a, sid_b = next_item(sids), next_item(sids)
    if sid_a != a.get_sid():
        sid_a, sid_b = sid_b, sid_a
    io.enter_room(sid_a, "red")
    io.enter_room(sid_b, "red")
    assert io.rooms(sid_a) == {sid_a, "red"}
    io.emit("to-red", {"x": 1}, to="red", skip_sid=sid_a)
    assert next_item(seen_b) == ("to-red", {"x": 1})
    io.emit("several", data=(1, 2), room=sid_a)
    assert next_item(seen_a) == ("several", 1, 2)
    io.leave_room(sid_b, "red")
    assert io.rooms(sid_b) == {sid_b}
    io.emit("to-red-again", to="red")
    assert next_item(seen_a) == ("to-red-again",)
    io.emit("news", "hello", namespace="/chat")
    assert next_item(seen_a) == ("news", "hello") and next_item(seen_b) == ("news", "hello")
    answers: queue.Queue = queue.Queue()
    b.on("question", lambda n: n * 2)
    io.emit("question", 21, to=sid_b, callback=lambda *values: answers.put(values))
    assert next_item(answers) == (42,)
    assert server.resolve(io.call("question", 5, to=sid_b)) == 10
    assert server.resolve(io.call("question", data=6, sid=sid_b, timeout=5)) == 12
    assert CALL_TIMEOUT == 60


def test_sleep_in_both_modes() -> None:
    import asyncio

    start = time.monotonic()
    sio.Server.sleep(0.05)
    asyncio.run(sio.AsyncServer.sleep(0.05))
    assert time.monotonic() - start >= 0.1


def test_client_then_connect(make_server) -> None:
    import asyncio

    server = make_server()
    server.io.on("connection", lambda socket: socket.on("add", lambda a, b: a + b))
    server.start()
    client = sio.Client(reconnection=False)
    greetings: list = []
    client.on("connect", lambda: greetings.append("connected"))
    with pytest.raises(sio.DisconnectedError, match="connect"):
        client.emit("add", 1, 2)
    assert client.connect(server.url, transports=["websocket"], wait_timeout=10) is client
    assert client.connected and greetings == ["connected"]
    assert client.timeout(5).emit_with_ack("add", 1, 2) == 3
    with pytest.raises(sio.BusyError):
        client.connect(server.url)
    client.close()
    client.wait()
    sio.Client().close()

    async def main() -> None:
        aclient = sio.AsyncClient(reconnection=False)
        await aclient.connect(server.url, wait_timeout=10)
        assert await aclient.timeout(5).emit_with_ack("add", 2, 3) == 5
        aclient.close()
        await asyncio.wait_for(aclient.wait(), 10)

    asyncio.run(main())
