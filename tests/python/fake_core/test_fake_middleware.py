"""io.use(): connect requests answered by the middlewares (fake core)."""
from __future__ import annotations

import asyncio
import queue

import sio
from runners import AsyncRunner
from waiting import next_item

A = "a" * 20


def request(fake, req: int, nsp: str = "/", auth=None) -> None:
    fake.push(fake.SIO_EV_CONNECT_REQUEST, req=req, nsp=nsp, sid=A,
              data={"auth": auth or {}, "headers": {}})


def test_use_declares_middleware_and_refuses_with_message_and_data(fake, make_server) -> None:
    server = make_server()
    order: list = []
    private = server.io.of("/private")

    @private.use
    def first(socket):
        order.append(("first", socket.id, socket.connected))

    @private.use
    def second(socket):
        order.append("second")
        if socket.handshake["auth"].get("token") != "ok":
            raise sio.ConnectionRefusedError("not authorized", {"reason": "bad token"})
        socket.data["user"] = "u"

    assert fake.wait_command("of", lambda c: c["flags"] == fake.SIO_NS_MIDDLEWARE)["name"] == "/private"
    users: queue.Queue = queue.Queue()
    private.on("connection", lambda socket: users.put(socket.data))
    server.start()
    request(fake, 41, "/private", {"token": "no"})
    refuse = fake.wait_command("refuse")
    assert refuse["request"] == 41 and refuse["message"] == "not authorized"
    assert refuse["data"] == {"reason": "bad token"}
    assert order == [("first", A, False), "second"]
    request(fake, 42, "/private", {"token": "ok"})
    assert fake.wait_command("accept")["request"] == 42
    fake.push(fake.SIO_EV_CONNECTION, nsp="/private", sid=A, data={})
    assert next_item(users) == {"user": "u"}


def test_a_crashing_middleware_refuses_without_details(fake, make_server) -> None:
    server = make_server()
    server.io.use(lambda socket: {}["missing"])
    server.start()
    request(fake, 7)
    refuse = fake.wait_command("refuse")
    assert refuse["data"] is None and "missing" not in refuse["message"]


def test_async_middleware(fake) -> None:
    server = AsyncRunner()

    @server.io.use
    async def slow(socket):
        await asyncio.sleep(0.01)
        if not socket.handshake["auth"]:
            raise sio.ConnectionRefusedError("who are you")

    server.start()
    try:
        request(fake, 1)
        assert fake.wait_command("refuse")["message"] == "who are you"
        request(fake, 2, auth={"x": 1})
        assert fake.wait_command("accept")["request"] == 2
    finally:
        server.stop()
