"""A server's or client's core handle, released once its Python object is
done with it (sio_server_free / sio_client_free after close), so that a
program making and closing clients in a loop keeps flat memory."""
from __future__ import annotations

import threading
from typing import Any, Callable

from . import errors
from ._native import lib


class Handle:
    """Commands reach the core through call() from any thread; free() takes
    the same lock, so no command can use the handle while or after it is
    released: they raise ClosedError instead."""

    __slots__ = ("_ptr", "_release", "_lock", "_what")

    def __init__(self, ptr: Any, release: Callable[[Any], None], what: str) -> None:
        self._ptr = ptr
        self._release = release
        self._lock = threading.Lock()
        self._what = what

    def call(self, command: Callable[..., Any], *args: Any) -> Any:
        """What command(handle, *args) returns (a return code, mostly)."""
        with self._lock:
            if self._ptr is None:
                raise errors.ClosedError(f"the {self._what} is closed and released",
                                         lib.SIO_ECLOSED)
            return command(self._ptr, *args)

    @property
    def freed(self) -> bool:
        return self._ptr is None

    def free(self) -> None:
        """Releases the handle (once; later calls do nothing). From then on
        the core hands out no event of it."""
        with self._lock:
            if self._ptr is not None:
                self._release(self._ptr)
                self._ptr = None
