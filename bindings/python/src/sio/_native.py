"""The compiled core: ffi and lib, the ABI version check, and return-code
checking that turns SIO_E* codes into exceptions (errors.py).

The version check is what lets the rest of the package read every field of
the header's sio_event without looking at its size: a library of the same
major and at least the header's minor fills all of them."""
from __future__ import annotations

from typing import Any

from . import errors
from ._sio_cffi import ffi as ffi, lib as lib  # re-exported for the package



def _major_minor(version_num: int) -> tuple[int, int]:
    """(major, minor) of a SIO_VERSION_NUM (0xMMmmpp)."""
    return version_num >> 16, (version_num >> 8) & 0xff


def check_version(loaded: int, built: int, loaded_text: str) -> None:
    """Raises ImportError unless the loaded library (sio_version()) has the
    header's major and at least its minor."""
    major, minor = _major_minor(loaded)
    want_major, want_minor = _major_minor(built)
    if major != want_major or minor < want_minor:
        raise ImportError(
            f"libsio {loaded_text} ({major}.{minor}) does not fit this package, built for "
            f"{want_major}.x with x >= {want_minor}")


check_version(lib.sio_version(), lib.SIO_VERSION_NUM,
              ffi.string(lib.sio_version_string()).decode("utf-8", "replace"))

# Code value -> name, from the compiled enum (no numbers repeated here).
CODE_NAMES: dict[int, str] = dict(ffi.typeof("enum sio_error").elements)


def error_for(code: int, message: str) -> errors.SioError:
    return errors.error_class(CODE_NAMES.get(code, ""))(message, code)


def check(rc: int) -> int:
    """Returns rc when it is not an error, else raises with sio_last_error()."""
    if rc < 0:
        raise error_for(rc, to_str(lib.sio_last_error()) or to_str(lib.sio_strerror(rc)))
    return rc


def to_str(ptr: Any) -> str:
    """A borrowed C string as str ("" for NULL)."""
    return ffi.string(ptr).decode("utf-8", "replace") if ptr != ffi.NULL else ""


def version() -> str:
    return to_str(lib.sio_version_string())
