"""Events copied out of the core's borrowed sio_event records."""
from __future__ import annotations

from typing import Any, Optional

from ._native import ffi, lib

EV_CONNECTION = lib.SIO_EV_CONNECTION
EV_CONNECT_REQUEST = lib.SIO_EV_CONNECT_REQUEST
EV_EVENT = lib.SIO_EV_EVENT
EV_ACK = lib.SIO_EV_ACK
EV_DISCONNECTING = lib.SIO_EV_DISCONNECTING
EV_DISCONNECT = lib.SIO_EV_DISCONNECT
EV_SOCKETS = lib.SIO_EV_SOCKETS
EV_ERROR = lib.SIO_EV_ERROR
EV_SERVER_CLOSED = lib.SIO_EV_SERVER_CLOSED
EV_CONNECT = lib.SIO_EV_CONNECT
EV_CONNECT_ERROR = lib.SIO_EV_CONNECT_ERROR
EV_RECONNECT_ATTEMPT = lib.SIO_EV_RECONNECT_ATTEMPT
EV_RECONNECT = lib.SIO_EV_RECONNECT
EV_RECONNECT_FAILED = lib.SIO_EV_RECONNECT_FAILED
EV_RECONNECT_ERROR = lib.SIO_EV_RECONNECT_ERROR
EV_EVENTS_LOST = lib.SIO_EV_EVENTS_LOST
EV_ALLOW_REQUEST = lib.SIO_EV_ALLOW_REQUEST
EV_UPGRADE = lib.SIO_EV_UPGRADE
EV_CONNECTION_ERROR = lib.SIO_EV_CONNECTION_ERROR

EVF_NEW_NAMESPACE = lib.SIO_EVF_NEW_NAMESPACE
EVF_BROADCAST = lib.SIO_EVF_BROADCAST
EVF_RECOVERED = lib.SIO_EVF_RECOVERED
EVF_FINAL = lib.SIO_EVF_FINAL


def copy_bins(raw: Any) -> list[bytes]:
    """The attachments of a sio_event record, copied."""
    bins = raw.bins
    copies = []
    for i in range(raw.nbins):
        buf = bins[i]
        size = buf.len
        copies.append(ffi.buffer(buf.data, size)[:] if size else b"")
    return copies


def _text(ptr: Any) -> Optional[str]:
    return ffi.string(ptr).decode("utf-8", "replace") if ptr != ffi.NULL else None


class Event:
    """One event, owning copies of everything (the record is only borrowed
    until the next sio_next_event)."""

    __slots__ = ("type", "flags", "req", "user", "socket_user", "nsp", "sid", "name",
                 "data", "bins", "ack_id", "err", "reason", "attempt", "count")

    def __init__(self, raw: Any) -> None:
        self.type: int = raw.type
        self.flags: int = raw.flags
        self.req: int = raw.req
        # The host tags, as addresses (void *): the owning Server or Client
        # (NULL for the context's own EV_EVENTS_LOST) and, on a server, the
        # Socket; ffi.from_handle turns them back into those objects.
        self.user: Any = raw.user
        self.socket_user: Any = raw.socket_user
        self.nsp: Optional[str] = _text(raw.nsp)
        self.sid: Optional[str] = _text(raw.sid)
        self.name: Optional[str] = _text(raw.name)
        self.data: Optional[bytes] = (
            ffi.unpack(raw.data, raw.data_len) if raw.data != ffi.NULL else None)
        self.bins: list[bytes] = copy_bins(raw) if raw.nbins else []
        self.ack_id: int = raw.ack_id
        self.err: int = raw.err
        self.reason: Optional[str] = _text(raw.reason)
        self.attempt: int = raw.attempt
        self.count: int = raw.count

    def __repr__(self) -> str:
        return (f"Event(type={self.type}, nsp={self.nsp!r}, sid={self.sid!r}, "
                f"name={self.name!r}, req={self.req}, err={self.err})")
