"""Fixtures: our server in either run mode, the Node.js client driver, and
python-socketio clients."""
from __future__ import annotations

from typing import Any, Callable, Iterator, Union

import pytest

from node_driver import NodeClients
from runners import AsyncRunner, BlockingRunner

Runner = Union[BlockingRunner, AsyncRunner]
RUNNERS = {"blocking": BlockingRunner, "asyncio": AsyncRunner}


@pytest.fixture(params=sorted(RUNNERS))
def make_server(request: pytest.FixtureRequest) -> Iterator[Callable[..., Runner]]:
    """make_server(**options) -> a runner (not started) in each run mode."""
    made: list[Runner] = []

    def make(**options: Any) -> Runner:
        runner = RUNNERS[request.param](**options)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.stop()


@pytest.fixture
def node() -> Iterator[NodeClients]:
    clients = NodeClients()
    yield clients
    clients.close()


@pytest.fixture
def py_clients() -> Iterator[Callable[..., Any]]:
    """py_clients() -> a python-socketio Client, disconnected at the end."""
    import socketio

    made: list[Any] = []

    def make(**options: Any) -> Any:
        client = socketio.Client(reconnection=False, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        if client.connected:
            client.disconnect()
