"""Server(host=, reuse_port=, tls_cert=, tls_key=): our client over HTTPS
with tls_ca, handshake["secure"], certificate files that do not load, host
names and IPv6, two servers on one port."""
from __future__ import annotations

import queue
import socket as net
import subprocess
from pathlib import Path
from typing import Any

import pytest

import sio
from client_runners import BlockingClientRunner
from waiting import next_item


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder: Path = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return str(cert), str(key)


@pytest.mark.parametrize("transports", [["polling"], ["websocket"], ["polling", "websocket"]])
def test_our_client_over_tls(make_server, cert, transports) -> None:
    runner = make_server(tls_cert=cert[0], tls_key=cert[1])
    secure: queue.Queue = queue.Queue()

    def on_connection(socket: Any) -> Any:
        secure.put(socket.handshake["secure"])
        socket.on("echo", lambda *args: socket.emit("echo", *args))
    runner.io.on("connection", on_connection)
    runner.start()
    client = BlockingClientRunner(f"https://localhost:{runner.io.port}", tls_ca=cert[0],
                                  transports=transports, reconnection=False)
    echoes: queue.Queue = queue.Queue()
    client.client.on("echo", lambda *args: echoes.put(args))
    client.start()
    try:
        assert next_item(secure) is True
        client.client.emit("echo", "over tls", b"\x00\x01")
        assert next_item(echoes) == ("over tls", b"\x00\x01")
    finally:
        client.stop()


def test_certificate_files_that_do_not_load(cert, tmp_path) -> None:
    with pytest.raises(sio.InvalidArgumentError, match="tls.cert: cannot load /nonexistent.pem"):
        sio.Server(host="127.0.0.1", port=0, tls_cert="/nonexistent.pem", tls_key=cert[1])
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key\n")
    with pytest.raises(sio.InvalidArgumentError, match="tls.key: cannot load"):
        sio.Server(host="127.0.0.1", port=0, tls_cert=cert[0], tls_key=str(garbage))
    with pytest.raises(sio.InvalidArgumentError, match="tls.cert and tls.key go together"):
        sio.Server(host="127.0.0.1", port=0, tls_cert=cert[0])


def test_a_plain_server_says_not_secure(make_server) -> None:
    runner = make_server()
    secure: queue.Queue = queue.Queue()
    runner.io.on("connection", lambda socket: secure.put(socket.handshake["secure"]))
    runner.start()
    client = BlockingClientRunner(runner.url, reconnection=False)
    client.start()
    try:
        assert next_item(secure) is False
    finally:
        client.stop()


def _has_ipv6() -> bool:
    try:
        with net.socket(net.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize("host", ["localhost", "::1", "::"])
def test_host_names_and_ipv6(host) -> None:
    if ":" in host and not _has_ipv6():
        pytest.skip("no IPv6")
    io = sio.Server(host=host, port=0)
    try:
        assert io.port > 0
    finally:
        io.close()


def test_listen_failures() -> None:
    with pytest.raises(sio.NetworkError, match="getaddrinfo ENOTFOUND no-such-host.invalid"):
        sio.Server(host="no-such-host.invalid", port=0)
    first = sio.Server(host="127.0.0.1", port=0)
    try:
        with pytest.raises(sio.AddressInUseError,
                           match=f"listen EADDRINUSE: address already in use 127.0.0.1:{first.port}"):
            sio.Server(host="127.0.0.1", port=first.port)
    finally:
        first.close()


def test_reuse_port_lets_two_servers_share_a_port() -> None:
    first = sio.Server(host="127.0.0.1", port=0, reuse_port=True)
    try:
        second = sio.Server(host="127.0.0.1", port=first.port, reuse_port=True)
        assert second.port == first.port
        second.close()
    finally:
        first.close()
