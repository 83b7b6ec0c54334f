"""parser="msgpack": our server with the official client and
socket.io-msgpack-parser, and our client with our server; both modes."""
from __future__ import annotations

import locale
import os
import queue
import subprocess
import tempfile

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


def _comma_locale() -> str:
    """A locale whose decimal point is ",": de_DE.UTF-8, made with
    localedef (Debian's locales) when the system has none."""
    name = "de_DE.UTF-8"
    try:
        return locale.setlocale(locale.LC_ALL, name)
    except locale.Error:
        where = tempfile.mkdtemp(prefix="sio-locale-")
        subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", os.path.join(where, name)],
                       check=True, capture_output=True)
        os.environ["LOCPATH"] = where
        return locale.setlocale(locale.LC_ALL, name)


def test_a_comma_decimal_locale_keeps_json_numbers(make_server, node) -> None:
    """A host under LC_NUMERIC=de_DE: the core still reads and writes "0.5"
    (the msgpack parser turns JSON numbers into doubles and back)."""
    previous = locale.setlocale(locale.LC_ALL)
    _comma_locale()
    try:
        assert locale.localeconv()["decimal_point"] == ","
        server = make_server(parser="msgpack", ping_interval=2.5)
        serve(server)
        server.start()
        cid = node.connect(server.url + "/", msgpack=True)
        node.emit(cid, "echo", 0.5, -2.25, 1e-7, {"x": 123456.789})
        assert node.event(cid, "echo") == [0.5, -2.25, 1e-7, {"x": 123456.789}]
    finally:
        locale.setlocale(locale.LC_ALL, previous)
