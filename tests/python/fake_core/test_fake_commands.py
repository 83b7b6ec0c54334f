"""Commands reach the core with the right targets, flags and payloads, and
its refusals become the right exceptions (against the fake core)."""
from __future__ import annotations

import queue
import threading

import pytest

import sio
from waiting import next_item, wait_until

A, B = "a" * 20, "b" * 20


def two_sockets(fake, server) -> tuple[sio.Socket, sio.Socket]:
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    for sid in (A, B):
        fake.push(fake.SIO_EV_CONNECTION, sid=sid, data={})
    return next_item(sockets), next_item(sockets)


def emitted(fake) -> dict:
    return fake.wait_command("emit")


def test_options_reach_the_core_in_its_keys(fake) -> None:
    io = sio.Server(port=0, ping_interval=10, cors={"origin": "*"}, transports=["websocket"])
    options = fake.wait_command("server_new")["options"]
    assert options["pingInterval"] == "10000" and options["cors.origin"] == "*"
    assert options["transports"] == "websocket" and io.port > 0
    with pytest.raises(sio.InvalidArgumentError, match="bad parser"):
        sio.Server(parser="yaml")
    fake.taken_ports.add(4567)
    with pytest.raises(sio.AddressInUseError, match="4567"):
        sio.Server(port=4567)


def test_broadcast_targets(fake, make_server) -> None:
    server = make_server()
    a, b = two_sockets(fake, server)
    io = server.io
    io.emit("all", 1)
    assert emitted(fake)["to"] == {"nsp": "/", "sid": None, "rooms": [], "except": []}
    io.to("r1").in_(["r2"]).except_("x").emit("some")
    assert emitted(fake)["to"] == {"nsp": "/", "sid": None, "rooms": ["r1", "r2"], "except": ["x"]}
    io.of("/admin").to("r").emit("ns")
    assert emitted(fake)["to"]["nsp"] == "/admin"
    a.broadcast.emit("others")
    assert emitted(fake)["to"] == {"nsp": "/", "sid": None, "rooms": [], "except": [A]}
    a.to("room").emit("room-but-me")
    assert emitted(fake)["to"] == {"nsp": "/", "sid": None, "rooms": ["room"], "except": [A]}
    b.emit("just-b", {"k": memoryview(b"mv")})
    sent = emitted(fake)
    assert sent["to"]["sid"] == B and sent["bins"] == [b"mv"]
    assert sent["args"] == [{"k": {"_placeholder": True, "num": 0}}]
    io.volatile.emit("v")
    assert emitted(fake)["flags"] == fake.SIO_EMIT_VOLATILE
    a.volatile.emit("v")
    assert emitted(fake)["flags"] == fake.SIO_EMIT_VOLATILE
    io.compress(False).emit("c")
    assert emitted(fake)["flags"] == fake.SIO_EMIT_NO_COMPRESS
    a.compress(False).volatile.emit("c")
    assert emitted(fake)["flags"] == fake.SIO_EMIT_NO_COMPRESS | fake.SIO_EMIT_VOLATILE
    io.of("/admin").to("r").compress(False).compress(True).emit("c")
    assert emitted(fake)["flags"] == 0
    io.send("hello")
    assert emitted(fake)["event"] == "message"


def test_rooms_come_from_the_core(fake, make_server) -> None:
    server = make_server()
    a, b = two_sockets(fake, server)
    a.join(["x", "y"])
    # Asked right after the join: the core answers once the join has run.
    assert a.rooms == {A, "x", "y"}
    join = fake.wait_command("join")
    assert (join["to"], join["rooms"]) == ({"nsp": "/", "sid": A, "rooms": [], "except": []},
                                           ["x", "y"])
    a.leave("y")
    assert a.rooms == {A, "x"}
    assert fake.wait_command("leave")["rooms"] == ["y"]
    server.io.in_("x").sockets_join("z")
    assert fake.wait_command("join")["to"]["rooms"] == ["x"]
    assert a.rooms == {A, "x", "z"} and b.rooms == {B}
    # Whatever the core says, nothing mirrored in Python.
    fake.rooms[B].append("joined-elsewhere")
    assert b.rooms == {B, "joined-elsewhere"}
    rooms = a.rooms
    rooms.add("not sent back")
    assert a.rooms == {A, "x", "z"}
    assert fake.rooms_freed > 0 and fake.rooms_handed_out == []


def test_a_disconnected_socket_has_no_rooms(fake, make_server) -> None:
    server = make_server()
    gone: queue.Queue = queue.Queue()
    a, b = two_sockets(fake, server)
    a.on("disconnect", lambda reason: gone.put(reason))
    a.join("x")
    fake.push(fake.SIO_EV_DISCONNECT, sid=A, reason="transport close")
    assert next_item(gone) == "transport close"
    assert a.rooms == set() and not a.connected
    # Gone in the core before the binding saw it: no rooms either.
    fake.rooms.pop(B)
    assert b.rooms == set()


def test_disconnects(fake, make_server) -> None:
    server = make_server()
    a, b = two_sockets(fake, server)
    assert a.disconnect() is a
    assert fake.wait_command("disconnect") == {
        "to": {"nsp": "/", "sid": A, "rooms": [], "except": []}, "close": False,
        "req": fake._req}
    b.disconnect(close=True)
    assert fake.wait_command("disconnect")["close"] is True
    server.io.in_("r").disconnect_sockets(close=True)
    command = fake.wait_command("disconnect")
    assert command["to"]["rooms"] == ["r"] and command["close"] is True


def test_core_refusals_raise_with_the_core_message(fake, make_server) -> None:
    server = make_server()
    a, _ = two_sockets(fake, server)
    with pytest.raises(sio.ReservedEventError, match='"connect" is a reserved event name') as caught:
        a.emit("connect")
    assert caught.value.code == fake.SIO_ERESERVED
    server.io.close()
    wait_until(lambda: server.io.closed)
    with pytest.raises(sio.ClosedError, match="server is closed"):
        server.io.emit("late")


def test_emits_from_several_threads_keep_each_thread_order(fake, make_server) -> None:
    server = make_server()
    a, _ = two_sockets(fake, server)
    start = threading.Barrier(6)

    def emit_many(thread: int) -> None:
        start.wait()
        for n in range(100):
            (a.emit if n % 2 else server.io.emit)("t", thread, n)

    threads = [threading.Thread(target=emit_many, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    order: dict[int, list[int]] = {}
    for kind, command in fake.commands:
        if kind == "emit":
            order.setdefault(command["args"][0], []).append(command["args"][1])
    assert order == {t: list(range(100)) for t in range(6)}


def test_unknown_answer_errors_are_logged(fake, make_server, caplog) -> None:
    server = make_server()
    two_sockets(fake, server)
    seen: queue.Queue = queue.Queue()
    server.io.on("connection", lambda s: seen.put(s))
    fake.push(fake.SIO_EV_ERROR, req=999, err=fake.SIO_ENOTFOUND, reason="no such socket")
    fake.push(fake.SIO_EV_CONNECTION, sid="c" * 20, data={})
    next_item(seen)
    assert any("no such socket" in r.getMessage() for r in caplog.records)
