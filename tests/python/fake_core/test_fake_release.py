"""Host tags and the end of a handle's life (against the fake core): events
find their Server, Client and Socket through ev->user / ev->socket_user, and a
closed object releases the core's handle (sio_server_free /
sio_client_free) once it is done, after which nothing reaches the core."""
from __future__ import annotations

import queue
import threading

import pytest

import sio
from sio._handle import Handle
from sio._native import ffi
from waiting import next_item, wait_until

A = "a" * 20
CID = "c" * 20


def test_a_socket_is_found_by_its_tag_and_before_it_has_one(fake, make_server) -> None:
    server = make_server()
    got: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket):
        socket.on("m", lambda n: got.put((socket, n)))

    # Both in one batch: the message is taken before the tag is set.
    fake.push(fake.SIO_EV_CONNECTION, sid=A, data={})
    fake.push(fake.SIO_EV_EVENT, sid=A, name="m", data=[1])
    server.start()
    socket, n = next_item(got)
    assert n == 1 and ffi.from_handle(fake.socket_users[A]) is socket
    # Now by the tag alone: a namespace no lookup would find does not matter.
    fake.push(fake.SIO_EV_EVENT, nsp="/elsewhere", sid=A, name="m", data=[2])
    assert next_item(got) == (socket, 2)
    assert ffi.from_handle(fake.users[100]) is server.io


def test_a_closed_server_is_released_and_refuses_commands(fake, make_server) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    fake.push(fake.SIO_EV_CONNECTION, sid=A, data={})
    socket = next_item(sockets)
    answers: queue.Queue = queue.Queue()
    socket.timeout(5).emit("q", callback=lambda err, *values: answers.put(err))
    fake.wait_command("emit")
    server.io.close()
    fake.wait_command("server_free")
    wait_until(lambda: server.io.closed)
    # The core will not answer now: the binding does.
    assert isinstance(next_item(answers), sio.ClosedError)
    with pytest.raises(sio.ClosedError, match="released"):
        server.io.emit("late")
    server.io.close()  # a second close() does nothing, as in python-socketio
    assert [kind for kind, _ in fake.commands if kind in ("emit", "close")] == ["close"]


@pytest.mark.parametrize("mode", ["blocking", "asyncio"])
def test_a_closed_client_is_released_once_its_sockets_left(fake, mode) -> None:
    from client_runners import AsyncClientRunner, BlockingClientRunner

    runner = (BlockingClientRunner if mode == "blocking" else AsyncClientRunner)("http://h:1")
    client = runner.client
    left: queue.Queue = queue.Queue()
    client.on("disconnect", left.put)
    runner.start()
    fake.push(fake.SIO_EV_CONNECT, sid=CID, client=True)
    wait_until(lambda: client.connected)
    answers: queue.Queue = queue.Queue()
    client.emit("q", callback=lambda *values: answers.put(values))
    fake.wait_command("client_emit")
    runner.stop()  # close(), then the core reports the disconnect
    assert next_item(left) == "io client disconnect"
    fake.wait_command("client_free")
    with pytest.raises(sio.ClosedError, match="released"):
        client.emit("late")
    assert client._requests.take_all() == []


def test_a_blocking_client_never_connected_is_released_at_close(fake) -> None:
    client = sio.Client("http://h:1")
    client.close()
    fake.wait_command("client_free", timeout=0)
    with pytest.raises(sio.ClosedError):
        client.socket("/other")


def test_a_handle_is_released_once_and_never_used_after() -> None:
    released: list[int] = []
    used: list[tuple[int, ...]] = []
    handle = Handle(7, released.append, "thing")
    assert handle.call(lambda ptr, x: used.append((ptr, x)) or 0, 1) == 0
    handle.free()
    handle.free()
    assert released == [7] and handle.freed
    with pytest.raises(sio.ClosedError, match="thing is closed"):
        handle.call(lambda ptr: used.append((ptr,)) or 0)
    assert used == [(7, 1)]


def test_commands_racing_the_release_either_run_or_raise(fake) -> None:
    client = sio.Client("http://h:1")
    outcomes: list[str] = []
    start = threading.Barrier(5)

    def emit_many() -> None:
        start.wait()
        for _ in range(200):
            try:
                client.emit("x")
                outcomes.append("sent")
            except sio.ClosedError:
                outcomes.append("closed")

    threads = [threading.Thread(target=emit_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    start.wait()
    client.close()
    for thread in threads:
        thread.join()
    sent = sum(1 for kind, _ in fake.commands if kind == "client_emit")
    assert sent == outcomes.count("sent") and len(outcomes) == 800
    assert [kind for kind, _ in fake.commands if kind == "client_free"] == ["client_free"]
