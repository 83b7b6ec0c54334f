"""Ack: the acknowledgement a peer asked for."""
from __future__ import annotations

import logging
from typing import Any, Callable

log = logging.getLogger("sio")


class Ack:
    """Call it once with the values to send back. Handlers that do not take
    an ``ack`` parameter answer with their return value instead (a tuple
    sends several values)."""

    def __init__(self, send: Callable[[tuple[Any, ...]], None], ack_id: int) -> None:
        self._send = send
        self._ack_id = ack_id
        # Emptied by the first call: list.pop is atomic, so of several
        # threads calling at once exactly one sends (and no lock is made per
        # message).
        self._unsent = [True]

    def __call__(self, *args: Any) -> None:
        try:
            self._unsent.pop()
        except IndexError:
            log.debug("acknowledgement %d already sent", self._ack_id)
            return
        self._send(args)

    def send_result(self, result: Any) -> None:
        """Sends a handler's return value: None -> no value, a tuple -> its
        items, anything else -> that one value."""
        if result is None:
            self()
        elif isinstance(result, tuple):
            self(*result)
        else:
            self(result)
