"""socket.data goes to the core (sio_socket_set_data) as JSON when it
changed: on assignment, and after the socket's handlers and middlewares ran
(a coroutine handler: when it ends), so that changes inside it are seen; a
recovered socket's kept data is pushed again (against the fake core)."""
from __future__ import annotations

import asyncio
import logging
import queue

import sio
from waiting import next_item

SID = "d" * 20
HANDSHAKE = {"auth": {}, "query": {"EIO": "4"}, "headers": {}}


def connect(fake, sid: str = SID, flags: int = 0) -> None:
    fake.push(fake.SIO_EV_CONNECTION, sid=sid, data=HANDSHAKE, flags=flags)


def pushed(fake) -> object:
    return fake.wait_command("set_data", lambda c: c["sid"] == SID)["data"]


def no_push(fake) -> bool:
    try:
        fake.wait_command("set_data", timeout=0.3)
    except TimeoutError:
        return True
    return False


def test_assignment_and_changes_inside_handlers_are_pushed(fake, make_server) -> None:
    server = make_server()
    done: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket):
        socket.data["user"] = "ann"  # a change inside a handler

        @socket.on("add")
        def add(item):
            socket.data.setdefault("items", []).append(item)
            done.put(item)

        @socket.on("replace")
        def replace(value):
            socket.data = value
            done.put(value)

        @socket.on("same")
        def same():
            socket.data["user"] = "ann"
            done.put("same")

        @socket.on("sleepy")
        async def sleepy(n):
            await asyncio.sleep(0.05)
            socket.data["n"] = n
            done.put(n)

    server.start()
    connect(fake)
    assert pushed(fake) == {"user": "ann"}
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="add", data=[1])
    next_item(done)
    assert pushed(fake) == {"user": "ann", "items": [1]}
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="same", data=[])
    next_item(done)
    assert no_push(fake)  # unchanged: nothing sent
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="replace", data=[[None, "x"]])
    next_item(done)
    assert pushed(fake) == [None, "x"]
    assert no_push(fake)  # pushed at the assignment, not again after the handler
    if server.mode == "asyncio":
        fake.push(fake.SIO_EV_EVENT, sid=SID, name="replace", data=[{}])
        next_item(done)
        assert pushed(fake) == {}
        fake.push(fake.SIO_EV_EVENT, sid=SID, name="sleepy", data=[7])
        next_item(done)
        assert pushed(fake) == {"n": 7}


def test_outside_handlers_at_the_next_event_or_by_assigning(fake, make_server) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    connect(fake)
    socket = next_item(sockets)
    assert no_push(fake)  # {} is what the core starts with
    server.call(lambda: socket.data.update(a=1))
    assert no_push(fake)
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="anything", data=[])
    assert pushed(fake) == {"a": 1}
    server.call(lambda: socket.data.update(a=2))
    server.call(setattr, socket, "data", socket.data)
    assert pushed(fake) == {"a": 2}


def test_middleware_data_is_pushed_once_connected(fake, make_server) -> None:
    server = make_server()
    main = server.io.of("/")

    def middleware(socket):
        socket.data = {"from": "middleware"}

    main.use(middleware)
    server.start()
    fake.push(fake.SIO_EV_CONNECT_REQUEST, sid=SID, req=9, data=HANDSHAKE)
    fake.wait_command("accept")
    assert no_push(fake)  # the core has no such socket yet
    connect(fake)
    assert pushed(fake) == {"from": "middleware"}


def test_not_json_stays_here_with_one_warning(fake, make_server, caplog) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    connect(fake)
    socket = next_item(sockets)
    with caplog.at_level(logging.WARNING, logger="sio"):
        server.call(setattr, socket, "data", {"lock": object()})
        fake.push(fake.SIO_EV_EVENT, sid=SID, name="x", data=[])
        assert no_push(fake)
    assert len([r for r in caplog.records if "not JSON" in r.getMessage()]) == 1
    server.call(setattr, socket, "data", {"nan": float("nan")})
    assert no_push(fake)
    server.call(setattr, socket, "data", "fine")
    assert pushed(fake) == "fine"


def test_disconnected_socket_pushes_nothing(fake, make_server) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    gone: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    connect(fake)
    socket = next_item(sockets)
    socket.on("disconnect", gone.put)
    fake.push(fake.SIO_EV_DISCONNECT, sid=SID, reason="transport close")
    next_item(gone)
    server.call(setattr, socket, "data", {"late": True})
    assert no_push(fake)


def test_a_recovered_socket_gets_its_kept_data_pushed_again(fake, make_server) -> None:
    server = make_server(connection_state_recovery={"max_disconnection_duration": 60})
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    connect(fake)
    socket = next_item(sockets)
    server.call(setattr, socket, "data", {"cart": [1]})
    assert pushed(fake) == {"cart": [1]}
    fake.push(fake.SIO_EV_DISCONNECT, sid=SID, reason="transport close")
    connect(fake, flags=fake.SIO_EVF_RECOVERED)
    again = next_item(sockets)
    assert again is not socket and again.recovered and again.data == {"cart": [1]}
    assert pushed(fake) == {"cart": [1]}
    # A recovered socket with nothing kept: {} replaces what the core restored.
    fake.push(fake.SIO_EV_DISCONNECT, sid=SID, reason="client namespace disconnect")
    connect(fake, flags=fake.SIO_EVF_RECOVERED)
    assert next_item(sockets).data == {}
    assert pushed(fake) == {}
