"""The compiled core: ffi and lib, the ABI version check, and return-code
checking that turns SIO_E* codes into exceptions (errors.py)."""
from __future__ import annotations

from typing import Any

from . import errors
from ._sio_cffi import ffi as ffi, lib as lib  # re-exported for the package

ABI_MAJOR = lib.SIO_VERSION_NUM >> 16

if lib.sio_version() >> 16 != ABI_MAJOR:
    raise ImportError(
        f"libsio {ffi.string(lib.sio_version_string()).decode()} has ABI major "
        f"{lib.sio_version() >> 16}; this package was built for {ABI_MAJOR}")

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
