"""Exceptions of the sio package: one class per SIO_E* code of the core.

Each class names its code (``code_name``); the numeric value is taken from the
compiled header at run time, so this module never repeats the header's
numbers. ``SioError.code`` holds that value once an error was raised.
"""
from __future__ import annotations

import builtins
from typing import Any, Optional


class SioError(Exception):
    """A failure reported by the libsio core, with the core's message."""

    code_name = ""

    def __init__(self, message: str, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class InvalidArgumentError(SioError, ValueError):
    code_name = "SIO_EINVAL"


class OutOfMemoryError(SioError, MemoryError):
    code_name = "SIO_ENOMEM"


class ClosedError(SioError):
    code_name = "SIO_ECLOSED"


class BusyError(SioError):
    code_name = "SIO_EBUSY"


class ReservedEventError(SioError, ValueError):
    code_name = "SIO_ERESERVED"


class NotFoundError(SioError, LookupError):
    code_name = "SIO_ENOTFOUND"


class AckTimeoutError(SioError, TimeoutError):
    """An acknowledgement did not come in time. For a broadcast,
    ``responses`` holds the answers that did come."""

    code_name = "SIO_ETIMEDOUT"

    def __init__(self, message: str, code: Optional[int] = None,
                 responses: Optional[list[Any]] = None) -> None:
        super().__init__(message, code)
        self.responses: list[Any] = responses if responses is not None else []


class DisconnectedError(SioError):
    code_name = "SIO_EDISCONNECTED"


class AddressInUseError(SioError, OSError):
    code_name = "SIO_EADDRINUSE"


class NetworkError(SioError, OSError):
    code_name = "SIO_EIO"


class ProtocolError(SioError):
    code_name = "SIO_EPROTO"


class PayloadTooLargeError(SioError, ValueError):
    code_name = "SIO_ETOOBIG"


ERROR_CLASSES: dict[str, type[SioError]] = {
    cls.code_name: cls for cls in (
        InvalidArgumentError, OutOfMemoryError, ClosedError, BusyError,
        ReservedEventError, NotFoundError, AckTimeoutError, DisconnectedError,
        AddressInUseError, NetworkError, ProtocolError, PayloadTooLargeError,
    )
}


def error_class(code_name: str) -> type[SioError]:
    """The exception class for a code name; SioError for a code this version
    of the package does not know yet."""
    return ERROR_CLASSES.get(code_name, SioError)


class ConnectionRefusedError(SioError):  # noqa: A001 - the socket.io name
    """A server's refusal of a namespace. Raised by a middleware (``io.use``)
    to refuse a connection: the client gets a connect_error with ``message``
    and ``data``. A client reports the server's refusal with it (the
    namespace stays out until asked again)."""

    def __init__(self, message: str = "Connection refused", data: Any = None) -> None:
        super().__init__(message)
        self.data = data


class ConnectionFailedError(SioError, builtins.ConnectionError):
    """A client's connection could not be made or was lost before the
    namespace answered: the network, TLS, the connect timeout (socket.io-
    client's TransportError). ``message`` is the core's reason ("timeout",
    "xhr poll error: ...", "websocket error: ...", "transport close", ...).
    Reconnection goes on as configured."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
