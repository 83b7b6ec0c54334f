"""socket.data across connection state recovery: socket.io gives a restored
socket the data it had; the core keeps ids and rooms but cannot hold Python
objects, so the binding keeps the data of the sockets whose session the core
keeps, for as long as it keeps them."""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

# The disconnect reasons after which the core keeps a session (socket.io's
# RECOVERABLE_DISCONNECT_REASONS, but "server shutting down": the store ends
# with the server).
RECOVERABLE = frozenset({"transport error", "transport close", "forced close",
                         "ping timeout", "forced server close"})


class KeptData:
    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._kept: OrderedDict[tuple[str, str], tuple[float, Any]] = OrderedDict()

    def keep(self, nsp: str, sid: str, reason: str, data: Any) -> None:
        self._expire()
        if reason in RECOVERABLE:
            self._kept[(nsp, sid)] = (time.monotonic(), data)

    def take(self, nsp: str, sid: str) -> Any:
        """The data socket sid of nsp had, or {} when none is kept."""
        self._expire()
        kept = self._kept.pop((nsp, sid), None)
        return {} if kept is None else kept[1]

    def _expire(self) -> None:
        limit = time.monotonic() - self._seconds
        while self._kept and next(iter(self._kept.values()))[0] < limit:
            self._kept.popitem(last=False)
