"""Who an operation applies to (io.of(nsp).to(rooms).except_(rooms), or one
socket), and its sio_target form for a call."""
from __future__ import annotations

import functools
from typing import Any, Iterable, NamedTuple, Optional, Union

from ._native import ffi, lib

# The size field the header's SIO_TARGET_INIT sets.
TARGET_SIZE = ffi.sizeof("sio_target")
Rooms = Union[str, Iterable[str]]


def room_tuple(rooms: Rooms) -> tuple[str, ...]:
    if isinstance(rooms, str):
        return (rooms,)
    result = tuple(rooms)
    for room in result:
        if not isinstance(room, str):
            raise TypeError(f"a room is a str, not {type(room).__name__}")
    return result


class Target(NamedTuple):
    """Who an operation applies to; the core decides which sockets that is."""

    nsp: str
    sid: Optional[str] = None
    rooms: tuple[str, ...] = ()
    except_rooms: tuple[str, ...] = ()
    local: bool = False  # io.local: this node only (with an adapter)


class CStrings:
    """C copies of Python strings, alive as long as this object."""

    def __init__(self) -> None:
        self._keep: list[Any] = []

    def string(self, text: str) -> Any:
        ptr = ffi.new("char[]", text.encode("utf-8"))
        self._keep.append(ptr)
        return ptr

    def array(self, texts: tuple[str, ...]) -> Any:
        if not texts:
            return ffi.NULL
        ptr = ffi.new("const char *[]", [self.string(text) for text in texts])
        self._keep.append(ptr)
        return ptr


def c_target(target: Target, strings: CStrings) -> Any:
    """A sio_target * for target; its memory lives as long as strings."""
    ptr = ffi.new("sio_target *")
    ptr.size = TARGET_SIZE
    ptr.nsp = strings.string(target.nsp)
    if target.sid is not None:
        ptr.sid = strings.string(target.sid)
    ptr.rooms = strings.array(target.rooms)
    ptr.nrooms = len(target.rooms)
    # "except" is a Python keyword, hence setattr.
    setattr(ptr, "except", strings.array(target.except_rooms))
    ptr.nexcept = len(target.except_rooms)
    ptr.flags = lib.SIO_TARGET_LOCAL if target.local else 0
    return ptr


class CTarget:
    """A sio_target together with the C strings it points to."""

    def __init__(self, target: Target) -> None:
        self._strings = CStrings()
        self.ptr = c_target(target, self._strings)


@functools.lru_cache(maxsize=4096)
def c_target_of(target: Target) -> CTarget:
    """The C form of a target, made once: targets repeat (a socket's own, a
    room), and since the core copies what it reads, one struct serves every
    call from every thread."""
    return CTarget(target)
