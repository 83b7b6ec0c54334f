"""What servers and clients share about payloads in calls and the answers
that come back: attachments in C form, errors in answers, and the shape of an
acknowledgement's values."""
from __future__ import annotations

import concurrent.futures
from typing import Any, Callable, Optional

from . import errors
from ._event import EV_ERROR, Event
from ._native import error_for, ffi, lib, to_str
from ._requests import AnswerHandler

NO_ERROR = 0


class CBuffers:
    """A sio_buf array over the attachments, alive (with the memory it
    points into) as long as this object."""

    def __init__(self, bins: list[Any]) -> None:
        self.count = len(bins)
        if not bins:
            self.array: Any = ffi.NULL
            return
        self._keep = [ffi.from_buffer(value.tobytes() if type(value) is memoryview
                                      and not value.contiguous else value)
                      for value in bins]
        self.array = ffi.new("sio_buf[]", [(buffer, len(buffer)) for buffer in self._keep])


def answer_error(event: Event) -> Optional[errors.SioError]:
    """The exception an answer (ACK, SOCKETS or ERROR event) carries, if any."""
    if event.type == EV_ERROR or event.err != NO_ERROR:
        code = event.err or lib.SIO_EIO
        return error_for(code, event.reason or to_str(lib.sio_strerror(code)))
    return None


def released_answer(req: int, what: str) -> Event:
    """The answer a command gets when its server or client was released
    before the core answered it: a ClosedError."""
    raw = ffi.new("sio_event *")
    raw.size = ffi.sizeof("sio_event")
    raw.type = EV_ERROR
    raw.req = req
    raw.ack_id = -1
    raw.err = lib.SIO_ECLOSED
    reason = ffi.new("char[]", f"the {what} was closed before the answer came".encode())
    raw.reason = reason
    return Event(raw)


def single_answer(values: list[Any]) -> Any:
    """One peer's acknowledgement as emit_with_ack returns it: its one value,
    a tuple of several, or None."""
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


def request(start: Callable[[AnswerHandler], int], result: Callable[[Event], Any],
            wait: Callable[[concurrent.futures.Future[Any], int], Any]) -> Any:
    """Starts a command (start returns its request id) whose answer becomes
    result(answer event); returns what wait makes of the pending future."""
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()

    def on_answer(answer: Event) -> None:
        try:
            future.set_result(result(answer))
        except BaseException as error:  # handed to the waiting caller
            future.set_exception(error)

    return wait(future, start(on_answer))
