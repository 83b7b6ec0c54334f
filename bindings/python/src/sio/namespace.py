"""Namespace: io.of("/name"), with its handlers, middlewares and sockets."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Optional, Pattern, Union

from ._listeners import Handler, Listeners
from ._target import CTarget, Rooms, Target
from .operator import BroadcastOperator

if TYPE_CHECKING:
    from ._server_base import ServerBase
    from .socket import Socket

Middleware = Callable[["Socket"], Any]
# io.of(matcher): a regular expression searched in the name, or
# fn(name, auth) -> whether to accept it.
Matcher = Union[Pattern[str], Callable[[str, Any], Any]]


class Namespace:
    def __init__(self, server: ServerBase, name: str,
                 parent: Optional[ParentNamespace] = None) -> None:
        self.server = server
        self.name = name
        # The dynamic namespace this one was made from (io.of(matcher)): its
        # middlewares are this one's, its "connection" handlers run too.
        self.parent = parent
        # Connected sockets by id, as the pumping thread has seen them.
        self.sockets: dict[str, Socket] = {}
        self._listeners = Listeners()
        # A child runs its parent's middlewares, as socket.io's do.
        # @io.event handlers: handler(sid, *args) for any socket's event.
        self._sid_listeners = Listeners()
        # Sockets with on_any_outgoing handlers: broadcasts notify them too,
        # as socket.io's adapter notifies each recipient.
        self._outgoing_watchers: set[Socket] = set()
        self._middlewares: list[Middleware] = parent._middlewares if parent else []
        # Sockets accepted by the middlewares whose connection has not been
        # reported yet; they keep what the middlewares put in socket.data.
        self._accepted: dict[str, Socket] = {}
        self._c_all = CTarget(Target(name))

    def __repr__(self) -> str:
        return f"<Namespace {self.name}>"

    def on(self, event: str, handler: Optional[Handler] = None) -> Any:
        """"connection" (or "connect"): handler(socket) for each new socket.
        As a call or a decorator."""
        return self._listeners.on(event, handler)

    def once(self, event: str, handler: Optional[Handler] = None) -> Any:
        return self._listeners.once(event, handler)

    def off(self, event: str, handler: Optional[Handler] = None) -> None:
        self._listeners.off(event, handler)

    def use(self, middleware: Middleware) -> Middleware:
        """middleware(socket) runs before a socket connects, in the order
        added; it refuses the connection by raising
        sio.ConnectionRefusedError(message, data). As a call or a decorator."""
        if not callable(middleware):
            raise TypeError("a middleware must be callable")
        if not self._middlewares:
            self.server._declare_namespace(self.name, middleware=True)
        self._middlewares.append(middleware)
        return middleware

    @property
    def _all(self) -> BroadcastOperator:
        return BroadcastOperator(self.server, Target(self.name))

    def to(self, rooms: Rooms) -> BroadcastOperator:
        return self._all.to(rooms)

    in_ = to

    def except_(self, rooms: Rooms) -> BroadcastOperator:
        return self._all.except_(rooms)

    def timeout(self, seconds: float) -> BroadcastOperator:
        return self._all.timeout(seconds)

    @property
    def local(self) -> BroadcastOperator:
        return self._all.local

    @property
    def volatile(self) -> BroadcastOperator:
        return self._all.volatile

    def compress(self, value: bool) -> BroadcastOperator:
        return self._all.compress(value)

    def emit(self, event: str, *args: Any,
             callback: Optional[Callable[..., Any]] = None) -> Any:
        if callback is None and not self._outgoing_watchers:  # the common broadcast, kept short
            self.server._emit_plain(self._c_all.ptr, event, args)
            return self.server._sent
        return self._all.emit(event, *args, callback=callback)

    def send(self, *args: Any) -> Any:
        return self._all.emit("message", *args)

    def _notify_outgoing(self, target: Target, event: str, args: tuple[Any, ...]) -> None:
        """Calls the on_any_outgoing handlers of the sockets target selects
        (asking the core for each one's rooms)."""
        for socket in tuple(self._outgoing_watchers):
            if not socket.connected:
                self._outgoing_watchers.discard(socket)
                continue
            if target.sid is not None and target.sid != socket.id:
                continue
            rooms = socket.rooms
            if target.rooms and not rooms.intersection(target.rooms):
                continue
            if rooms.intersection(target.except_rooms):
                continue
            socket._notify_outgoing(event, args)

    def fetch_sockets(self) -> Any:
        return self._all.fetch_sockets()

    def sockets_join(self, rooms: Rooms) -> None:
        self._all.sockets_join(rooms)

    def sockets_leave(self, rooms: Rooms) -> None:
        self._all.sockets_leave(rooms)

    def disconnect_sockets(self, close: bool = False) -> None:
        self._all.disconnect_sockets(close)


class ParentNamespace(Namespace):
    """io.of(matcher), socket.io's dynamic namespaces: every name the matcher
    accepts becomes a child namespace when a client first asks for it, with
    this one's middlewares and "connection" handlers. emit() reaches the
    sockets of every child."""

    def __init__(self, server: ServerBase, matcher: Matcher) -> None:
        super().__init__(server, "*")
        self._matcher = matcher
        self.children: dict[str, Namespace] = {}

    def __repr__(self) -> str:
        return f"<ParentNamespace {self._matcher!r}>"

    def matches(self, name: str, handshake: dict[str, Any]) -> bool:
        if isinstance(self._matcher, re.Pattern):
            return self._matcher.search(name) is not None
        return bool(self._matcher(name, handshake.get("auth")))

    def use(self, middleware: Middleware) -> Middleware:
        # The core asks for every dynamic name already (see ServerBase.of).
        if not callable(middleware):
            raise TypeError("a middleware must be callable")
        self._middlewares.append(middleware)
        return middleware

    def create_child(self, name: str) -> Namespace:
        # The server keeps it in children once it takes it.
        return Namespace(self.server, name, parent=self)

    def emit(self, event: str, *args: Any,
             callback: Optional[Callable[..., Any]] = None) -> Any:
        for child in tuple(self.children.values()):
            child.emit(event, *args, callback=callback)
        return self.server._sent
