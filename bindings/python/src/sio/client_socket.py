"""ClientSocket: a client's connection to one namespace (socket.io-client's
Socket)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from ._listeners import Handler, Listeners, dispatch

if TYPE_CHECKING:
    from ._client_base import ClientBase
    from .ack import Ack


class ClientEmitter:
    """socket.timeout(s), socket.volatile and socket.compress(False) of a
    client socket."""

    def __init__(self, socket: ClientSocket, timeout: Optional[float] = None,
                 volatile: bool = False, compress: bool = True) -> None:
        self._socket = socket
        self._timeout = timeout
        self._volatile = volatile
        self._compress = compress

    def timeout(self, seconds: float) -> ClientEmitter:
        return ClientEmitter(self._socket, seconds, self._volatile, self._compress)

    @property
    def volatile(self) -> ClientEmitter:
        return ClientEmitter(self._socket, self._timeout, True, self._compress)

    def compress(self, value: bool) -> ClientEmitter:
        return ClientEmitter(self._socket, self._timeout, self._volatile, bool(value))

    def emit(self, event: str, *args: Any,
             callback: Optional[Callable[..., Any]] = None) -> Any:
        """Emits to the server (buffered while disconnected, unless volatile).
        With callback, the server's acknowledgement calls callback(*values);
        after timeout(s), callback(err, *values) where err is None or the
        AckTimeoutError. Returns None in Client; in AsyncClient an awaitable
        that is already done (python-socketio's `await sio.emit(...)`)."""
        socket = self._socket
        socket._notify_outgoing(event, args)
        client = socket.client
        if callback is None:
            client._emit(socket.nsp, event, args, volatile=self._volatile,
                         compress=self._compress)
        else:
            client._emit_with_callback(socket.nsp, event, args, callback, self._timeout,
                                       self._volatile, self._compress)
        return client._sent

    def emit_with_ack(self, event: str, *args: Any) -> Any:
        """The server's answer: its one value, a tuple of several, or None.
        Raises AckTimeoutError after timeout(s). Blocks in Client; awaitable
        in AsyncClient."""
        socket = self._socket
        socket._notify_outgoing(event, args)
        return socket.client._emit_with_ack(socket.nsp, event, args, self._timeout,
                                            self._volatile, self._compress)


class ClientSocket:
    """One namespace of a client. Besides the server's events, handlers may
    listen to "connect", "connect_error" (a ConnectionRefusedError when
    the server refused, a ConnectionFailedError when an attempt failed) and
    "disconnect" (the reason)."""

    def __init__(self, client: ClientBase, nsp: str) -> None:
        self.client = client
        self.nsp = nsp
        self.id: Optional[str] = None
        self.connected = False
        self.recovered = False
        self._listeners = Listeners()
        self._any: list[Handler] = []
        self._any_outgoing: list[Handler] = []
        # False once this socket will not connect again (left, refused for
        # good, or the client closed).
        self._active = True
        self._last_error: Optional[BaseException] = None

    def __repr__(self) -> str:
        return f"<ClientSocket {self.nsp} {self.id}>"

    def on(self, event: str, handler: Optional[Handler] = None) -> Any:
        """As a call or a decorator."""
        return self._listeners.on(event, handler)

    def once(self, event: str, handler: Optional[Handler] = None) -> Any:
        """As on(), for the next occurrence only."""
        return self._listeners.once(event, handler)

    def off(self, event: str, handler: Optional[Handler] = None) -> None:
        self._listeners.off(event, handler)

    def on_any(self, handler: Handler) -> Handler:
        """handler(event, *args) for every event from the server."""
        self._any.append(handler)
        return handler

    def off_any(self, handler: Optional[Handler] = None) -> None:
        self._any = [] if handler is None else [h for h in self._any if h != handler]

    def prepend_any(self, handler: Handler) -> Handler:
        """As on_any(), called before the catch-all handlers added earlier."""
        self._any.insert(0, handler)
        return handler

    def listeners_any(self) -> list[Handler]:
        """The catch-all handlers, in the order they are called."""
        return list(self._any)

    def on_any_outgoing(self, handler: Handler) -> Handler:
        """handler(event, *args) for every emit of this socket, called by the
        thread that emits."""
        self._any_outgoing.append(handler)
        return handler

    def off_any_outgoing(self, handler: Optional[Handler] = None) -> None:
        self._any_outgoing = ([] if handler is None
                              else [h for h in self._any_outgoing if h != handler])

    def prepend_any_outgoing(self, handler: Handler) -> Handler:
        self._any_outgoing.insert(0, handler)
        return handler

    def listeners_any_outgoing(self) -> list[Handler]:
        return list(self._any_outgoing)

    def emit(self, event: str, *args: Any,
             callback: Optional[Callable[..., Any]] = None) -> Any:
        return ClientEmitter(self).emit(event, *args, callback=callback)

    def emit_with_ack(self, event: str, *args: Any) -> Any:
        return ClientEmitter(self).emit_with_ack(event, *args)

    def send(self, *args: Any, callback: Optional[Callable[..., Any]] = None) -> Any:
        """emit("message", *args)."""
        return self.emit("message", *args, callback=callback)

    def timeout(self, seconds: float) -> ClientEmitter:
        return ClientEmitter(self, timeout=seconds)

    @property
    def volatile(self) -> ClientEmitter:
        return ClientEmitter(self, volatile=True)

    def compress(self, value: bool) -> ClientEmitter:
        """compress(False): this emit goes without permessage-deflate."""
        return ClientEmitter(self, compress=bool(value))

    def disconnect(self) -> None:
        """Leaves the namespace ("io client disconnect")."""
        self.client._leave(self)

    def _notify_outgoing(self, event: str, args: tuple[Any, ...]) -> None:
        for handler in self._any_outgoing:
            self.client._invoke(handler, (event, *args))

    def _dispatch(self, event: str, args: list[Any], ack: Optional[Ack]) -> None:
        dispatch(self.client, self._any, self._listeners, event, args, ack)
