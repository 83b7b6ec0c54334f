"""The client's life across failures: wait_connected() through
reconnection, the types of a network failure and of a refusal, wait()
ending once nothing will connect again; both run modes, against the
official Node.js server (restarted on the same port) and our own."""
from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import pytest

import sio
from client_runners import NodeServer, PythonServer

RETRY = {"reconnection_delay": 0.1, "reconnection_delay_max": 0.2,
         "transports": ["websocket"]}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def later(seconds: float, start: Any) -> dict[str, Any]:
    """Runs start() after seconds in a thread; the result lands in ["value"]."""
    box: dict[str, Any] = {}
    timer = threading.Timer(seconds, lambda: box.setdefault("value", start()))
    timer.start()
    box["timer"] = timer
    return box


def started(box: dict[str, Any]) -> Any:
    box["timer"].join(20)
    return box["value"]


def wait_connected(kind: str, url: str, scenario: Any, **options: Any) -> list[Any]:
    """Makes a client of kind and runs scenario(client, wait_connected) in
    the right way for it; returns the connect_error values seen."""
    seen: list[Any] = []
    if kind == "blocking":
        client = sio.Client(url, **options)
        client.on("connect_error", seen.append)
        try:
            scenario(client, client.wait_connected)
        finally:
            client.close()
        return seen

    async def main() -> None:
        aclient = sio.AsyncClient(url, **options)
        aclient.on("connect_error", seen.append)
        loop = asyncio.get_running_loop()

        def connected(timeout: float) -> Any:
            return asyncio.run_coroutine_threadsafe(aclient.wait_connected(timeout),
                                                    loop).result()
        try:
            await loop.run_in_executor(None, scenario, aclient, connected)
        finally:
            aclient.close()
            await asyncio.wait_for(aclient.wait(), 10)

    asyncio.run(main())
    return seen


@pytest.mark.parametrize("kind", ["blocking", "asyncio"])
def test_wait_connected_waits_through_reconnection(kind) -> None:
    port = free_port()
    servers: list[NodeServer] = []

    lost = threading.Event()

    def scenario(client: Any, connected: Any) -> None:
        client.on("disconnect", lambda reason: lost.set())
        # Nothing listens yet: the first attempts fail, the client retries.
        box = later(0.8, lambda: NodeServer(port))
        assert connected(15) is client and client.connected
        servers.append(started(box))
        # A server restart: the attempts while it is down fail, and no
        # earlier error is raised now.
        servers.pop().stop()
        box = later(0.8, lambda: NodeServer(port))
        while not lost.is_set():  # (a blocking client pumps only in here)
            try:
                connected(0.05)
            except TimeoutError:
                pass
        assert connected(15) is client and client.connected
        servers.append(started(box))

    try:
        seen = wait_connected(kind, f"http://127.0.0.1:{port}", scenario, **RETRY)
    finally:
        for server in servers:
            server.stop()
    assert seen, "no failed attempt was reported"
    for error in seen:
        assert isinstance(error, sio.ConnectionFailedError), error
        assert isinstance(error, ConnectionError) and isinstance(error, sio.SioError)
        assert not isinstance(error, sio.ConnectionRefusedError)


@pytest.mark.parametrize("kind", ["blocking", "asyncio"])
@pytest.mark.parametrize("options", [{"reconnection": False}, {"reconnection_attempts": 2}])
def test_wait_connected_raises_the_failure_once_reconnection_ends(kind, options) -> None:
    def scenario(client: Any, connected: Any) -> None:
        with pytest.raises(sio.ConnectionFailedError) as caught:
            connected(15)
        assert isinstance(caught.value, ConnectionError)
        assert "ECONNREFUSED" in caught.value.message

    wait_connected(kind, f"http://127.0.0.1:{free_port()}", scenario, **{**RETRY, **options})


@pytest.mark.parametrize("kind", ["blocking", "asyncio"])
def test_wait_connected_times_out_while_attempts_fail(kind) -> None:
    def scenario(client: Any, connected: Any) -> None:
        with pytest.raises(TimeoutError, match="ECONNREFUSED"):
            connected(0.8)

    seen = wait_connected(kind, f"http://127.0.0.1:{free_port()}", scenario, **RETRY)
    assert len(seen) >= 2


@pytest.fixture(scope="module", params=["node", "python"])
def server(request: pytest.FixtureRequest) -> Any:
    running = NodeServer() if request.param == "node" else PythonServer()
    yield running
    running.stop()


@pytest.mark.parametrize("kind", ["blocking", "asyncio"])
@pytest.mark.parametrize("path, message", [("/private", "not authorized"),
                                           ("/nowhere", "Invalid namespace")])
def test_wait_ends_after_a_refusal_with_reconnection_on(server, kind, path, message) -> None:
    seen: list[Any] = []
    if kind == "blocking":
        client = sio.Client(server.url + path, auth={"token": "bad"})
        client.on("connect_error", seen.append)
        waiting = threading.Thread(target=client.wait, daemon=True)
        waiting.start()
        waiting.join(10)
        assert not waiting.is_alive(), "wait() did not return"
    else:
        async def main() -> None:
            aclient = sio.AsyncClient(server.url + path, auth={"token": "bad"})
            aclient.on("connect_error", seen.append)
            await asyncio.wait_for(aclient.wait(), 10)
        asyncio.run(main())
    [error] = seen
    assert isinstance(error, sio.ConnectionRefusedError) and error.message == message
    assert not isinstance(error, sio.ConnectionFailedError)


def test_wait_connected_and_wait_while_another_thread_pumps(server) -> None:
    client = sio.Client(server.url, reconnection=False)
    pumping = threading.Thread(target=client.wait, daemon=True)
    pumping.start()
    try:
        # The handlers run in the pumping thread; these calls wait for it.
        assert client.wait_connected(10) is client and client.connected
        second = threading.Thread(target=client.wait, daemon=True)
        second.start()
        client.close()
        second.join(10)
        assert not second.is_alive(), "the second wait() did not return"
    finally:
        client.close()
        pumping.join(10)
    assert not pumping.is_alive()
