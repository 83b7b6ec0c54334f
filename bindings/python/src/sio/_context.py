"""A libsio context: the core's I/O thread, its event queue and the pump.

Each event goes to the Server or Client it belongs to, found from the host
tag the core hands back (ev->user, set with sio_server_set_user /
sio_client_set_user to an ffi.new_handle of the object); an event of the
context itself (EV_EVENTS_LOST, no tag) goes to every object registered here.
"""
from __future__ import annotations

from typing import Any, Optional, Protocol

from ._event import EV_EVENTS_LOST, Event
from ._native import check, ffi, lib


_next_events = lib.sio_next_events
_from_handle = ffi.from_handle
_NULL = ffi.NULL
# Events taken from the core per pump call: one call and one lock for them all.
BATCH = 64


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
        self._batch = ffi.new("const sio_event *[]", BATCH)
        # The batch's records self._next.. are not handed out yet.
        self._taken = 0
        self._next = 0
        # Who gets EV_EVENTS_LOST.
        self._owners: list[EventOwner] = []

    @property
    def fd(self) -> int:
        """Readable while events are pending (for select/poll/add_reader)."""
        return int(lib.sio_context_fd(self.ptr))

    def register(self, owner: EventOwner) -> None:
        self._owners.append(owner)

    def next_event(self, timeout_ms: int) -> Optional[Event]:
        """The next event (copied), or None when the wait ended without one.
        Only one thread at a time may call this (BusyError otherwise). Inside
        a handler run by pump(), it first returns the rest of pump()'s batch,
        which pump() then leaves alone: taking more from the core would free
        those records."""
        if self._next < self._taken:
            self._next += 1
            return Event(self._batch[self._next - 1])
        if check(_next_events(self.ptr, timeout_ms, self._batch, 1)) == 0:
            self._taken = self._next = 0
            return None
        self._taken = self._next = 1
        return Event(self._batch[0])

    def pump(self, timeout_ms: int) -> int:
        """Takes the pending events, up to a batch, and hands each to its
        owner without copying it first; returns how many (0 when the wait
        ended without one). One thread at a time, as next_event()."""
        batch = self._batch
        taken = _next_events(self.ptr, timeout_ms, batch, BATCH)
        if taken <= 0:
            self._taken = self._next = 0
            check(taken)
            return 0
        self._taken = taken
        self._next = 0
        while self._next < self._taken:
            raw = batch[self._next]
            self._next += 1
            user = raw.user
            if user != _NULL:
                _from_handle(user)._take(raw)
            elif raw.type == EV_EVENTS_LOST:
                for each in list(self._owners):
                    each._take(raw)
        return taken

    def route(self, event: Event) -> None:
        if event.user != _NULL:
            _from_handle(event.user)._handle_event(event)
        elif event.type == EV_EVENTS_LOST:
            for each in list(self._owners):
                each._handle_event(event)

    def wakeup(self) -> None:
        """Makes a waiting next_event() return early; any thread."""
        check(lib.sio_context_wakeup(self.ptr))
