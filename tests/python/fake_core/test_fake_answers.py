"""Answers to commands: acknowledgements (callback and emit_with_ack, one
socket and broadcast) and fetch_sockets (against the fake core)."""
from __future__ import annotations

import asyncio
import queue
import threading

import pytest

import sio
from runners import AsyncRunner, BlockingRunner
from waiting import next_item

A = "a" * 20


def one_socket(fake, server) -> sio.Socket:
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    fake.push(fake.SIO_EV_CONNECTION, sid=A, data={"auth": {}})
    return next_item(sockets)


def answer(fake, command, data, err=0, reason=None, broadcast=False, bins=()):
    fake.push(fake.SIO_EV_ACK, req=command["req"], sid=A, data=data, err=err, reason=reason,
              flags=fake.SIO_EVF_BROADCAST if broadcast else 0, bins=bins)


def test_callback_forms(fake, make_server) -> None:
    server = make_server()
    socket = one_socket(fake, server)
    calls: queue.Queue = queue.Queue()
    socket.emit("q", callback=lambda *args: calls.put(("plain", args)))
    command = fake.wait_command("emit")
    assert command["flags"] == fake.SIO_EMIT_ACK and command["timeout_ms"] == 0
    answer(fake, command, [1, {"_placeholder": True, "num": 0}], bins=(b"b",))
    assert next_item(calls) == ("plain", (1, b"b"))
    socket.timeout(1.5).emit("q", callback=lambda err, *args: calls.put((err, args)))
    command = fake.wait_command("emit")
    assert command["timeout_ms"] == 1500
    answer(fake, command, [], err=fake.SIO_ETIMEDOUT, reason="operation has timed out")
    err, args = next_item(calls)
    assert isinstance(err, sio.AckTimeoutError) and err.message == "operation has timed out"
    server.io.timeout(2).emit("vote", callback=lambda err, res: calls.put((err, res)))
    command = fake.wait_command("emit")
    assert command["to"]["sid"] is None and command["flags"] == fake.SIO_EMIT_ACK
    answer(fake, command, ["yes", "no"], broadcast=True)
    assert next_item(calls) == (None, ["yes", "no"])


def test_emit_with_ack_from_another_thread(fake, make_server) -> None:
    server = make_server()
    socket = one_socket(fake, server)
    results: queue.Queue = queue.Queue()

    def ask() -> None:
        try:
            results.put(server.resolve(socket.timeout(5).emit_with_ack("q", 1)))
        except Exception as error:
            results.put(error)

    for data, expected in (([7], 7), ([1, 2], (1, 2)), ([], None)):
        threading.Thread(target=ask).start()
        answer(fake, fake.wait_command("emit"), data)
        assert next_item(results) == expected
    threading.Thread(target=ask).start()
    answer(fake, fake.wait_command("emit"), [], err=fake.SIO_EDISCONNECTED, reason="gone")
    assert isinstance(next_item(results), sio.DisconnectedError)


def test_broadcast_emit_with_ack_and_partial_timeout(fake, make_server) -> None:
    server = make_server()
    one_socket(fake, server)
    results: queue.Queue = queue.Queue()

    def ask() -> None:
        try:
            results.put(server.resolve(server.io.to("r").timeout(1).emit_with_ack("vote")))
        except sio.AckTimeoutError as error:
            results.put(("timeout", error.responses))

    threading.Thread(target=ask).start()
    answer(fake, fake.wait_command("emit"), ["a", "b"], broadcast=True)
    assert next_item(results) == ["a", "b"]
    threading.Thread(target=ask).start()
    answer(fake, fake.wait_command("emit"), ["a"], broadcast=True,
           err=fake.SIO_ETIMEDOUT, reason="operation has timed out")
    assert next_item(results) == ("timeout", ["a"])


def test_fetch_sockets(fake, make_server) -> None:
    server = make_server()
    socket = one_socket(fake, server)
    socket.data = {"user": "u"}
    results: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: results.put(
        server.resolve(server.io.in_("r").fetch_sockets()))).start()
    command = fake.wait_command("fetch")
    assert command["to"]["rooms"] == ["r"]
    fake.push(fake.SIO_EV_SOCKETS, req=command["req"], data=[
        {"id": A, "nsp": "/", "rooms": [A, "r"], "handshake": {"auth": {}}}])
    [found] = next_item(results)
    assert (found.id, found.rooms, found.data, found.handshake) == (A, {A, "r"}, {"user": "u"},
                                                                    {"auth": {}})
    found.emit("direct")
    assert fake.wait_command("emit")["to"]["sid"] == A


def test_blocking_wait_inside_a_handler_keeps_other_events(fake) -> None:
    server = BlockingRunner()
    seen: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket):
        @socket.on("relay")
        def relay():
            seen.put("relay starts")
            result = socket.timeout(5).emit_with_ack("inner")
            seen.put(("relay got", result))
            return result

        socket.on("other", lambda: seen.put("other"))

    server.start()
    try:
        fake.push(fake.SIO_EV_CONNECTION, sid=A, data={})
        fake.push(fake.SIO_EV_EVENT, sid=A, name="relay", ack_id=1, data=[])
        assert next_item(seen) == "relay starts"
        command = fake.wait_command("emit")
        fake.push(fake.SIO_EV_EVENT, sid=A, name="other", data=[])
        answer(fake, command, ["inner answer"])
        assert next_item(seen) == ("relay got", "inner answer")
        assert next_item(seen) == "other"
        assert fake.wait_command("ack")["args"] == ["inner answer"]
    finally:
        server.stop()


def test_blocking_wait_inside_a_handler_keeps_the_rest_of_its_batch(fake) -> None:
    """The events after "relay" are taken from the core in the same batch;
    the wait inside relay's handler must not lose them or read them after the
    core has released them."""
    server = BlockingRunner()
    seen: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket):
        socket.on("relay", lambda: seen.put(("relay got", socket.timeout(5).emit_with_ack("x"))))
        socket.on("other", lambda n: seen.put(("other", n)))

    fake.push(fake.SIO_EV_CONNECTION, sid=A, data={})
    fake.push(fake.SIO_EV_EVENT, sid=A, name="relay", data=[])
    for n in range(3):
        fake.push(fake.SIO_EV_EVENT, sid=A, name="other", data=[n])
    server.start()
    try:
        answer(fake, fake.wait_command("emit"), ["answer"])
        assert [next_item(seen) for _ in range(4)] == [
            ("relay got", "answer"), ("other", 0), ("other", 1), ("other", 2)]
    finally:
        server.stop()


def test_blocking_wait_before_run_pumps_in_the_calling_thread(fake) -> None:
    io = sio.Server(port=0)
    fake.push(fake.SIO_EV_SOCKETS, req=fake._req + 1, data=[])
    assert io.fetch_sockets() == []


def test_awaited_acks_in_coroutine_handlers(fake) -> None:
    server = AsyncRunner()

    @server.io.on("connection")
    def on_connection(socket):
        @socket.on("relay")
        async def relay(x):
            answer_ = await socket.timeout(5).emit_with_ack("inner", x)
            everyone = await server.io.timeout(5).emit_with_ack("all")
            await asyncio.sleep(0)
            return answer_, everyone

    server.start()
    try:
        fake.push(fake.SIO_EV_CONNECTION, sid=A, data={})
        fake.push(fake.SIO_EV_EVENT, sid=A, name="relay", ack_id=4, data=[3])
        answer(fake, fake.wait_command("emit", lambda c: c["event"] == "inner"), [30])
        answer(fake, fake.wait_command("emit", lambda c: c["event"] == "all"), [1, 2],
               broadcast=True)
        assert fake.wait_command("ack")["args"] == [30, [1, 2]]
    finally:
        server.stop()


def test_broadcast_acks_need_a_timeout(fake, make_server) -> None:
    server = make_server()
    one_socket(fake, server)
    with pytest.raises(ValueError):
        server.io.emit("x", callback=print)
    with pytest.raises(ValueError):
        server.io.to("r").emit_with_ack("x")
