"""sio_message: what an emit or an acknowledgement carries, in C form."""
from __future__ import annotations

import functools
from typing import Any

from ._answers import CBuffers
from ._native import ffi

# The size field the header's SIO_MESSAGE_INIT sets: the library reads only
# the fields that an old caller's struct has.
MESSAGE_SIZE = ffi.sizeof("sio_message")
_new = ffi.new
_from_buffer = ffi.from_buffer
_NULL = ffi.NULL


def c_event_name(name: str) -> Any:
    """The event name as a C string; TypeError for anything but a str."""
    if not isinstance(name, str):
        raise TypeError(f"an event name is a str, not {type(name).__name__}")
    return _c_string(name)


@functools.lru_cache(maxsize=1024)
def _c_string(name: str) -> Any:
    """Made once per name: the core copies what it reads, so one serves every
    call from every thread."""
    return ffi.new("char[]", name.encode("utf-8"))


class CMessage:
    """A sio_message over encoded arguments (JSON text and attachments),
    alive with the memory it points into as long as this object: keep the
    object, not only its ptr, until the call that reads it returns."""

    __slots__ = ("ptr", "_keep")

    def __init__(self, event: str, data: bytes, bins: Any = (),
                 flags: int = 0, timeout_ms: int = 0) -> None:
        """An emit's message; TypeError unless event is a str."""
        self._fill(c_event_name(event), data, bins, flags, timeout_ms)

    @classmethod
    def answer(cls, data: bytes, bins: Any = ()) -> CMessage:
        """An acknowledgement's message (no event name)."""
        message = cls.__new__(cls)
        message._fill(_NULL, data, bins, 0, 0)
        return message

    def _fill(self, name: Any, data: bytes, bins: Any, flags: int, timeout_ms: int) -> None:
        text = _from_buffer(data)
        if bins:
            buffers = CBuffers(list(bins))
            array, count = buffers.array, buffers.count
            self._keep: Any = (text, buffers)
        else:
            array, count = _NULL, 0
            self._keep = text
        self.ptr = _new("sio_message *", (
            MESSAGE_SIZE, name, text, len(data), array, count, flags, timeout_ms))
