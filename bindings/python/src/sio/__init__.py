"""libsio for Python: a Socket.IO v5 server and client on the libsio C core.

    import sio

    io = sio.Server(port=3000)

    @io.on("connection")
    def connection(socket):
        @socket.on("echo")
        def echo(*args):
            socket.emit("echo", *args)

    io.run()

AsyncServer is the same on an asyncio loop, with coroutine handlers; Client
and AsyncClient are the client side.
"""
from __future__ import annotations

from ._native import version as core_version
from ._asyncio_mode import Answer
from .asyncio_client import AsyncClient
from .asyncio_server import AsyncServer
from .client import Client
from .client_socket import ClientEmitter, ClientSocket
from .errors import (AckTimeoutError, AddressInUseError, BusyError, ClosedError,
                     ConnectionFailedError, ConnectionRefusedError, DisconnectedError,
                     InvalidArgumentError, NetworkError, NotFoundError, OutOfMemoryError,
                     PayloadTooLargeError, ProtocolError, ReservedEventError, SioError)
from .namespace import Namespace, ParentNamespace
from .operator import BroadcastOperator
from .server import Server
from .ack import Ack
from .socket import RemoteSocket, Socket, SocketEmitter

__version__ = "1.2.0"

__all__ = [
    "AckTimeoutError", "AddressInUseError", "Ack", "Answer", "AsyncClient", "AsyncServer",
    "Client", "ClientEmitter", "ClientSocket",
    "BroadcastOperator", "BusyError", "ClosedError", "ConnectionFailedError",
    "ConnectionRefusedError",
    "DisconnectedError", "InvalidArgumentError", "Namespace", "NetworkError", "ParentNamespace",
    "NotFoundError", "OutOfMemoryError", "PayloadTooLargeError", "ProtocolError",
    "RemoteSocket", "ReservedEventError", "Server", "SioError", "Socket",
    "SocketEmitter", "core_version",
]
