"""sio_message: what an emit or an acknowledgement carries, in C form."""
from __future__ import annotations

import functools
from typing import Any, Optional

from ._answers import CBuffers
from ._native import ffi

# The size field the header's SIO_MESSAGE_INIT sets: the library reads only
# the fields that an old caller's struct has.
MESSAGE_SIZE = ffi.sizeof("sio_message")
_new = ffi.new
_from_buffer = ffi.from_buffer
_NULL = ffi.NULL


@functools.lru_cache(maxsize=1024)
def c_event_name(name: str) -> Any:
    """The event name as a C string, made once per name: the core copies
    what it reads, so one serves every call from every thread."""
    return ffi.new("char[]", name.encode("utf-8"))


class CMessage:
    """A sio_message over encoded arguments (JSON text and attachments),
    alive with the memory it points into as long as this object."""

    __slots__ = ("ptr", "_keep")

    def __init__(self, event: Optional[str], data: bytes, bins: Any = (),
                 flags: int = 0, timeout_ms: int = 0) -> None:
        text = _from_buffer(data)
        if bins:
            buffers = CBuffers(list(bins))
            array, count = buffers.array, buffers.count
            self._keep: Any = (text, buffers)
        else:
            array, count = _NULL, 0
            self._keep = text
        self.ptr = _new("sio_message *", (
            MESSAGE_SIZE, _NULL if event is None else c_event_name(event), text, len(data),
            array, count, flags, timeout_ms))
