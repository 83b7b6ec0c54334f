"""A sio_message points into memory its Python object owns (the attachments'
array): the binding must keep that object, not only its ptr, until the call
that reads the message returns. A message dropped before the call left the
core reading freed memory (a crash seen once in CI, or wrong bytes sent)."""
from __future__ import annotations

import queue
import weakref
from typing import Any

import sio._message as message_module
from sio._answers import CBuffers
from waiting import next_item

SID = "s1"
HANDSHAKE = {"headers": {}, "query": {}, "auth": {}}


def track_attachments(monkeypatch, fake, command: str) -> list[bool]:
    """For each call of fake's command: whether every attachment array made so
    far was still alive when it was called."""
    alive: list[Any] = []
    seen: list[bool] = []

    class Tracked(CBuffers):
        def __init__(self, bins: list[Any]) -> None:
            super().__init__(bins)
            alive.append(weakref.ref(self))

    monkeypatch.setattr(message_module, "CBuffers", Tracked)
    real = getattr(fake, command)

    def checked(*args: Any) -> Any:
        seen.append(all(ref() is not None for ref in alive))
        return real(*args)

    monkeypatch.setattr(fake, command, checked)
    return seen


def test_an_ack_with_binary_keeps_its_attachments_through_the_call(fake, make_server, monkeypatch) -> None:
    seen = track_attachments(monkeypatch, fake, "sio_ack")
    server = make_server()
    server.io.on("connection", lambda s: s.on("q", lambda: b"\x01\x02"))
    server.start()
    fake.push(fake.SIO_EV_CONNECTION, nsp="/", sid=SID, data=HANDSHAKE)
    fake.push(fake.SIO_EV_EVENT, sid=SID, name="q", ack_id=1, data=[])
    assert fake.wait_command("ack")["bins"] == [b"\x01\x02"]
    assert seen == [True]


def test_an_emit_with_binary_keeps_its_attachments_through_the_call(fake, make_server, monkeypatch) -> None:
    seen = track_attachments(monkeypatch, fake, "sio_emit")
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    fake.push(fake.SIO_EV_CONNECTION, nsp="/", sid=SID, data=HANDSHAKE)
    socket = next_item(sockets)
    server.call(lambda: socket.to("room").emit("blob", b"\x03"))
    assert fake.wait_command("emit")["bins"] == [b"\x03"]
    assert seen == [True]
