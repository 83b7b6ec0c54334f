"""parser="msgpack": our server with the official client and
socket.io-msgpack-parser, and our client with our server; both modes."""
from __future__ import annotations

import queue

import sio
from client_runners import AsyncClientRunner, BlockingClientRunner
from waiting import next_item

VALUES = ({"n": [1, 2.5, None, True]}, b"\x00\xffbin", "é", -3)


def serve(server) -> None:
    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        socket.on("echo", lambda *args: socket.emit("echo", *args))
        socket.on("ack", lambda *args: args)


def test_official_client_with_msgpack(make_server, node) -> None:
    server = make_server(parser="msgpack")
    serve(server)
    server.start()
    cid = node.connect(server.url + "/", msgpack=True)
    node.emit(cid, "echo", *VALUES)
    assert tuple(node.event(cid, "echo")) == VALUES
    assert tuple(node.emit_ack(cid, "ack", *VALUES)[1]) == VALUES


def test_our_client_with_msgpack(make_server) -> None:
    server = make_server(parser="msgpack")
    serve(server)
    server.start()
    for kind in (BlockingClientRunner, AsyncClientRunner):
        runner = kind(server.url, parser="msgpack")
        echoes: queue.Queue = queue.Queue()
        runner.client.on("echo", lambda *args: echoes.put(args))
        runner.start()
        try:
            runner.client.emit("echo", *VALUES)
            assert next_item(echoes) == VALUES
            assert runner.resolve(runner.client.timeout(5).emit_with_ack("ack", *VALUES)) == VALUES
        finally:
            runner.stop()
