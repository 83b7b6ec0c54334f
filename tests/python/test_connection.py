"""Connections, namespaces, middleware and disconnection, against the
official Node.js client, in both run modes."""
from __future__ import annotations

import json
import queue
import re
import urllib.error
import urllib.request

import sio
from waiting import next_item, wait_until


def test_connection_handler_gets_id_and_handshake(make_server, node) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)  # the call form
    server.start()
    cid = node.connect(server.url + "/", auth={"token": "abc"}, query={"q": "1"})
    socket = next_item(sockets)
    assert isinstance(socket, sio.Socket)
    assert socket.id == node.sids[cid]
    assert socket.handshake["auth"] == {"token": "abc"}
    assert socket.handshake["query"]["q"] == "1"
    assert "headers" in socket.handshake
    assert socket.nsp.name == "/"
    assert socket.connected
    assert socket.data == {}


def test_namespaces_have_their_own_handlers_and_emits(make_server, node) -> None:
    server = make_server()
    chat = server.io.of("/chat")
    joined: queue.Queue = queue.Queue()

    @chat.on("connection")
    def on_chat(socket: sio.Socket) -> None:
        joined.put(socket.nsp.name)

    server.start()
    main_client = node.connect(server.url + "/")
    chat_client = node.connect(server.url + "/chat")
    assert next_item(joined) == "/chat"
    server.io.of("/chat").emit("news", "for chat")
    server.io.emit("news", "for main")
    assert node.event(chat_client, "news") == ["for chat"]
    assert node.event(main_client, "news") == ["for main"]
    assert node.no_event(chat_client, "news")
    assert server.io.of("/chat") is chat


def test_dynamic_namespaces_and_new_namespace(make_server, node) -> None:
    server = make_server()
    announced: queue.Queue = queue.Queue()
    server.io.on("new_namespace", announced.put)
    dyn = server.io.of(re.compile(r"^/dyn-"))
    by_auth = server.io.of(lambda name, auth: auth.get("open") is True)
    assert isinstance(dyn, sio.ParentNamespace)
    joined: queue.Queue = queue.Queue()
    dyn.on("connection", lambda socket: joined.put((socket.nsp.name, socket.nsp.parent)))
    by_auth.on("connection", lambda socket: joined.put((socket.nsp.name, socket.nsp.parent)))
    seen: list = []

    @dyn.use
    def note(socket: sio.Socket) -> None:
        seen.append(socket.nsp.name)

    server.start()
    first = node.connect(server.url + "/dyn-1")
    assert next_item(joined) == ("/dyn-1", dyn)
    child = next_item(announced)
    assert isinstance(child, sio.Namespace) and child.name == "/dyn-1" and child.parent is dyn
    assert server.io.of("/dyn-1") is child
    node.connect(server.url + "/dyn-1")
    assert next_item(joined) == ("/dyn-1", dyn)
    assert seen == ["/dyn-1", "/dyn-1"]  # the parent's middleware, every time
    node.connect(server.url + "/anything", auth={"open": True})
    assert next_item(joined) == ("/anything", by_auth)
    assert next_item(announced).name == "/anything"
    refused = node.connect(server.url + "/nope", expect_error=True)
    assert node.connect_error(refused)["message"] == "Invalid namespace"
    dyn.emit("news", "to every child")
    assert node.event(first, "news") == ["to every child"]
    declared = server.io.of("/declared")
    assert next_item(announced) is declared
    server.io.of("/declared")
    assert announced.empty()


def test_middleware_refuses_with_message_and_data(make_server, node) -> None:
    server = make_server()
    private = server.io.of("/private")

    @private.use
    def check_token(socket: sio.Socket) -> None:
        if socket.handshake["auth"].get("token") != "secret":
            raise sio.ConnectionRefusedError("not authorized", {"reason": "bad token"})
        socket.data["user"] = "alice"

    users: queue.Queue = queue.Queue()
    private.on("connection", lambda socket: users.put(socket.data["user"]))
    server.start()
    refused = node.connect(server.url + "/private", auth={"token": "wrong"}, expect_error=True)
    error = node.connect_error(refused)
    assert error["message"] == "not authorized"
    assert error["data"] == {"reason": "bad token"}
    node.connect(server.url + "/private", auth={"token": "secret"})
    assert next_item(users) == "alice"


def test_middlewares_run_in_order_and_io_use_guards_the_main_namespace(make_server, node) -> None:
    server = make_server()
    calls: list = []
    server.io.use(lambda socket: calls.append("first"))

    def second(socket: sio.Socket) -> None:
        calls.append("second")
        if socket.handshake["auth"].get("deny"):
            raise sio.ConnectionRefusedError("denied")

    server.io.use(second)
    server.start()
    node.connect(server.url + "/")
    assert calls == ["first", "second"]
    refused = node.connect(server.url + "/", auth={"deny": True}, expect_error=True)
    error = node.connect_error(refused)
    assert error["message"] == "denied"
    assert error["data"] is None


def test_a_middleware_that_crashes_refuses_and_the_server_goes_on(make_server, node) -> None:
    server = make_server()
    server.io.use(lambda socket: 1 / 0 if socket.handshake["auth"].get("crash") else None)
    server.start()
    refused = node.connect(server.url + "/", auth={"crash": True}, expect_error=True)
    assert node.connect_error(refused)["message"]
    node.connect(server.url + "/")


def test_client_disconnect_reaches_disconnecting_and_disconnect(make_server, node) -> None:
    server = make_server()
    reasons: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        socket.join("room")
        socket.on("disconnecting", lambda reason: reasons.put(("disconnecting", reason)))
        socket.on("disconnect", lambda reason: reasons.put(("disconnect", reason)))

    server.start()
    cid = node.connect(server.url + "/")
    wait_until(lambda: server.io.sockets.sockets)
    node.disconnect(cid)
    assert next_item(reasons) == ("disconnecting", "client namespace disconnect")
    assert next_item(reasons) == ("disconnect", "client namespace disconnect")
    wait_until(lambda: not server.io.sockets.sockets)


def test_socket_disconnect_from_the_server(make_server, node) -> None:
    server = make_server()
    reasons: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        socket.on("disconnect", reasons.put)
        socket.on("bye", lambda close: socket.disconnect(close=close))

    server.start()
    polite = node.connect(server.url + "/")
    node.emit(polite, "bye", False)
    assert node.disconnected(polite) == "io server disconnect"
    assert next_item(reasons) == "server namespace disconnect"
    closing = node.connect(server.url + "/")
    node.emit(closing, "bye", True)
    assert node.disconnected(closing) in ("io server disconnect", "transport close")
    assert next_item(reasons)


def test_emitting_on_a_disconnected_socket_raises(make_server, node) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    gone: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        socket.on("disconnect", gone.put)
        sockets.put(socket)

    server.start()
    cid = node.connect(server.url + "/")
    socket = next_item(sockets)
    node.disconnect(cid)
    next_item(gone)
    try:
        socket.emit("late")
    except sio.DisconnectedError as error:
        assert socket.id in error.message
    else:
        raise AssertionError("emit on a disconnected socket did not raise")


def test_close_disconnects_everyone_and_run_returns(make_server, node) -> None:
    server = make_server()
    server.start()
    cid = node.connect(server.url + "/")
    server.io.close()
    # The reason the client gives depends on how the core ends the transport;
    # tests/interop checks that. Here: the client is let go, and run() ends.
    assert node.disconnected(cid)
    wait_until(lambda: server.io.closed)
    # Done: the core's server is released (sio_server_free).
    wait_until(lambda: server.io._handle.freed)
    try:
        server.io.emit("after-close")
    except sio.ClosedError:
        pass
    else:
        raise AssertionError("emit after close did not raise ClosedError")


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_allow_eio3_serves_engine_io_v3_clients(make_server) -> None:
    """allow_eio3 reaches the core: a v3 handshake gets a v3 payload
    ("<length>:<packet>") and the socket joins "/" without a CONNECT, as
    socket.io-client 2.x expects; by default it gets engine.io's error 5."""
    refusing = make_server()
    refusing.start()
    status, body = _get(refusing.url + "/socket.io/?EIO=3&transport=polling")
    assert (status, json.loads(body)) == (400, {"code": 5, "message": "Unsupported protocol version"})

    server = make_server(allow_eio3=True)
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    status, body = _get(server.url + "/socket.io/?EIO=3&transport=polling&b64=1")
    length, _, packet = body.partition(":")
    assert status == 200 and int(length) == len(packet) and packet.startswith("0{")
    sid = json.loads(packet[1:])["sid"]
    assert next_item(sockets).id == sid  # socket.io names a v3 socket of "/" by its Engine.IO id
    status, body = _get(server.url + f"/socket.io/?EIO=3&transport=polling&sid={sid}")
    assert body == "2:40"
