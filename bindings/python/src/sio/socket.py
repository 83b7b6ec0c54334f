"""Socket: one client's connection to one namespace, as its handlers see it."""
from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Callable, Optional

from . import errors
from ._listeners import Handler, Listeners, dispatch
from ._native import ffi
from ._target import CTarget, Rooms, Target, room_tuple
from .operator import BroadcastOperator

log = logging.getLogger("sio")
# socket.use(fn): fn([event, *args], next).
PacketMiddleware = Callable[[list, Callable[..., None]], Any]

if TYPE_CHECKING:
    from ._server_base import ServerBase
    from .ack import Ack
    from .namespace import Namespace


class SocketEmitter:
    """socket.timeout(s), socket.volatile and socket.compress(False): emits
    to one socket."""

    def __init__(self, socket: Socket, timeout: Optional[float] = None,
                 volatile: bool = False, compress: bool = True) -> None:
        self._socket = socket
        self._timeout = timeout
        self._volatile = volatile
        self._compress = compress

    def timeout(self, seconds: float) -> SocketEmitter:
        return SocketEmitter(self._socket, seconds, self._volatile, self._compress)

    @property
    def volatile(self) -> SocketEmitter:
        return SocketEmitter(self._socket, self._timeout, True, self._compress)

    def compress(self, value: bool) -> SocketEmitter:
        return SocketEmitter(self._socket, self._timeout, self._volatile, bool(value))

    # As socket.io's flags: they carry over into a broadcast from this socket,
    # in whichever order the chain names them.
    @property
    def broadcast(self) -> BroadcastOperator:
        """Every socket of the namespace but this one, with these flags."""
        return self._socket.broadcast._with(timeout=self._timeout, volatile=self._volatile)

    def to(self, rooms: Rooms) -> BroadcastOperator:
        """The sockets in these rooms, this one left out, with these flags."""
        return self.broadcast.to(rooms)

    in_ = to

    def except_(self, rooms: Rooms) -> BroadcastOperator:
        return self.broadcast.except_(rooms)

    def emit(self, event: str, *args: Any,
             callback: Optional[Callable[..., Any]] = None) -> Any:
        """Emits to the client. With callback, the client's acknowledgement
        calls callback(*values); after timeout(s), callback(err, *values)
        where err is None or the AckTimeoutError/DisconnectedError. Returns
        None in Server, a done awaitable in AsyncServer."""
        socket = self._socket
        socket._check_connected()
        socket._notify_outgoing(event, args)
        server = socket.nsp.server
        if callback is None:
            server._emit(socket._target, event, args, volatile=self._volatile,
                         compress=self._compress)
        else:
            server._emit_with_callback(socket._target, event, args, callback,
                                       self._timeout, self._volatile, self._compress)
        return server._sent

    def emit_with_ack(self, event: str, *args: Any) -> Any:
        """The client's answer: its one value, a tuple of several, or None.
        Raises AckTimeoutError (after timeout(s)) or DisconnectedError. Blocks
        in Server; awaitable in AsyncServer."""
        socket = self._socket
        socket._check_connected()
        socket._notify_outgoing(event, args)
        return socket.nsp.server._emit_with_ack(socket._target, event, args,
                                                self._timeout, self._volatile,
                                                self._compress)


class Connection:
    """socket.conn: the Engine.IO connection under the socket. Its
    "upgrade" event, handler(transport_name), comes when it moves to
    WebSocket."""

    def __init__(self, socket: Socket) -> None:
        self._socket = socket
        self._listeners = Listeners()

    @property
    def transport(self) -> Optional[str]:
        """"polling" or "websocket", asked of the core; None once the socket
        is gone."""
        return self._socket.server._transport_of(self._socket.id)

    def on(self, event: str, handler: Optional[Handler] = None) -> Any:
        return self._listeners.on(event, handler)

    def off(self, event: str, handler: Optional[Handler] = None) -> None:
        self._listeners.off(event, handler)


# What the core holds for a socket whose data was never set.
_CORE_DEFAULT = "{}"


class Socket:
    """A connected client in a namespace. ``data`` is free for the
    application (set it in a middleware, read it in handlers), as socket.io's
    socket.data; other nodes of a cluster see it in their fetch_sockets()
    when it is JSON (dict, list, str, int, float, bool, None). ``rooms`` asks
    the core."""

    def __init__(self, nsp: Namespace, sid: str, handshake: dict[str, Any]) -> None:
        self.nsp = nsp
        self.id = sid
        self.handshake = handshake
        self._data: Any = {}
        # The JSON the core holds (None: unknown, push at the next chance).
        self._pushed: Optional[str] = _CORE_DEFAULT
        self._unsendable = False
        self.connected = False
        self.recovered = False
        self._sid = sid.encode()
        # The core hands this back with the socket's events (ev->socket_user)
        # once the server set it; alive as long as the socket.
        self._user = ffi.new_handle(self)
        self._listeners = Listeners()
        self._any: list[Handler] = []
        self._any_outgoing: list[Handler] = []
        self._packet_middlewares: list[PacketMiddleware] = []
        self._target = Target(nsp.name, sid=sid)
        self._c_target = CTarget(self._target)
        self.conn = Connection(self)

    def __repr__(self) -> str:
        return f"<Socket {self.id} {self.nsp.name}>"

    @property
    def server(self) -> ServerBase:
        return self.nsp.server

    @property
    def data(self) -> Any:
        """socket.data. Assigning it hands its JSON to the core at once, for
        other nodes' fetch_sockets(); what a handler or middleware of this
        socket changes inside it (socket.data["n"] += 1) is handed over when
        the handler returns (a coroutine handler: when it ends). A change
        made elsewhere goes at the socket's next event, or at once by
        assigning it again (socket.data = socket.data). A value that is not
        JSON stays here only (logged once)."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value
        self._push_data()

    @property
    def rooms(self) -> set[str]:
        """The rooms this socket is in (its own id among them), as the core
        has them once every command issued before has run (so a join() just
        made is in); empty once the socket is disconnected, as in
        python-socketio. Asks the core's I/O thread on each call."""
        if not self.connected:
            return set()
        return self.server._rooms_of(self.id)

    # Handlers ---------------------------------------------------------------
    def on(self, event: str, handler: Optional[Handler] = None) -> Any:
        """Registers a handler for an event from the client ("disconnect" and
        "disconnecting" get the reason). As a call or a decorator."""
        return self._listeners.on(event, handler)

    def once(self, event: str, handler: Optional[Handler] = None) -> Any:
        """As on(), for the next occurrence only."""
        return self._listeners.once(event, handler)

    def off(self, event: str, handler: Optional[Handler] = None) -> None:
        self._listeners.off(event, handler)

    def on_any(self, handler: Handler) -> Handler:
        """handler(event, *args) for every event from the client."""
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
        """handler(event, *args) for every emit to this socket, called by
        the thread that emits."""
        self._any_outgoing.append(handler)
        self.nsp._outgoing_watchers.add(self)
        return handler

    def off_any_outgoing(self, handler: Optional[Handler] = None) -> None:
        self._any_outgoing = ([] if handler is None
                              else [h for h in self._any_outgoing if h != handler])

    def prepend_any_outgoing(self, handler: Handler) -> Handler:
        self._any_outgoing.insert(0, handler)
        self.nsp._outgoing_watchers.add(self)
        return handler

    def listeners_any_outgoing(self) -> list[Handler]:
        return list(self._any_outgoing)

    def use(self, middleware: PacketMiddleware) -> PacketMiddleware:
        """middleware(packet, next) runs for each event from the client, in
        the order added, before its handlers: packet is the list [event,
        *args] (it may change it), next() passes it on, next(err) drops it
        and hands err to the socket's "error" handlers; a middleware that
        raises does the same. As a call or a decorator."""
        if not callable(middleware):
            raise TypeError("a middleware must be callable")
        self._packet_middlewares.append(middleware)
        return middleware

    # Emitting ---------------------------------------------------------------
    def emit(self, event: str, *args: Any,
             callback: Optional[Callable[..., Any]] = None) -> Any:
        """Emits to the client; see SocketEmitter.emit for callback and what
        it returns."""
        if callback is not None or self._any_outgoing or not self.connected:
            return SocketEmitter(self).emit(event, *args, callback=callback)
        server = self.nsp.server  # the common case, kept short
        server._emit_plain(self._c_target.ptr, event, args)
        return server._sent

    def emit_with_ack(self, event: str, *args: Any) -> Any:
        """Waits for the client's answer without a time limit (until it
        answers or disconnects); see timeout()."""
        return SocketEmitter(self).emit_with_ack(event, *args)

    def send(self, *args: Any, callback: Optional[Callable[..., Any]] = None) -> Any:
        """emit("message", *args)."""
        return self.emit("message", *args, callback=callback)

    def timeout(self, seconds: float) -> SocketEmitter:
        return SocketEmitter(self, timeout=seconds)

    @property
    def volatile(self) -> SocketEmitter:
        return SocketEmitter(self, volatile=True)

    def compress(self, value: bool) -> SocketEmitter:
        """compress(False): this emit goes without permessage-deflate or HTTP
        compression."""
        return SocketEmitter(self, compress=bool(value))

    @property
    def broadcast(self) -> BroadcastOperator:
        """Every socket of the namespace but this one."""
        return BroadcastOperator(self.server, Target(self.nsp.name, except_rooms=(self.id,)))

    def to(self, rooms: Rooms) -> BroadcastOperator:
        """The sockets in these rooms, this one left out."""
        return self.broadcast.to(rooms)

    in_ = to

    def except_(self, rooms: Rooms) -> BroadcastOperator:
        return self.broadcast.except_(rooms)

    # Rooms and connection ---------------------------------------------------
    def join(self, rooms: Rooms) -> None:
        names = room_tuple(rooms)
        self.server._join(self._target, names)

    def leave(self, room: str) -> None:
        self.server._leave(self._target, room_tuple(room))

    def disconnect(self, close: bool = False) -> Socket:
        """Leaves the namespace ("server namespace disconnect"); close=True
        closes the whole connection."""
        self.server._disconnect(self._target, close)
        return self

    # Used by the server -----------------------------------------------------
    def _push_data(self) -> None:
        """Hands data's JSON to the core when it differs from what the core
        holds; only while connected (the core knows no other socket)."""
        data = self._data
        if not self.connected or (self._pushed == _CORE_DEFAULT and type(data) is dict
                                  and not data):
            return
        try:
            text = json.dumps(data, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as error:
            if not self._unsendable:
                self._unsendable = True
                log.warning("socket %s: socket.data is not JSON, other nodes will not "
                            "see it: %s", self.id, error)
            return
        if text == self._pushed:
            return
        try:
            self.server._set_data(self._sid, text)
        except errors.SioError as error:
            log.warning("socket %s: socket.data not handed to the core: %s", self.id, error)
            return
        self._pushed = text
        self._unsendable = False

    def _check_connected(self) -> None:
        if not self.connected:
            raise errors.DisconnectedError(f"socket {self.id} is disconnected")

    def _notify_outgoing(self, event: str, args: tuple[Any, ...]) -> None:
        for handler in self._any_outgoing:
            self.server._invoke(handler, (event, *args))

    def _dispatch(self, event: str, args: list[Any], ack: Optional[Ack]) -> None:
        if self._packet_middlewares:
            # As socket.io: the catch-all handlers see the packet before the
            # middlewares do.
            for handler in self._any:
                self.server._invoke(handler, (event, *args))
            self._through_middlewares([event, *args], ack, 0)
        else:
            self._deliver(self._any, event, args, ack)

    def _deliver(self, any_handlers: list[Handler], event: str, args: list[Any],
                 ack: Optional[Ack]) -> None:
        dispatch(self.server, any_handlers, self._listeners, event, args, ack)
        sid_listeners = self.nsp._sid_listeners
        if sid_listeners.get(event):
            dispatch(self.server, [], sid_listeners, event, [self.id, *args], ack)

    def _through_middlewares(self, packet: list[Any], ack: Optional[Ack], index: int) -> None:
        middlewares = self._packet_middlewares
        if index == len(middlewares):
            self._deliver([], packet[0], packet[1:], ack)
            return
        passed = False

        def next_(err: Optional[BaseException] = None) -> None:
            nonlocal passed
            if passed:
                return
            passed = True
            if err is not None:
                self._report_error(err)
            else:
                self._through_middlewares(packet, ack, index + 1)

        try:
            middlewares[index](packet, next_)
        except Exception as error:  # noqa: BLE001 - handed to the "error" handlers
            next_(error)

    def _report_error(self, err: BaseException) -> None:
        listeners = self._listeners.get("error")
        if not listeners:
            log.warning("socket %s: a middleware refused a packet: %s", self.id, err)
        for listener in listeners:
            self.server._invoke(listener.fn, (err,))


class RemoteSocket:
    """A socket as fetch_sockets() reports it."""

    def __init__(self, server: ServerBase, info: dict[str, Any], data: Any) -> None:
        self._server = server
        self.id: str = info["id"]
        self.nsp: str = info.get("nsp", "/")
        self.rooms: set[str] = set(info.get("rooms", ()))
        self.handshake: dict[str, Any] = info.get("handshake") or {}
        self.data = data
        # On another node of the cluster ("remote"), the socket is reached
        # through the room of its id, as Node's RemoteSocket does.
        self.remote: bool = bool(info.get("remote"))
        target = Target(self.nsp, rooms=(self.id,)) if self.remote else Target(self.nsp, sid=self.id)
        self._operator = BroadcastOperator(server, target)

    def __repr__(self) -> str:
        return f"<RemoteSocket {self.id} {self.nsp}>"

    def emit(self, event: str, *args: Any) -> Any:
        return self._operator.emit(event, *args)

    def timeout(self, seconds: float) -> BroadcastOperator:
        return self._operator.timeout(seconds)

    def join(self, rooms: Rooms) -> None:
        self._operator.sockets_join(rooms)

    def leave(self, room: str) -> None:
        self._operator.sockets_leave(room)

    def disconnect(self, close: bool = False) -> None:
        self._operator.disconnect_sockets(close)
