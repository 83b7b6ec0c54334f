"""A libsio context: the core's I/O thread, its event queue and the pump.

Servers and clients made on a context register here under their handle, so
that each event is routed to the object it belongs to.
"""
from __future__ import annotations

from typing import Any, Optional, Protocol

from ._event import Event
from ._native import check, ffi, lib


_next_event = lib.sio_next_event


class EventOwner(Protocol):
    def _handle_event(self, event: Event) -> None: ...

    def _take(self, raw: Any) -> None:
        """Handles a borrowed sio_event record, valid only during the call
        (a fast path may read just the fields it needs)."""


class Context:
    def __init__(self) -> None:
        out = ffi.new("sio_context **")
        check(lib.sio_context_new(out))
        self.ptr: Any = ffi.gc(out[0], lib.sio_context_free)
        self._event_out = ffi.new("const sio_event **")
        # By handle pointer (cdata pointers hash and compare by address).
        self._owners: dict[Any, EventOwner] = {}

    @property
    def fd(self) -> int:
        """Readable while events are pending (for select/poll/add_reader)."""
        return int(lib.sio_context_fd(self.ptr))

    def register(self, handle: Any, owner: EventOwner) -> None:
        self._owners[handle] = owner

    def next_event(self, timeout_ms: int) -> Optional[Event]:
        """The next event (copied), or None when the wait ended without one.
        Only one thread at a time may call this (BusyError otherwise)."""
        if check(lib.sio_next_event(self.ptr, timeout_ms, self._event_out)) == 0:
            return None
        return Event(self._event_out[0])

    def pump(self, timeout_ms: int) -> bool:
        """Takes the next event and hands it to its owner without copying it
        first; False when the wait ended without one. One thread at a time,
        as next_event()."""
        out = self._event_out
        rc = _next_event(self.ptr, timeout_ms, out)
        if rc <= 0:
            check(rc)
            return False
        raw = out[0]
        owners = self._owners
        owner = owners.get(raw.server) or owners.get(raw.client)
        if owner is not None:
            owner._take(raw)
        return True

    def route(self, event: Event) -> None:
        owner = self._owners.get(event.owner)
        if owner is not None:
            owner._handle_event(event)

    def wakeup(self) -> None:
        """Makes a waiting next_event() return early; any thread."""
        check(lib.sio_context_wakeup(self.ptr))
