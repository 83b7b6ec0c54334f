"""Acknowledgements the server asks for: timeout(s).emit(..., callback=...)
and emit_with_ack, for one socket and for broadcasts; both run modes."""
from __future__ import annotations

import queue

import pytest

import sio
from waiting import next_item


def one_client(server, node, acks=None) -> tuple[str, sio.Socket]:
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    cid = node.connect(server.url + "/", acks=acks)
    return cid, next_item(sockets)


def test_callback_gets_the_client_answer(make_server, node) -> None:
    server = make_server()
    cid, socket = one_client(server, node, acks={"fixed": {"value": {"ok": True}}})
    answers: queue.Queue = queue.Queue()
    socket.emit("question", 1, b"bin", callback=lambda *args: answers.put(("plain", args)))
    assert next_item(answers) == ("plain", (1, b"bin"))
    socket.timeout(2).emit("fixed", callback=lambda err, *args: answers.put((err, args)))
    assert next_item(answers) == (None, ({"ok": True},))


def test_callback_gets_a_timeout_error(make_server, node) -> None:
    server = make_server()
    cid, socket = one_client(server, node, acks={"silent": "ignore"})
    answers: queue.Queue = queue.Queue()
    socket.timeout(0.2).emit("silent", callback=lambda err, *args: answers.put((err, args)))
    err, args = next_item(answers)
    assert isinstance(err, sio.AckTimeoutError) and args == ()
    assert err.message


def test_emit_with_ack_returns_the_answer(make_server, node) -> None:
    server = make_server()
    cid, socket = one_client(server, node, acks={"fixed": {"value": "only"}})
    assert server.resolve(socket.timeout(5).emit_with_ack("fixed")) == "only"
    assert server.resolve(socket.emit_with_ack("echo", 1, 2)) == (1, 2)
    assert server.resolve(socket.timeout(5).emit_with_ack("echo")) is None


def test_emit_with_ack_raises_on_timeout(make_server, node) -> None:
    server = make_server()
    cid, socket = one_client(server, node, acks={"silent": "ignore"})
    with pytest.raises(sio.AckTimeoutError):
        server.resolve(socket.timeout(0.2).emit_with_ack("silent"))


def test_broadcast_acks_collect_every_response(make_server, node) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    node.connect(server.url + "/", acks={"vote": {"value": "yes"}})
    node.connect(server.url + "/", acks={"vote": {"value": "no"}})
    next_item(sockets), next_item(sockets)
    responses = server.resolve(server.io.timeout(5).emit_with_ack("vote"))
    assert sorted(responses) == ["no", "yes"]
    answers: queue.Queue = queue.Queue()
    server.io.timeout(5).emit("vote", callback=lambda err, res: answers.put((err, res)))
    err, res = next_item(answers)
    assert err is None and sorted(res) == ["no", "yes"]


def test_broadcast_ack_timeout_keeps_the_responses_that_came(make_server, node) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    node.connect(server.url + "/", acks={"vote": {"value": "yes"}})
    node.connect(server.url + "/", acks={"vote": "ignore"})
    next_item(sockets), next_item(sockets)
    with pytest.raises(sio.AckTimeoutError) as caught:
        server.resolve(server.io.timeout(0.3).emit_with_ack("vote"))
    assert caught.value.responses == ["yes"]


def test_broadcast_acks_need_a_timeout(make_server, node) -> None:
    server = make_server()
    server.start()
    with pytest.raises(ValueError):
        server.io.emit("x", callback=lambda *args: None)
    with pytest.raises(ValueError):
        server.io.to("room").emit_with_ack("x")
