"""Our server against the python-socketio client from PyPI, both modes."""
from __future__ import annotations

import queue

import pytest
import socketio

import sio
from waiting import next_item


def serve(server) -> None:
    private = server.io.of("/private")

    @private.use
    def check(socket: sio.Socket) -> None:
        if (socket.handshake.get("auth") or {}).get("token") != "secret":
            raise sio.ConnectionRefusedError("not authorized", {"reason": "bad token"})

    @private.on("connection")
    def on_private(socket: sio.Socket) -> None:
        socket.emit("welcome", "private")

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        socket.on("add", lambda a, b: a + b)
        socket.on("echo", lambda *args: socket.emit("echo", *args))


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_events_and_acks(make_server, py_clients, transport) -> None:
    server = make_server()
    serve(server)
    server.start()
    client = py_clients()
    echoes: queue.Queue = queue.Queue()
    client.on("echo", lambda *args: echoes.put(args))
    client.connect(server.url, transports=[transport])
    assert client.call("add", (2, 3), timeout=5) == 5
    client.emit("echo", ({"k": [1, None]}, b"\x01\x02"))
    assert next_item(echoes) == ({"k": [1, None]}, b"\x01\x02")


def test_server_emit_with_ack_to_python_client(make_server, py_clients) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    client = py_clients()
    client.on("question", lambda n: n + 100)
    client.connect(server.url, transports=["websocket"])
    socket = next_item(sockets)
    assert server.resolve(socket.timeout(5).emit_with_ack("question", 1)) == 101


def test_namespace_middleware(make_server, py_clients) -> None:
    server = make_server()
    serve(server)
    server.start()
    refused = py_clients()
    refusals: queue.Queue = queue.Queue()
    refused.on("connect_error", refusals.put, namespace="/private")
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(server.url, namespaces=["/private"], auth={"token": "bad"},
                        transports=["websocket"], wait_timeout=5)
    assert next_item(refusals) == {"message": "not authorized", "data": {"reason": "bad token"}}
    client = py_clients()
    welcomes: queue.Queue = queue.Queue()
    client.on("welcome", welcomes.put, namespace="/private")
    client.connect(server.url, namespaces=["/private"], auth={"token": "secret"},
                   transports=["websocket"], wait_timeout=5)
    assert next_item(welcomes) == "private"
