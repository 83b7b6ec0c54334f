"""Commands waiting for an answer (SIO_EV_ACK, SIO_EV_SOCKETS, SIO_EV_ERROR),
by the request id the core returned.

The command and the registration of its answer handler happen under one lock
that the pump also takes to look the answer up: a fast answer pumped by
another thread can never arrive before its handler is registered.
"""
from __future__ import annotations

import threading
from typing import Callable, Optional

from ._event import Event

AnswerHandler = Callable[[Event], None]


class Requests:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._handlers: dict[int, AnswerHandler] = {}

    def add(self, req: int, handler: AnswerHandler) -> None:
        """Call with ``lock`` held, right after the command returned req."""
        self._handlers[req] = handler

    def pop(self, req: int) -> Optional[AnswerHandler]:
        with self.lock:
            return self._handlers.pop(req, None)

    def take_all(self) -> list[tuple[int, AnswerHandler]]:
        """Every waiting command, forgotten here: for when the core will not
        answer them any more (its handle was released)."""
        with self.lock:
            waiting, self._handlers = self._handlers, {}
        return list(waiting.items())
