"""Fixtures: our server in either run mode, the Node.js client driver, and
python-socketio clients."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from node_driver import NodeClients

# The tests under fake_core/ put a fake core in place before sio is imported,
# so nothing here imports sio (runners does) at module level.


@pytest.fixture(params=["asyncio", "blocking"])
def make_server(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """make_server(**options) -> a runner (not started) in each run mode."""
    from runners import AsyncRunner, BlockingRunner

    kinds = {"blocking": BlockingRunner, "asyncio": AsyncRunner}
    made: list[Any] = []

    def make(**options: Any) -> Any:
        runner = kinds[request.param](**options)
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
