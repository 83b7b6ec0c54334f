"""The engine's hooks in both run modes: allow_request (plain and coroutine,
accepting, refusing, raising, with headers), connection_error handlers, the
cookie and headers options, socket.conn.transport and its "upgrade" event."""
from __future__ import annotations

import http.client
import json
import queue
from typing import Any

import sio
from waiting import next_item


def get(port: int, path: str, method: str = "GET", body: str | None = None) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body)
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def handshake_path(**query: str) -> str:
    extra = "".join(f"&{name}={value}" for name, value in query.items())
    return f"/socket.io/?EIO=4&transport=polling{extra}"


def deciding(make_server: Any) -> Any:
    """A server whose allow_request decides by the query; in AsyncServer its
    answer is a coroutine."""
    seen: queue.Queue = queue.Queue()
    coroutines = []

    def decide(request: dict[str, Any]) -> Any:
        seen.put(request)
        query = request["query"]
        if "deny" in query:
            raise sio.ConnectionRefusedError(query["deny"])
        if "raise" in query:
            raise RuntimeError("a bug in the check")
        if "false" in query:
            return False
        if "sticky" in query:
            return {"X-Sticky": query["sticky"]}
        return True

    async def decide_async(request: dict[str, Any]) -> Any:
        return decide(request)

    def check(request: dict[str, Any]) -> Any:
        return decide_async(request) if coroutines else decide(request)

    server = make_server(allow_request=check)
    if server.mode == "asyncio":
        coroutines.append(True)
    return server, seen


def test_allow_request_accepts_refuses_and_adds_headers(make_server, node) -> None:
    server, seen = deciding(make_server)
    server.start()
    port = server.io.port
    node.connect(server.url + "/")
    request = next_item(seen)
    assert request["method"] == "GET" and request["query"]["transport"] == "polling"
    assert "headers" in request and "address" in request

    refused = get(port, handshake_path(deny="go%20away"))
    assert refused.status == 403
    assert json.loads(refused.body) == {"code": 4, "message": "go away"}
    for flag in ("false", "raise"):
        response = get(port, handshake_path(**{flag: "1"}))
        assert response.status == 403
        assert json.loads(response.body) == {"code": 4, "message": "Forbidden"}
    sticky = get(port, handshake_path(sticky="node-3"))
    assert sticky.status == 200 and sticky.getheader("X-Sticky") == "node-3"


def test_connection_error_handlers_hear_every_refused_request(make_server) -> None:
    server = make_server()
    errors: queue.Queue = queue.Queue()
    server.io.on("connection_error", errors.put)
    server.start()
    response = get(server.io.port, "/socket.io/?EIO=4&transport=bogus")
    assert response.status == 400
    error = next_item(errors)
    assert error["code"] == 0 and error["message"] == "Transport unknown"
    assert error["context"] == {"transport": "bogus"}
    assert error["req"]["url"] == "/socket.io/?EIO=4&transport=bogus"


def test_cookie_and_headers_options(make_server) -> None:
    server = make_server(cookie={"name": "srv", "same_site": "strict"},
                         initial_headers={"X-First": "1"}, headers={"X-All": "2"})
    server.start()
    response = get(server.io.port, handshake_path())
    sid = json.loads(response.body[1:])["sid"]
    assert response.getheader("Set-Cookie") == f"srv={sid}; Path=/; HttpOnly; SameSite=Strict"
    assert response.getheader("X-First") == "1" and response.getheader("X-All") == "2"
    later = get(server.io.port, handshake_path(sid=sid), "POST", "40")
    assert later.body == b"ok"
    assert later.getheader("X-All") == "2" and later.getheader("X-First") is None


def test_socket_conn_transport_and_upgrade(make_server, node) -> None:
    server = make_server()
    upgrades: queue.Queue = queue.Queue()
    sockets: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        socket.conn.on("upgrade", lambda name: upgrades.put((socket, name)))
        sockets.put(socket)

    server.start()
    node.connect(server.url + "/", transports=["polling"])
    polling = next_item(sockets)
    assert server.call(lambda: polling.conn.transport) == "polling"
    node.connect(server.url + "/")
    upgrading = next_item(sockets)
    socket, name = next_item(upgrades)
    assert socket is upgrading and name == "websocket"
    assert server.call(lambda: upgrading.conn.transport) == "websocket"
