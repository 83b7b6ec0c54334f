"""The blocking pump: runs a context's events through their handlers in the
calling thread, and lets a blocking call (emit_with_ack, fetch_sockets) wait
for its answer even from inside a handler."""
from __future__ import annotations

import threading
from collections import deque
from typing import Callable, Optional

from ._context import Context
from ._event import EV_ACK, EV_ERROR, EV_SOCKETS, Event

# Bounds each wait in the core so that Ctrl-C (which Python only sees between
# calls) and stop() are noticed promptly; events themselves wake it at once.
WAIT_SLICE_MS = 250
ANSWERS = (EV_ACK, EV_SOCKETS, EV_ERROR)


class BlockingPump:
    def __init__(self, context: Context) -> None:
        self._context = context
        # Events pumped while a handler waited for an answer; handlers run
        # only from run(), in order.
        self._deferred: deque[Event] = deque()
        self._thread: Optional[int] = None
        self._stopping = False
        # Held by the thread that takes events (run(), or a blocking call
        # pumping for its answer), so that two threads never do at once.
        self._taking = threading.RLock()

    def run(self, until: Callable[[], bool]) -> None:
        """Pumps and dispatches in this thread until until() or stop()."""
        with self._taking:
            self._enter()
            try:
                while not until() and not self._stopping:
                    if self._deferred:
                        self._context.route(self._deferred.popleft())
                        continue
                    self._context.pump(WAIT_SLICE_MS)
            finally:
                self._stopping = False
                self._thread = None

    def run_pending(self) -> None:
        """Dispatches the events already queued, without waiting."""
        with self._taking:
            self._enter()
            try:
                while self._deferred:
                    self._context.route(self._deferred.popleft())
                while self._context.pump(0):
                    pass
            finally:
                self._thread = None

    def _enter(self) -> None:
        me = threading.get_ident()
        if self._thread == me:
            raise RuntimeError("the pump was called from a handler")
        if self._thread is not None:
            raise RuntimeError("another thread is already pumping")
        self._thread = me

    def stop(self) -> None:
        """Makes run() return soon (or the next run() at once); any thread."""
        self._stopping = True
        self._context.wakeup()

    def idle(self) -> bool:
        """True while no thread pumps."""
        return self._thread is None

    def can_pump_here(self) -> bool:
        """True in the thread that runs the pump, or in any thread while no
        thread does: there a blocking call pumps for its own answer."""
        return self._thread in (None, threading.get_ident())

    def wait_for_answer(self, req: int, done: Callable[[], bool]) -> None:
        """Pumps until done(), routing only the answers to req; every other
        event waits in order for run(). Should another thread start
        pumping meanwhile, that one delivers the answer."""
        while not self._taking.acquire(timeout=WAIT_SLICE_MS / 1000):
            if done():
                return
        try:
            self._wait_for_answer(req, done)
        finally:
            self._taking.release()

    def _wait_for_answer(self, req: int, done: Callable[[], bool]) -> None:
        for answer in [e for e in self._deferred if e.req == req and e.type in ANSWERS]:
            self._deferred.remove(answer)
            self._context.route(answer)
        while not done():
            event = self._context.next_event(WAIT_SLICE_MS)
            if event is None:
                continue
            if event.req == req and event.type in ANSWERS:
                self._context.route(event)
            else:
                self._deferred.append(event)
