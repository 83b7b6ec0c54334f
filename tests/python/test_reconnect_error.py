"""The Manager's "reconnect_error" (SIO_EV_RECONNECT_ERROR) with a real core:
a client whose server went away gets it after a failed attempt."""
from __future__ import annotations

import queue
from typing import Any, Callable, Iterator

import pytest

import sio
from client_runners import AsyncClientRunner, BlockingClientRunner, NodeServer
from waiting import next_item


@pytest.fixture(params=[BlockingClientRunner, AsyncClientRunner], ids=lambda kind: kind.mode)
def make_client(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    made: list[Any] = []

    def make(url: str, **options: Any) -> Any:
        runner = request.param(url, **options)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.stop()


def test_each_failed_attempt_reports_reconnect_error(make_client) -> None:
    server = NodeServer()
    runner = make_client(server.url, reconnection_attempts=2, reconnection_delay=0.1,
                         reconnection_delay_max=0.2, transports=["websocket"])
    seen: queue.Queue = queue.Queue()
    for name in ("connect", "disconnect", "reconnect_attempt", "reconnect_error",
                 "reconnect_failed"):
        runner.client.on(name, lambda *args, name=name: seen.put((name, *args)))
    runner.start()
    assert next_item(seen) == ("connect",)
    server.stop()
    assert next_item(seen) == ("disconnect", "transport close")
    assert next_item(seen) == ("reconnect_attempt", 1)
    name, error = next_item(seen)
    assert name == "reconnect_error"
    # As connect_error delivers a failed attempt: the exception, with the
    # core's reason as its message.
    assert isinstance(error, sio.ConnectionRefusedError)
    assert error.message and str(error) == error.message
    assert next_item(seen) == ("reconnect_attempt", 2)
    # The core reports the last attempt's error after reconnect_failed (as
    # socket.io-client does), by which time wait() has ended: not awaited here.
    assert next_item(seen) == ("reconnect_failed",)
    assert runner.finished()
