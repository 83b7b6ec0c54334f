"""Our client (both run modes) against the official Node.js server and
against our own server."""
from __future__ import annotations

import queue
from typing import Any, Callable, Iterator

import pytest

import sio
from client_runners import AsyncClientRunner, BlockingClientRunner, NodeServer, PythonServer
from waiting import next_item, wait_until

SERVERS = {"node": NodeServer, "python": PythonServer}
CLIENTS = {"blocking": BlockingClientRunner, "asyncio": AsyncClientRunner}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(request: pytest.FixtureRequest) -> Iterator[Any]:
    running = SERVERS[request.param]()
    yield running
    running.stop()


@pytest.fixture(params=sorted(CLIENTS))
def make_client(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    made: list[Any] = []

    def make(url: str, **options: Any) -> Any:
        runner = CLIENTS[request.param](url, **options)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.stop()


def test_connects_with_auth_and_gets_events(server, make_client) -> None:
    runner = make_client(server.url, auth={"token": "abc"}, transports=["websocket"])
    seen: queue.Queue = queue.Queue()
    runner.client.on("connect", lambda: seen.put("connect"))
    runner.client.on("auth", seen.put)
    runner.start()
    assert next_item(seen) == "connect"
    assert next_item(seen) == {"token": "abc"}
    assert runner.client.connected and len(runner.client.id) == 20


@pytest.mark.parametrize("transports", [["polling"], ["websocket"], ["polling", "websocket"]])
def test_emits_and_binary_both_ways(server, make_client, transports) -> None:
    runner = make_client(server.url, transports=transports)
    echoes: queue.Queue = queue.Queue()
    runner.client.on("echo", lambda *args: echoes.put(args))
    runner.start()
    runner.client.emit("echo", {"n": [1, None, True]}, b"\x00\xffbin", "é")
    assert next_item(echoes) == ({"n": [1, None, True]}, b"\x00\xffbin", "é")


def test_acknowledgements_from_the_server(server, make_client) -> None:
    runner = make_client(server.url)
    runner.start()
    client = runner.client
    assert runner.resolve(client.emit_with_ack("ack", 1, "two")) == (1, "two")
    assert runner.resolve(client.timeout(5).emit_with_ack("ack", b"b")) == b"b"
    answers: queue.Queue = queue.Queue()
    client.emit("ack", 5, callback=lambda *args: answers.put(args))
    assert next_item(answers) == (5,)
    client.timeout(5).emit("ack", callback=lambda err, *args: answers.put((err, args)))
    assert next_item(answers) == (None, ())


def test_an_ack_that_never_comes_times_out(server, make_client) -> None:
    runner = make_client(server.url)
    runner.start()
    with pytest.raises(sio.AckTimeoutError):
        runner.resolve(runner.client.timeout(0.3).emit_with_ack("nobody-listens", 1))


def test_client_answers_the_server_acknowledgements(server, make_client) -> None:
    runner = make_client(server.url)
    results: queue.Queue = queue.Queue()
    client = runner.client
    client.on("question", lambda n: n + 1)

    @client.on("manual")
    def manual(text, ack):
        ack(text.upper(), b"\x01")

    client.on("server-ask-result", lambda err, res: results.put((err, res)))
    runner.start()
    wait_until(lambda: client.connected)
    client.emit("server-ask", "question", 41)
    assert next_item(results) == (None, [42])
    client.emit("server-ask", "manual", "hi")
    assert next_item(results) == (None, ["HI", b"\x01"])


def test_namespace_refusal_and_acceptance(server, make_client) -> None:
    runner = make_client(server.url)
    runner.start()
    wait_until(lambda: runner.client.connected)
    refused = runner.client.socket("/private", auth={"token": "bad"})
    # Read from the socket, not a "connect_error" handler: the refusal may be
    # pumped before a handler added now would be.
    error = wait_until(lambda: refused._last_error)
    assert isinstance(error, sio.ConnectionRefusedError)
    assert (error.message, error.data) == ("not authorized", {"reason": "bad token"})
    other = make_client(server.url + "/private", auth={"token": "secret"})
    welcomes: queue.Queue = queue.Queue()
    other.client.on("auth", welcomes.put)
    other.start()
    assert next_item(welcomes) == {"token": "secret"}
    assert other.client.main.nsp == "/private"


def test_wait_connected_raises_the_refusal(server) -> None:
    client = sio.Client(server.url + "/private", auth={"token": "bad"}, reconnection=False)
    with pytest.raises(sio.ConnectionRefusedError, match="not authorized") as caught:
        client.wait_connected(10)
    assert caught.value.data == {"reason": "bad token"}
    client.close()
    good = sio.Client(server.url + "/private", auth={"token": "secret"})
    assert good.wait_connected(10).connected
    good.close()
    good.wait()


def test_server_disconnect_ends_wait(server, make_client) -> None:
    runner = make_client(server.url)
    reasons: queue.Queue = queue.Queue()
    runner.client.on("disconnect", reasons.put)
    runner.start()
    wait_until(lambda: runner.client.connected)
    runner.client.emit("disconnect-me")
    assert next_item(reasons) == "io server disconnect"
    assert runner.finished()
    assert not runner.client.connected


def test_on_any_and_outgoing_and_disconnect(server, make_client) -> None:
    runner = make_client(server.url)
    seen: queue.Queue = queue.Queue()
    client = runner.client
    client.on_any(lambda event, *args: seen.put(("in", event, args)))
    client.on_any_outgoing(lambda event, *args: seen.put(("out", event, args)))
    client.on("disconnect", lambda reason: seen.put(("disconnect", reason)))
    runner.start()
    assert next_item(seen)[:2] == ("in", "auth")
    client.emit("echo", 7)
    assert next_item(seen) == ("out", "echo", (7,))
    assert next_item(seen) == ("in", "echo", (7,))
    client.disconnect()
    assert next_item(seen) == ("disconnect", "io client disconnect")
    assert runner.finished()


def test_async_client_coroutine_handlers() -> None:
    import asyncio

    server = PythonServer()

    async def main() -> list:
        client = sio.AsyncClient(server.url)
        got: list = []

        @client.on("question")
        async def question(n):
            await asyncio.sleep(0.01)
            return n * 10

        @client.on("server-ask-result")
        async def result(err, res):
            got.append((err, res))
            client.close()

        await client.wait_connected(10)
        client.emit("server-ask", "question", 4)
        await asyncio.wait_for(client.wait(), 10)
        return got

    try:
        assert asyncio.run(main()) == [(None, [40])]
    finally:
        server.stop()


def test_reconnection_gives_up_when_the_server_is_gone(make_client) -> None:
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
    # As connect_error delivers a failed attempt: the exception, with the
    # core's reason as its message.
    assert name == "reconnect_error" and isinstance(error, sio.ConnectionFailedError)
    assert "ECONNREFUSED" in error.message and str(error) == error.message
    assert next_item(seen) == ("reconnect_attempt", 2)
    # The last attempt's reconnect_error follows reconnect_failed (as in
    # socket.io-client), once wait() has ended: not awaited here.
    assert next_item(seen) == ("reconnect_failed",)
    assert runner.finished()


def test_emitting_on_a_closed_client_raises(server) -> None:
    client = sio.Client(server.url)
    client.wait_connected(10)
    client.close()
    client.wait()
    # Done: the core's client is released (sio_client_free).
    assert client._handle.freed
    with pytest.raises(sio.ClosedError):
        client.emit("echo", 1)


def test_a_trailing_slash_url_opens_that_namespace(make_server) -> None:
    # As socket.io-client: "http://h/chat/" is namespace "/chat/", which the
    # core names and our server then serves.
    server = make_server()
    joined: queue.Queue = queue.Queue()

    @server.io.of("/chat/").on("connection")
    def on_connection(socket: sio.Socket) -> None:
        joined.put(socket.nsp.name)
        socket.on("ping", lambda n: n + 1)

    server.start()
    client = sio.Client(server.url + "/chat/", reconnection=False)
    try:
        client.wait_connected(10)
        assert client.main.nsp == "/chat/" and next_item(joined) == "/chat/"
        assert client.timeout(5).emit_with_ack("ping", 1) == 2
    finally:
        client.close()
        client.wait()
