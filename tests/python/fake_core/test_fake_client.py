"""Client and AsyncClient against the fake core: options, routing of events
to namespaces, acknowledgements both ways, refusals, reconnection and the end
of wait()."""
from __future__ import annotations

import asyncio
import queue
import threading
from typing import Any, Callable, Iterator

import pytest

import sio
from client_runners import AsyncClientRunner, BlockingClientRunner
from waiting import next_item, wait_until

SID = "c" * 20
RUNNERS = {"blocking": BlockingClientRunner, "asyncio": AsyncClientRunner}


@pytest.fixture(params=sorted(RUNNERS))
def make_client(request: pytest.FixtureRequest, fake) -> Iterator[Callable[..., Any]]:
    made: list[Any] = []

    def make(url: str = "http://h:1", **options: Any) -> Any:
        runner = RUNNERS[request.param](url, **options)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.stop()


def connect(fake, nsp: str = "/") -> None:
    fake.push(fake.SIO_EV_CONNECT, nsp=nsp, sid=SID, client=True)


def test_url_auth_and_options_reach_the_core(fake) -> None:
    client = sio.Client("http://h:1/chat/", auth={"token": 1}, reconnection_delay=0.5,
                        query={"x": "1 2"}, extra_headers={"H": "v"}, transports=["websocket"],
                        reconnection=False, tls_verify=False, max_queued_events=5)
    created = fake.wait_command("client_new")
    assert created["url"] == "http://h:1/chat/" and created["auth"] == {"token": 1}
    assert created["options"] == {
        "reconnectionDelay": "500", "query": "x=1+2", "extraHeaders": '{"H": "v"}',
        "transports": "websocket", "reconnection": "false", "tls.verify": "false",
        "maxQueuedEvents": "5"}
    assert client.main.nsp == "/chat/"
    with pytest.raises(TypeError, match="reconection"):
        sio.Client("http://h:1", reconection=False)


def test_events_acks_and_emits(fake, make_client) -> None:
    runner = make_client()
    client = runner.client
    seen: queue.Queue = queue.Queue()
    client.on("connect", lambda: seen.put(("connect", client.id)))
    client.on("double", lambda blob: blob * 2)
    runner.start()
    connect(fake)
    assert next_item(seen) == ("connect", SID)
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="double", ack_id=5, client=True,
              data=[{"_placeholder": True, "num": 0}], bins=(b"ab",))
    ack = fake.wait_command("client_ack")
    assert (ack["nsp"], ack["ack_id"], ack["bins"]) == ("/", 5, [b"abab"])
    client.volatile.emit("v", 1)
    emit = fake.wait_command("client_emit")
    assert (emit["nsp"], emit["event"], emit["args"], emit["flags"]) == (
        "/", "v", [1], fake.SIO_EMIT_VOLATILE)
    client.compress(False).emit("c", 2)
    assert fake.wait_command("client_emit")["flags"] == fake.SIO_EMIT_NO_COMPRESS
    with pytest.raises(sio.ReservedEventError):
        client.emit("connect")


def test_emit_with_ack_and_timeouts(fake, make_client) -> None:
    runner = make_client()
    runner.start()
    client = runner.client
    results: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: results.put(
        runner.resolve(client.timeout(2).emit_with_ack("q", 1)))).start()
    command = fake.wait_command("client_emit")
    assert command["timeout_ms"] == 2000 and command["flags"] == fake.SIO_EMIT_ACK
    fake.push(fake.SIO_EV_ACK, req=command["req"], data=["a", "b"], client=True)
    assert next_item(results) == ("a", "b")
    client.timeout(1).emit("q", callback=lambda err, *args: results.put((err, args)))
    command = fake.wait_command("client_emit")
    fake.push(fake.SIO_EV_ACK, req=command["req"], data=[], err=fake.SIO_ETIMEDOUT,
              reason="operation has timed out", client=True)
    err, args = next_item(results)
    assert isinstance(err, sio.AckTimeoutError) and args == ()


def test_other_namespaces(fake, make_client) -> None:
    runner = make_client()
    admin = runner.client.socket("/admin", auth={"k": "v"})
    assert fake.wait_command("client_socket") == {"nsp": "/admin", "auth": {"k": "v"},
                                                  "req": fake._req}
    assert runner.client.socket("/admin") is admin
    seen: queue.Queue = queue.Queue()
    admin.on("news", lambda text: seen.put(("admin", text)))
    runner.client.on("news", lambda text: seen.put(("main", text)))
    runner.start()
    connect(fake)
    connect(fake, "/admin")
    fake.push(fake.SIO_EV_EVENT, nsp="/admin", sid=SID, name="news", data=["a"], client=True)
    fake.push(fake.SIO_EV_EVENT, nsp="/", sid=SID, name="news", data=["m"], client=True)
    assert next_item(seen) == ("admin", "a") and next_item(seen) == ("main", "m")
    admin.emit("x")
    assert fake.wait_command("client_emit")["nsp"] == "/admin"
    admin.disconnect()
    assert fake.wait_command("client_disconnect")["nsp"] == "/admin"


def test_reconnection_events_and_the_end_of_wait(fake, make_client) -> None:
    runner = make_client()
    seen: queue.Queue = queue.Queue()
    client = runner.client
    for name in ("disconnect", "reconnect_attempt", "reconnect", "reconnect_failed"):
        client.on(name, lambda *args, name=name: seen.put((name, *args)))
    runner.start()
    connect(fake)
    fake.push(fake.SIO_EV_DISCONNECT, sid=SID, reason="transport close", client=True)
    fake.push(fake.SIO_EV_RECONNECT_ATTEMPT, attempt=1, client=True)
    fake.push(fake.SIO_EV_RECONNECT, attempt=1, client=True)
    connect(fake)
    assert [next_item(seen) for _ in range(3)] == [
        ("disconnect", "transport close"), ("reconnect_attempt", 1), ("reconnect", 1)]
    wait_until(lambda: client.connected)
    assert not client.done
    fake.push(fake.SIO_EV_DISCONNECT, sid=SID, reason="ping timeout", client=True)
    fake.push(fake.SIO_EV_RECONNECT_FAILED, client=True)
    assert next_item(seen) == ("disconnect", "ping timeout")
    assert next_item(seen) == ("reconnect_failed",)
    assert runner.finished()


def test_close_ends_wait_even_when_never_connected(fake, make_client) -> None:
    runner = make_client()
    runner.start()
    runner.client.close()
    assert fake.wait_command("client_close")
    assert runner.finished()


def test_wait_connected_raises_the_refusal(fake) -> None:
    client = sio.Client("http://h:1", reconnection=False)
    fake.push(fake.SIO_EV_CONNECT_ERROR, reason="not authorized", data={"r": 1}, client=True,
              flags=fake.SIO_EVF_FINAL)
    with pytest.raises(sio.ConnectionRefusedError) as caught:
        client.wait_connected(5)
    assert (caught.value.message, caught.value.data) == ("not authorized", {"r": 1})
    assert client.done
    connect(fake)
    other = sio.Client("http://h:1")
    assert other.wait_connected(5) is other and other.id == SID
    with pytest.raises(TimeoutError):
        sio.Client("http://h:1").wait_connected(0.1)


def test_async_wait_connected(fake) -> None:
    async def main() -> None:
        client = sio.AsyncClient("http://h:1")
        # A failed attempt that will be retried: still waiting, and the
        # timeout names it.
        fake.push(fake.SIO_EV_CONNECT_ERROR, reason="xhr poll error: x", client=True)
        with pytest.raises(TimeoutError, match="xhr poll error"):
            await client.wait_connected(0.2)
        fake.push(fake.SIO_EV_CONNECT_ERROR, reason="nope", client=True,
                  flags=fake.SIO_EVF_FINAL)
        with pytest.raises(sio.ConnectionRefusedError, match="nope"):
            await client.wait_connected(5)
        client = sio.AsyncClient("http://h:1")
        connect(fake)
        assert (await client.wait_connected(5)).connected
        with pytest.raises(TimeoutError):
            await sio.AsyncClient("http://h:1").wait_connected(0.1)

    asyncio.run(main())


def test_a_trailing_slash_names_its_own_namespace(fake) -> None:
    # As socket.io-client: io("http://h/chat/") opens "/chat/", not "/chat".
    client = sio.Client("http://h:1/chat/")
    assert client.main.nsp == "/chat/"
    client.emit("hi")
    assert fake.wait_command("client_emit")["nsp"] == "/chat/"
    assert sio.Client("http://h:1").main.nsp == "/"


@pytest.mark.parametrize("kind", ["disconnect", "connect_error"])
def test_the_final_flag_alone_decides_whether_the_socket_comes_back(fake, kind) -> None:
    client = sio.Client("http://h:1")

    def lose(reason: str, flags: int) -> None:
        if kind == "disconnect":
            connect(fake)
            fake.push(fake.SIO_EV_DISCONNECT, sid=SID, reason=reason, flags=flags, client=True)
        else:
            fake.push(fake.SIO_EV_CONNECT_ERROR, reason=reason, flags=flags, client=True)
        client._pump.run_pending()

    # A reason that used to mean "final", without the flag: the core goes on.
    lose("io server disconnect", 0)
    assert not client.connected and not client.done
    # A reason that used to mean "not final", with the flag: it is over.
    lose("transport close", fake.SIO_EVF_FINAL)
    assert not client.connected and client.done
    client.wait()  # returns at once: nothing will connect again


def test_reconnect_events_carry_the_attempt_field(fake, make_client) -> None:
    runner = make_client()
    seen: queue.Queue = queue.Queue()
    for name in ("reconnect_attempt", "reconnect"):
        runner.client.on(name, lambda attempt, name=name: seen.put((name, attempt)))
    runner.start()
    fake.push(fake.SIO_EV_RECONNECT_ATTEMPT, attempt=4, ack_id=-1, client=True)
    fake.push(fake.SIO_EV_RECONNECT, attempt=4, ack_id=-1, client=True)
    assert [next_item(seen), next_item(seen)] == [("reconnect_attempt", 4), ("reconnect", 4)]


def test_an_answer_pumped_before_socket_returns_reaches_that_socket(fake) -> None:
    client = sio.Client("http://h:1")
    main_errors: list = []
    client.on("connect_error", main_errors.append)

    def refuse_at_once(nsp: str) -> None:
        fake.push(fake.SIO_EV_CONNECT_ERROR, nsp=nsp, reason="no", client=True,
                  flags=fake.SIO_EVF_FINAL)
        client._pump.run_pending()

    fake.on_client_socket = refuse_at_once
    other = client.socket("/other")
    assert isinstance(other._last_error, sio.ConnectionRefusedError) and not other._active
    assert main_errors == [] and client.main._last_error is None
