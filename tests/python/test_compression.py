"""Compression: per_message_deflate and http_compression as engine.io's
options, and compress(False) on a socket, a namespace and the server, read
on the wire (each WebSocket frame's RSV1 bit, each response's
Content-Encoding), in both modes."""
from __future__ import annotations

import base64
import gzip
import http.client
import json
import os
import socket as net
import struct
import zlib
from typing import Any
from urllib.parse import urlparse

import pytest

import sio
from sio._options import server_option_pairs

BIG = "x" * 2000


class RawWebSocket:
    """A WebSocket made by hand, so that each frame's RSV1 bit shows."""

    def __init__(self, url: str, extensions: str) -> None:
        parsed = urlparse(url)
        self.sock = net.create_connection((parsed.hostname, parsed.port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: {parsed.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Extensions: {extensions}\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self._read()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        assert lines[0].split()[1] == "101", lines[0]
        self.headers = {k.strip().lower(): v.strip()
                        for k, v in (line.split(":", 1) for line in lines[1:])}

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        self.buf += chunk

    def _need(self, n: int) -> None:
        while len(self.buf) < n:
            self._read()

    def frame(self) -> tuple[bool, str]:
        """(RSV1, the text message, inflated when RSV1 is set)."""
        self._need(2)
        rsv1 = bool(self.buf[0] & 0x40)
        length, offset = self.buf[1] & 0x7F, 2
        if length == 126:
            self._need(4)
            length, offset = struct.unpack(">H", self.buf[2:4])[0], 4
        elif length == 127:
            self._need(10)
            length, offset = struct.unpack(">Q", self.buf[2:10])[0], 10
        self._need(offset + length)
        payload = self.buf[offset:offset + length]
        self.buf = self.buf[offset + length:]
        if rsv1:
            payload = zlib.decompressobj(-15).decompress(payload + b"\x00\x00\xff\xff")
        return rsv1, payload.decode()

    def send(self, text: str) -> None:
        data = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        header += bytes([0x80 | len(data)]) if len(data) < 126 else \
            bytes([0x80 | 126]) + struct.pack(">H", len(data))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def message(self, prefix: str) -> tuple[bool, str]:
        while True:
            rsv1, text = self.frame()
            if text == "2":
                self.send("3")
            elif text.startswith(prefix):
                return rsv1, text

    def close(self) -> None:
        self.sock.close()


def serve_big(server) -> None:
    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        socket.on("big", lambda: socket.emit("big", BIG))
        socket.on("big-plain", lambda: socket.compress(False).emit("big", BIG))
        socket.on("all", lambda: server.io.emit("big", BIG))
        socket.on("all-plain", lambda: server.io.compress(False).emit("big", BIG))
        socket.on("nsp-plain", lambda: socket.nsp.compress(False).emit("big", BIG))
        socket.on("small", lambda: socket.emit("big", "tiny"))


def test_permessage_deflate_and_compress_false_on_the_wire(make_server) -> None:
    server = make_server(per_message_deflate=True)
    serve_big(server)
    server.start()
    ws = RawWebSocket(server.url, "permessage-deflate; client_max_window_bits")
    try:
        assert ws.headers["sec-websocket-extensions"].startswith("permessage-deflate")
        ws.message("0")
        ws.send("40")
        ws.message("40")
        expected = (True, "42" + json.dumps(["big", BIG], separators=(",", ":")))
        for event, deflated in [("big", True), ("big-plain", False), ("all", True),
                                ("all-plain", False), ("nsp-plain", False)]:
            ws.send(f'42["{event}"]')
            assert ws.message('42["big"') == (deflated, expected[1]), event
        ws.send('42["small"]')
        assert ws.message('42["big"') == (False, '42["big","tiny"]')
    finally:
        ws.close()


def test_permessage_deflate_off_by_default_and_threshold(make_server) -> None:
    off = make_server()
    off.start()
    ws = RawWebSocket(off.url, "permessage-deflate")
    assert "sec-websocket-extensions" not in ws.headers
    ws.close()
    # 42["big","tiny"] is 16 bytes.
    low = make_server(per_message_deflate={"threshold": 16})
    serve_big(low)
    low.start()
    ws = RawWebSocket(low.url, "permessage-deflate")
    try:
        ws.message("0")
        ws.send("40")
        ws.message("40")
        ws.send('42["small"]')
        assert ws.message('42["big"') == (True, '42["big","tiny"]')
    finally:
        ws.close()


def polled(url: str, packet: str, headers: dict[str, str]) -> tuple[Any, bytes]:
    """Opens a polling session, joins "/", posts packet and returns the
    Content-Encoding and body of the GET that answers it."""
    parsed = urlparse(url)

    def request(method: str, path: str, body: Any = None, extra: Any = None) -> Any:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        conn.request(method, path, body=body, headers=extra or {})
        res = conn.getresponse()
        data = res.read()
        conn.close()
        return res, data

    base = "/socket.io/?EIO=4&transport=polling"
    _, opened = request("GET", base)
    path = base + "&sid=" + json.loads(opened[1:])["sid"]
    request("POST", path, "40")
    assert request("GET", path)[1].startswith(b"40")
    request("POST", path, packet)
    res, body = request("GET", path, extra=headers)
    return res.getheader("Content-Encoding"), body


@pytest.mark.parametrize("http_compression", [None, False])
def test_http_compression_of_polling_responses(make_server, http_compression) -> None:
    server = make_server(http_compression=http_compression)
    serve_big(server)
    server.start()
    expected = ("42" + json.dumps(["big", BIG], separators=(",", ":"))).encode()
    encoding, body = polled(server.url, '42["big"]', {"Accept-Encoding": "gzip"})
    if http_compression is False:
        assert (encoding, body) == (None, expected)
    else:
        assert encoding == "gzip" and gzip.decompress(body) == expected
    encoding, body = polled(server.url, '42["big-plain"]', {"Accept-Encoding": "gzip"})
    assert (encoding, body) == (None, expected)
    encoding, body = polled(server.url, '42["big"]', {"Accept-Encoding": "deflate"})
    if http_compression is not False:
        assert encoding == "deflate" and zlib.decompress(body) == expected


def test_compression_options_map_to_engine_io_keys() -> None:
    assert server_option_pairs({"per_message_deflate": True}) == [("perMessageDeflate", "true")]
    assert server_option_pairs({"per_message_deflate": {"threshold": 10}}) == [
        ("perMessageDeflate", "true"), ("perMessageDeflate.threshold", "10")]
    assert server_option_pairs({"http_compression": False}) == [("httpCompression", "false")]
    with pytest.raises(TypeError):
        server_option_pairs({"http_compression": {"level": 9}})


def test_our_client_deflates_both_ways_and_takes_compress_false(make_server) -> None:
    import queue

    from client_runners import BlockingClientRunner
    from waiting import next_item

    server = make_server(per_message_deflate=True)

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        socket.on("echo", lambda *args: socket.emit("echo", *args))

    server.start()
    for options in ({}, {"per_message_deflate": False}):
        runner = BlockingClientRunner(server.url, transports=["websocket"], **options)
        echoes: queue.Queue = queue.Queue()
        runner.client.on("echo", lambda *args: echoes.put(args))
        runner.start()
        try:
            runner.client.emit("echo", BIG)
            assert next_item(echoes) == (BIG,)
            runner.client.compress(False).emit("echo", BIG, 2)
            assert next_item(echoes) == (BIG, 2)
            runner.client.socket("/").compress(False).timeout(5).emit("echo", "small")
            assert next_item(echoes) == ("small",)
        finally:
            runner.stop()


def test_client_compression_option_maps_to_engine_io_keys() -> None:
    from sio._options import client_option_pairs

    assert client_option_pairs({"per_message_deflate": False}) == [("perMessageDeflate", "false")]
    assert client_option_pairs({"per_message_deflate": {"threshold": 0}}) == [
        ("perMessageDeflate", "true"), ("perMessageDeflate.threshold", "0")]
