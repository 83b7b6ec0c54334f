"""Events from the core reach the right handlers, in both run modes
(against the fake core)."""
from __future__ import annotations

import logging
import queue

import pytest

import sio
from waiting import next_item

SID = "s" * 20
HANDSHAKE = {"auth": {"token": "t"}, "query": {"EIO": "4"}, "headers": {}}


def connect(fake, sid: str = SID, nsp: str = "/") -> None:
    fake.push(fake.SIO_EV_CONNECTION, nsp=nsp, sid=sid, data=HANDSHAKE)


def test_connection_makes_a_socket(fake, make_server) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    connect(fake)
    socket = next_item(sockets)
    assert (socket.id, socket.handshake, socket.nsp.name) == (SID, HANDSHAKE, "/")
    assert socket.rooms == {SID} and socket.connected and socket.data == {}
    assert server.io.sockets.sockets == {SID: socket}


def test_event_arguments_with_binary_and_acks_by_return(fake, make_server) -> None:
    server = make_server()
    got: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket):
        @socket.on("upload")
        def upload(name, blob):
            got.put((name, blob))
            return "ok", b"\x01"

    server.start()
    connect(fake)
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="upload", ack_id=3,
              data=["f", {"_placeholder": True, "num": 0}], bins=(b"\x00\xff",))
    assert next_item(got) == ("f", b"\x00\xff")
    ack = fake.wait_command("ack")
    assert (ack["sid"], ack["ack_id"]) == (SID, 3)
    assert ack["args"] == ["ok", {"_placeholder": True, "num": 0}]
    assert ack["bins"] == [b"\x01"]


@pytest.mark.parametrize("returned,args", [(None, []), (5, [5]), ((1, 2), [1, 2]),
                                           ([1, 2], [[1, 2]])])
def test_return_values_become_ack_arguments(fake, make_server, returned, args) -> None:
    server = make_server()
    server.io.on("connection", lambda s: s.on("q", lambda: returned))
    server.start()
    connect(fake)
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="q", ack_id=0, data=[])
    assert fake.wait_command("ack")["args"] == args


def test_ack_parameter_is_called_once(fake, make_server) -> None:
    server = make_server()
    acks: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket):
        @socket.on("q")
        def q(x, ack):
            acks.put(ack)
            if ack is not None:
                ack(x + 1)
                ack(x + 2)

    server.start()
    connect(fake)
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="q", ack_id=9, data=[1])
    assert isinstance(next_item(acks), sio.Ack)
    assert fake.wait_command("ack")["args"] == [2]
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="q", data=[1])
    assert next_item(acks) is None
    assert not [c for c in fake.commands if c[0] == "ack"]


def test_on_any_off_and_outgoing(fake, make_server) -> None:
    server = make_server()
    seen: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket):
        socket.on_any(lambda event, *args: seen.put(("any", event, args)))
        socket.on_any_outgoing(lambda event, *args: seen.put(("out", event, args)))
        dropped = socket.on("e", lambda *a: seen.put(("dropped",)))
        socket.off("e", dropped)
        socket.on("e", lambda *a: socket.emit("reply", *a))

    server.start()
    connect(fake)
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="e", data=[1, "a"])
    assert next_item(seen) == ("any", "e", (1, "a"))
    assert next_item(seen) == ("out", "reply", (1, "a"))
    emit = fake.wait_command("emit")
    assert emit["to"]["sid"] == SID and emit["event"] == "reply" and emit["args"] == [1, "a"]
    assert seen.empty()


def test_raising_handlers_are_logged_and_serving_goes_on(fake, make_server, caplog) -> None:
    server = make_server()
    seen: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket):
        socket.on("bad", lambda: 1 / 0)
        socket.on("good", lambda: seen.put("good"))

    server.start()
    connect(fake)
    with caplog.at_level(logging.ERROR, logger="sio"):
        fake.push(fake.SIO_EV_EVENT, sid=SID, name="bad", ack_id=1, data=[])
        fake.push(fake.SIO_EV_EVENT, sid=SID, name="good", data=[])
        assert next_item(seen) == "good"
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)
    assert not [c for c in fake.commands if c[0] == "ack"]


def test_disconnecting_then_disconnect(fake, make_server) -> None:
    server = make_server()
    seen: queue.Queue = queue.Queue()
    sockets: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket):
        sockets.put(socket)
        socket.on("disconnecting", lambda reason: seen.put(("disconnecting", reason, socket.connected)))
        socket.on("disconnect", lambda reason: seen.put(("disconnect", reason, socket.connected)))

    server.start()
    connect(fake)
    socket = next_item(sockets)
    fake.push(fake.SIO_EV_DISCONNECTING, sid=SID, reason="transport close", data=[SID])
    fake.push(fake.SIO_EV_DISCONNECT, sid=SID, reason="transport close")
    assert next_item(seen) == ("disconnecting", "transport close", True)
    assert next_item(seen) == ("disconnect", "transport close", False)
    assert server.io.sockets.sockets == {}
    with pytest.raises(sio.DisconnectedError):
        socket.emit("late")


def test_namespaces_are_declared_and_dispatched_apart(fake, make_server) -> None:
    server = make_server()
    seen: queue.Queue = queue.Queue()
    chat = server.io.of("/chat")
    assert fake.wait_command("of", lambda c: c["name"] == "/chat")["flags"] == 0
    chat.on("connection", lambda s: seen.put(("chat", s.nsp.name)))
    server.io.on("connection", lambda s: seen.put(("main", s.nsp.name)))
    server.start()
    connect(fake, nsp="/chat")
    connect(fake, sid="m" * 20)
    assert next_item(seen) == ("chat", "/chat")
    assert next_item(seen) == ("main", "/")
    assert server.io.of("chat") is chat  # the "/" added, as in socket.io


def test_coroutine_handlers_need_the_async_server(fake, caplog) -> None:
    from runners import BlockingRunner

    server = BlockingRunner()

    async def on_connection(socket):
        pass

    server.io.on("connection", on_connection)
    server.start()
    try:
        connect(fake)
        fake.push(fake.SIO_EV_EVENT, sid=SID, name="x", data=[])
        server.io.stop()
        server._thread.join(5)
        assert any("AsyncServer" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
    finally:
        server.stop()


def test_undecodable_events_are_logged_and_the_pump_goes_on(fake, make_server, caplog) -> None:
    server = make_server()
    seen: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket):
        seen.put(socket.id)
        socket.on("e", lambda *args: seen.put(args))

    server.start()
    fake.push(fake.SIO_EV_CONNECTION, sid="x" * 20, raw_data=b"{not json")
    connect(fake)
    assert next_item(seen) == SID
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="e", raw_data=b"[1,")
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="e", data=[2])
    assert next_item(seen) == (2,)
    assert len([r for r in caplog.records if r.levelname == "ERROR"]) == 2
