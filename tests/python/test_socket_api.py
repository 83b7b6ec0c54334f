"""socket.io API beyond on/emit: once, prepend_any/listeners_any,
per-packet middleware (socket.use) with next(err) -> "error", io.of("chat")
meaning "/chat", engine.io's "connection_error"; our server in both run modes with the official client, and
our client against the official server."""
from __future__ import annotations

import queue
from typing import Any

import pytest

import sio
from client_runners import BlockingClientRunner, NodeServer
from waiting import next_item


def one_client(server, node, nsp: str = "/") -> tuple[str, sio.Socket]:
    sockets: queue.Queue = queue.Queue()
    server.io.of(nsp).on("connection", sockets.put)
    server.start()
    cid = node.connect(server.url + nsp)
    return cid, next_item(sockets)


def test_once_runs_for_the_next_event_only(make_server, node) -> None:
    server = make_server()
    connections: queue.Queue = queue.Queue()
    server.io.once("connection", lambda socket: connections.put(socket.id))
    cid, socket = one_client(server, node)
    seen: queue.Queue = queue.Queue()
    socket.once("ping", lambda n: seen.put(("once", n)))
    socket.on("ping", lambda n: seen.put(("on", n)))
    node.emit(cid, "ping", 1)
    node.emit(cid, "ping", 2)
    assert [next_item(seen) for _ in range(3)] == [("once", 1), ("on", 1), ("on", 2)]
    assert seen.empty()
    assert next_item(connections) == socket.id
    node.connect(server.url + "/")
    assert connections.empty()


def test_prepend_any_and_listeners_any(make_server, node) -> None:
    server = make_server()
    cid, socket = one_client(server, node)
    order: queue.Queue = queue.Queue()

    def first(event: str, *args: Any) -> None:
        order.put(("first", event))

    def second(event: str, *args: Any) -> None:
        order.put(("second", event))

    socket.on_any(second)
    socket.prepend_any(first)
    assert socket.listeners_any() == [first, second]
    node.emit(cid, "hello")
    assert [next_item(order), next_item(order)] == [("first", "hello"), ("second", "hello")]
    socket.off_any(first)
    assert socket.listeners_any() == [second]


def test_packet_middleware_passes_changes_or_refuses(make_server, node) -> None:
    server = make_server()
    cid, socket = one_client(server, node)
    seen: queue.Queue = queue.Queue()

    @socket.use
    def check(packet: list, next_: Any) -> None:
        if packet[0] == "forbidden":
            next_(ValueError("not allowed"))
            return
        packet.append("checked")
        next_()

    @socket.use
    def fail(packet: list, next_: Any) -> None:
        if packet[0] == "boom":
            raise RuntimeError("middleware broke")
        next_()

    socket.on("error", lambda err: seen.put(("error", type(err).__name__, str(err))))
    socket.on("allowed", lambda *args: seen.put(("allowed", *args)))
    socket.on("forbidden", lambda *args: seen.put(("forbidden", *args)))
    socket.on("boom", lambda *args: seen.put(("boom", *args)))
    node.emit(cid, "forbidden", 1)
    assert next_item(seen) == ("error", "ValueError", "not allowed")
    node.emit(cid, "boom")
    assert next_item(seen) == ("error", "RuntimeError", "middleware broke")
    node.emit(cid, "allowed", 1)
    assert next_item(seen) == ("allowed", 1, "checked")
    assert seen.empty()


def test_of_adds_the_leading_slash(make_server, node) -> None:
    server = make_server()
    assert server.io.of("chat") is server.io.of("/chat")
    cid, socket = one_client(server, node, "/chat")
    assert socket.nsp.name == "/chat"


def test_client_once_prepend_any_listeners_any() -> None:
    server = NodeServer()
    runner = BlockingClientRunner(server.url, reconnection=False)
    client = runner.client
    try:
        seen: queue.Queue = queue.Queue()
        client.once("echo", lambda *args: seen.put(("once", args)))
        client.prepend_any(lambda event, *args: seen.put(("any", event)))
        assert len(client.listeners_any()) == 1
        runner.start()
        assert next_item(seen) == ("any", "auth")
        client.emit("echo", 1)
        client.emit("echo", 2)
        assert [next_item(seen) for _ in range(3)] == [("any", "echo"), ("once", (1,)),
                                                       ("any", "echo")]
        assert seen.empty()
    finally:
        runner.stop()
        server.stop()


def test_connection_error_reports_rejected_requests(make_server) -> None:
    import urllib.error
    import urllib.request

    server = make_server()
    errors: queue.Queue = queue.Queue()
    server.io.on("connection_error", errors.put)
    server.start()
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(server.url + "/socket.io/?EIO=3&transport=polling", timeout=5)
    error = next_item(errors)
    assert error["code"] == 5 and error["message"] == "Unsupported protocol version"


def test_on_any_outgoing_sees_broadcasts_to_the_socket(make_server, node) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    cid_a = node.connect(server.url + "/")
    first = next_item(sockets)
    cid_b = node.connect(server.url + "/")
    second = next_item(sockets)
    a, b = (first, second) if first.id == node.sids[cid_a] else (second, first)
    b.join("b-only")
    out: queue.Queue = queue.Queue()
    a.on_any_outgoing(lambda event, *args: out.put((event, *args)))
    server.io.emit("everyone", 1)
    assert next_item(out) == ("everyone", 1)
    server.io.to("b-only").emit("not-a")
    b.broadcast.emit("from-b", 2)
    assert next_item(out) == ("from-b", 2)
    server.io.except_("b-only").emit("not-b")
    assert next_item(out) == ("not-b",)
    assert node.event(cid_a, "from-b") == [2] and node.event(cid_a, "not-b") == []
    assert node.event(cid_b, "not-a") == []
    assert out.empty()


def test_dynamic_namespaces_by_regex_and_function(make_server, node) -> None:
    import re

    server = make_server()
    joined: queue.Queue = queue.Queue()
    by_regex = server.io.of(re.compile(r"^/dyn-\d+$"))

    @by_regex.use
    def tag(socket: sio.Socket) -> None:
        socket.data["tag"] = "checked"

    @by_regex.on("connection")
    def on_dyn(socket: sio.Socket) -> None:
        joined.put((socket.nsp.name, socket.data.get("tag")))

    by_function = server.io.of(lambda name, auth: name.startswith("/team-") and auth == {"ok": 1})
    by_function.on("connection", lambda socket: joined.put((socket.nsp.name, None)))
    server.start()
    cid = node.connect(server.url + "/dyn-1")
    assert next_item(joined) == ("/dyn-1", "checked")
    node.connect(server.url + "/dyn-22")
    assert next_item(joined) == ("/dyn-22", "checked")
    by_regex.emit("to-children", 5)
    assert node.event(cid, "to-children") == [5]
    node.connect(server.url + "/team-a", auth={"ok": 1})
    assert next_item(joined) == ("/team-a", None)
    for path, auth in (("/nope", None), ("/team-b", {"ok": 2})):
        refused = node.connect(server.url + path, auth=auth, expect_error=True)
        assert node.connect_error(refused)["message"] == "Invalid namespace"
    assert joined.empty()
