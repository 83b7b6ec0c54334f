"""SIO_EV_EVENTS_LOST, which names neither a server nor a client, reaches the
"events_lost" handlers of servers and clients, or the "sio" log when there
are none (against the fake core)."""
from __future__ import annotations

import logging
import queue
from typing import Any, Callable, Iterator

import pytest

from client_runners import AsyncClientRunner, BlockingClientRunner
from runners import BlockingRunner
from waiting import next_item

A = "a" * 20
CLIENT_RUNNERS = {"blocking": BlockingClientRunner, "asyncio": AsyncClientRunner}


@pytest.fixture(params=sorted(CLIENT_RUNNERS))
def make_client(request: pytest.FixtureRequest, fake) -> Iterator[Callable[..., Any]]:
    made: list[Any] = []

    def make() -> Any:
        runner = CLIENT_RUNNERS[request.param]("http://h:1")
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.stop()


def lost(fake, count: int) -> None:
    fake.push(fake.SIO_EV_EVENTS_LOST, nsp=None, count=count, context=True)


def lost_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "sio" and r.levelno == logging.WARNING and "events lost" in r.getMessage()]


def test_server_handler_gets_the_count_in_order(fake, make_server, caplog) -> None:
    server = make_server()
    seen: queue.Queue = queue.Queue()
    server.io.on("events_lost", lambda count: seen.put(("lost", count)))
    server.io.on("connection", lambda socket: seen.put(("connection", socket.id)))
    server.start()
    lost(fake, 7)
    fake.push(fake.SIO_EV_CONNECTION, sid=A, data={})
    assert [next_item(seen), next_item(seen)] == [("lost", 7), ("connection", A)]
    assert lost_warnings(caplog) == []


def test_server_without_handler_logs_a_warning(fake, make_server, caplog) -> None:
    server = make_server()
    seen: queue.Queue = queue.Queue()
    server.io.on("connection", lambda socket: seen.put(socket.id))
    server.start()
    with caplog.at_level(logging.WARNING, logger="sio"):
        lost(fake, 3)
        fake.push(fake.SIO_EV_CONNECTION, sid=A, data={})
        assert next_item(seen) == A
    warnings = lost_warnings(caplog)
    assert len(warnings) == 1 and warnings[0].startswith("libsio: events lost: 3 ")


def test_blocking_wait_inside_a_handler_keeps_the_report(fake) -> None:
    """A report that comes while a handler waits for its answer is kept and
    handled after it, as every other event is."""
    server = BlockingRunner()
    seen: queue.Queue = queue.Queue()
    server.io.on("events_lost", lambda count: seen.put(("lost", count)))

    @server.io.on("connection")
    def on_connection(socket):
        socket.on("relay", lambda: seen.put(("relay got", socket.timeout(5).emit_with_ack("x"))))

    server.start()
    try:
        fake.push(fake.SIO_EV_CONNECTION, sid=A, data={})
        fake.push(fake.SIO_EV_EVENT, sid=A, name="relay", data=[])
        command = fake.wait_command("emit")
        lost(fake, 2)
        fake.push(fake.SIO_EV_ACK, req=command["req"], sid=A, data=["answer"])
        assert [next_item(seen), next_item(seen)] == [("relay got", "answer"), ("lost", 2)]
    finally:
        server.stop()


def test_client_handler_gets_the_count_in_order(fake, make_client, caplog) -> None:
    runner = make_client()
    seen: queue.Queue = queue.Queue()
    runner.client.on("events_lost", lambda count: seen.put(("lost", count)))
    runner.client.on("connect", lambda: seen.put(("connect",)))
    runner.start()
    lost(fake, 65536)
    fake.push(fake.SIO_EV_CONNECT, sid=A, client=True)
    assert [next_item(seen), next_item(seen)] == [("lost", 65536), ("connect",)]
    assert lost_warnings(caplog) == []


def test_client_without_handler_logs_a_warning(fake, make_client, caplog) -> None:
    runner = make_client()
    seen: queue.Queue = queue.Queue()
    runner.client.on("connect", lambda: seen.put("connect"))
    runner.start()
    with caplog.at_level(logging.WARNING, logger="sio"):
        lost(fake, 1)
        fake.push(fake.SIO_EV_CONNECT, sid=A, client=True)
        assert next_item(seen) == "connect"
    warnings = lost_warnings(caplog)
    assert len(warnings) == 1 and warnings[0].startswith("libsio: events lost: 1 ")
