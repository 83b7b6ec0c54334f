"""The blocking Client runs its handlers on a background thread, as
python-socketio's Client does: events arrive while no thread of the program
waits in it; Client(background=False) keeps them for a thread that waits;
wait(), disconnect() and close() end that thread, and no handler runs after
close() returns."""
from __future__ import annotations

import queue
import threading
import time
from typing import Any, Iterator

import pytest

import sio
from runners import BlockingRunner
from waiting import next_item, wait_until


@pytest.fixture
def server() -> Iterator[Any]:
    runner = BlockingRunner()
    sockets: queue.Queue = queue.Queue()
    runner.io.on("connection", lambda socket: sockets.put(socket))
    runner.io.on("connection", lambda socket: socket.on("double", lambda n: n * 2))
    runner.sockets = sockets
    runner.start()
    yield runner
    runner.stop()


def pump_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sio.Client pump"]


def test_handlers_run_on_a_background_thread_after_connect(server) -> None:
    client = sio.Client(reconnection=False)
    seen: queue.Queue = queue.Queue()
    client.on("tick", lambda n: seen.put((n, threading.current_thread().name)))

    def ask_back(n: int) -> Any:
        # A blocking call inside a handler: the background thread pumps for it.
        return client.timeout(5).emit_with_ack("double", n)
    client.on("ask", ask_back)
    client.connect(server.url, transports=["websocket"], wait_timeout=10)
    socket = next_item(server.sockets)
    socket.emit("tick", 1)
    assert next_item(seen) == (1, "sio.Client pump")
    assert server.resolve(socket.timeout(5).emit_with_ack("ask", 21)) == 42
    assert client.timeout(5).emit_with_ack("double", 4) == 8
    client.close()
    assert client._pump_thread is None


def test_client_url_starts_it_at_wait_connected(server) -> None:
    client = sio.Client(server.url, reconnection=False)
    seen: queue.Queue = queue.Queue()
    client.on("tick", lambda n: seen.put(n))
    client.wait_connected(10)
    next_item(server.sockets).emit("tick", 2)
    assert next_item(seen) == 2
    client.disconnect()
    client.wait()
    wait_until(lambda: client._pump_thread is None)
    client.close()


def test_background_false_runs_handlers_only_in_a_waiting_thread(server) -> None:
    client = sio.Client(server.url, reconnection=False, background=False)
    seen: list = []

    def tick(n: int) -> None:
        seen.append((n, threading.current_thread() is threading.main_thread()))
        client.close()
    client.on("tick", tick)
    client.wait_connected(10)
    assert client._pump_thread is None
    next_item(server.sockets).emit("tick", 3)
    time.sleep(0.3)
    assert seen == []
    client.wait()
    assert seen == [(3, True)]


def test_nothing_runs_after_close(server) -> None:
    before = len(pump_threads())
    client = sio.Client(server.url, reconnection=False)
    calls: list = []
    client.on("disconnect", lambda reason: (time.sleep(0.2), calls.append(reason)))
    client.on("tick", lambda n: calls.append(n))
    client.wait_connected(10)
    next_item(server.sockets)
    assert len(pump_threads()) == before + 1
    client.close()
    assert calls == ["io client disconnect"]
    assert len(pump_threads()) == before
    server.io.emit("tick", 4)
    time.sleep(0.2)
    assert calls == ["io client disconnect"]
    client.wait()


def test_stop_returns_wait_while_handlers_go_on(server) -> None:
    client = sio.Client(server.url, reconnection=False)
    seen: queue.Queue = queue.Queue()
    client.on("tick", lambda n: seen.put(n))
    client.wait_connected(10)
    threading.Timer(0.1, client.stop).start()
    client.wait()
    next_item(server.sockets).emit("tick", 5)
    assert next_item(seen) == 5
    client.close()
