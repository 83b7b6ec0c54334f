"""Connection state recovery: connection_state_recovery turns it on; a client
whose connection failed comes back with its id, rooms and missed packets, and
socket.recovered is true on both sides; both run modes."""
from __future__ import annotations

import queue

import pytest

from sio._options import server_option_pairs
from waiting import next_item


def test_options_map_to_the_core_keys() -> None:
    assert server_option_pairs({"connection_state_recovery": {}}) == [
        ("connectionStateRecovery.maxDisconnectionDuration", "120000")]
    assert dict(server_option_pairs({"connection_state_recovery": {
        "max_disconnection_duration": 1.5, "skip_middlewares": False}})) == {
        "connectionStateRecovery.maxDisconnectionDuration": "1500",
        "connectionStateRecovery.skipMiddlewares": "false"}
    assert server_option_pairs({"connection_state_recovery": False}) == []
    with pytest.raises(TypeError):
        server_option_pairs({"connection_state_recovery": {"max_duration": 1}})


def test_a_dropped_client_is_restored_with_its_rooms_and_missed_events(make_server, node) -> None:
    server = make_server(connection_state_recovery={"max_disconnection_duration": 10})
    sockets: queue.Queue = queue.Queue()
    reasons: queue.Queue = queue.Queue()

    def on_connection(socket) -> None:
        socket.on("disconnect", reasons.put)
        sockets.put(socket)

    server.io.on("connection", on_connection)
    server.start()
    cid = node.connect(server.url + "/")
    first = next_item(sockets)
    assert first.recovered is False
    first.data = {"user": "ada"}
    first.join("room")
    first.emit("hello", 1)
    hello = node.event(cid, "hello")
    assert hello[0] == 1 and isinstance(hello[1], str)  # the offset
    node.drop(cid)
    assert next_item(reasons) == "transport close"
    server.io.to("room").emit("missed", 2)
    server.io.to("elsewhere").emit("missed", 0)
    report = node.reconnect(cid)
    assert report["recovered"] is True
    assert report["sid"] == first.id
    back = next_item(sockets)
    assert back.recovered is True
    assert back.id == first.id
    assert back.rooms == {back.id, "room"}
    assert back.data == {"user": "ada"}
    assert node.event(cid, "missed")[0] == 2
    assert node.no_event(cid, "missed")


def test_without_the_option_nothing_is_recovered(make_server, node) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    cid = node.connect(server.url + "/")
    first = next_item(sockets)
    first.emit("hello", 1)
    assert node.event(cid, "hello") == [1]
    node.drop(cid)
    report = node.reconnect(cid)
    assert not report.get("recovered")
    assert next_item(sockets).recovered is False


def test_middlewares_run_again_unless_skipped(make_server, node) -> None:
    server = make_server(connection_state_recovery={"max_disconnection_duration": 10,
                                                    "skip_middlewares": False})
    seen: queue.Queue = queue.Queue()
    sockets: queue.Queue = queue.Queue()

    def middleware(socket) -> None:
        seen.put((socket.recovered, dict(socket.data)))
        socket.data["visits"] = socket.data.get("visits", 0) + 1

    private = server.io.of("/private")
    private.use(middleware)
    private.on("connection", sockets.put)
    server.start()
    cid = node.connect(server.url + "/private")
    assert next_item(seen) == (False, {})
    first = next_item(sockets)
    assert first.data == {"visits": 1}
    first.emit("hello")
    node.event(cid, "hello")
    node.drop(cid)
    report = node.reconnect(cid)
    assert report["recovered"] is True
    assert next_item(seen) == (True, {"visits": 1})
    back = next_item(sockets)
    assert back.recovered is True and back.id == first.id
    assert back.data == {"visits": 2}
