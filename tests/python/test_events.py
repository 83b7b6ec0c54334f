"""Events both ways, acknowledgements, binary, catch-all listeners and
handlers that raise, against the official Node.js client, in both modes."""
from __future__ import annotations

import logging
import queue

import pytest

import sio
from waiting import next_item


def serve_echo(server) -> None:
    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        @socket.on("echo")
        def echo(*args):
            socket.emit("echo", *args)


def test_events_round_trip_with_every_plain_type(make_server, node) -> None:
    server = make_server()
    serve_echo(server)
    server.start()
    cid = node.connect(server.url + "/")
    values = [{"a": [1, 2.5, True, None]}, "text é", 42, -1.5, False, None, []]
    node.emit(cid, "echo", *values)
    assert node.event(cid, "echo") == values


def test_binary_arrives_as_bytes_and_every_buffer_type_is_sent(make_server, node) -> None:
    server = make_server()
    received: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        @socket.on("upload")
        def upload(blob, nested):
            received.put((blob, nested))
            socket.emit("download", bytearray(b"\x00\x01"), {"inner": memoryview(b"mv")}, b"raw")

    server.start()
    cid = node.connect(server.url + "/")
    node.emit(cid, "upload", b"\xff\x00binary", {"list": [b"in a list"]})
    blob, nested = next_item(received)
    assert blob == b"\xff\x00binary" and type(blob) is bytes
    assert nested == {"list": [b"in a list"]}
    assert node.event(cid, "download") == [b"\x00\x01", {"inner": b"mv"}, b"raw"]


@pytest.mark.parametrize("returned,expected", [
    ((1, "two"), [1, "two"]),
    ({"one": 1}, [{"one": 1}]),
    (None, []),
    (b"bin", [b"bin"]),
])
def test_a_returned_value_is_the_acknowledgement(make_server, node, returned, expected) -> None:
    server = make_server()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        socket.on("ask", lambda *args: returned)

    server.start()
    cid = node.connect(server.url + "/")
    assert node.emit_ack(cid, "ask", "q") == (None, expected)


def test_a_handler_may_call_the_ack_itself(make_server, node) -> None:
    server = make_server()
    late_acks: list = []

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        @socket.on("double")
        def double(number, ack):
            if ack is None:  # the client asked for no acknowledgement
                return "nothing to answer"
            ack(number * 2, "done")
            late_acks.append(ack)
            return "ignored: the ack parameter answers"

    server.start()
    cid = node.connect(server.url + "/")
    assert node.emit_ack(cid, "double", 21) == (None, [42, "done"])
    late_acks[0]("second call is ignored")
    node.emit(cid, "double", 1)
    assert node.emit_ack(cid, "double", 2) == (None, [4, "done"])


def test_several_handlers_for_one_event_all_run(make_server, node) -> None:
    server = make_server()
    calls: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        socket.on("ping", lambda n: calls.put(("first", n)))
        socket.on("ping", lambda n: calls.put(("second", n)))
        removed = socket.on("ping", lambda n: calls.put(("removed", n)))
        socket.off("ping", removed)

    server.start()
    cid = node.connect(server.url + "/")
    node.emit(cid, "ping", 7)
    assert {next_item(calls), next_item(calls)} == {("first", 7), ("second", 7)}
    assert calls.empty()


def test_on_any_and_on_any_outgoing(make_server, node) -> None:
    server = make_server()
    incoming: queue.Queue = queue.Queue()
    outgoing: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        socket.on_any(lambda event, *args: incoming.put((event, args)))
        socket.on_any_outgoing(lambda event, *args: outgoing.put((event, args)))
        socket.on("hello", lambda name: socket.emit("welcome", name, 1))

    server.start()
    cid = node.connect(server.url + "/")
    node.emit(cid, "hello", "bob")
    assert next_item(incoming) == ("hello", ("bob",))
    assert node.event(cid, "welcome") == ["bob", 1]
    assert next_item(outgoing) == ("welcome", ("bob", 1))


def test_a_raising_handler_is_logged_and_the_server_keeps_serving(make_server, node, caplog) -> None:
    server = make_server()
    serve_echo(server)

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        @socket.on("boom")
        def boom():
            raise RuntimeError("handler failure")

    server.start()
    cid = node.connect(server.url + "/")
    with caplog.at_level(logging.ERROR, logger="sio"):
        node.emit(cid, "boom")
        node.emit(cid, "echo", "still alive")
        assert node.event(cid, "echo") == ["still alive"]
    assert any("handler failure" in (record.exc_text or str(record.exc_info))
               for record in caplog.records)
    other = node.connect(server.url + "/")
    node.emit(other, "echo", "new client")
    assert node.event(other, "echo") == ["new client"]


def test_a_reserved_event_name_raises(make_server, node) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    node.connect(server.url + "/")
    socket = next_item(sockets)
    for reserved in ("connect", "disconnect", "disconnecting", "connect_error"):
        with pytest.raises(sio.ReservedEventError):
            socket.emit(reserved)
    with pytest.raises(TypeError):
        socket.emit("x", object())


def test_send_volatile_and_off_any(make_server, node) -> None:
    server = make_server()
    seen: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        listener = socket.on_any(lambda event, *args: seen.put(event))

        @socket.on("quiet")
        def quiet():
            socket.off_any(listener)
            seen.put("quiet handled")

        @socket.on("greet")
        def greet():
            socket.send("hi")
            server.io.send("to everyone")

        # Volatile packets may be dropped while the transport is busy, so
        # each goes alone, to an idle client.
        socket.on("volatile", lambda: socket.volatile.emit("volatile", 1))
        socket.on("volatile-all", lambda: server.io.volatile.emit("volatile-all", 2))

    server.start()
    cid = node.connect(server.url + "/")
    node.emit(cid, "greet")
    assert node.event(cid, "message") == ["hi"]
    assert node.event(cid, "message") == ["to everyone"]
    assert next_item(seen) == "greet"
    node.emit(cid, "volatile")
    assert node.event(cid, "volatile") == [1]
    node.emit(cid, "volatile-all")
    assert node.event(cid, "volatile-all") == [2]
    assert next_item(seen) == "volatile" and next_item(seen) == "volatile-all"
    node.emit(cid, "quiet")
    assert next_item(seen) == "quiet"
    assert next_item(seen) == "quiet handled"
    node.emit(cid, "quiet")
    assert next_item(seen) == "quiet handled"
