"""What a python-socketio user reaches for on a server, in its terms: sids,
rooms by sid, emit(..., to=, skip_sid=, namespace=), call() with its 60 s
default, @io.event. Each is a thin layer over the socket.io-shaped API."""
from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Callable, Optional

from . import errors
from ._target import Rooms, Target, room_tuple
from .operator import BroadcastOperator

if TYPE_CHECKING:
    from .namespace import Namespace
    from .socket import Socket

# python-socketio's default for call().
CALL_TIMEOUT = 60
_NO_DATA: Any = object()


def emit_args(args: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """python-socketio's data=: a tuple is several arguments, anything else
    one."""
    if data is _NO_DATA:
        return args
    if args:
        raise TypeError("emit() takes the arguments positionally or as data=, not both")
    return data if isinstance(data, tuple) else (data,)


def _positional_count(fn: Callable[..., Any]) -> int:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 0
    if any(p.kind == p.VAR_POSITIONAL for p in parameters):
        return 99
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


class SocketioHabits:
    """Mixed into ServerBase."""

    sockets: Namespace
    _sent: Any

    def of(self, name: str) -> Namespace:
        raise NotImplementedError

    def _namespace(self, namespace: Optional[str]) -> Namespace:
        return self.sockets if namespace is None else self.of(namespace)

    def _selection(self, to: Optional[Rooms], room: Optional[Rooms],
                   skip_sid: Optional[Rooms], namespace: Optional[str]) -> BroadcastOperator:
        operator = self._namespace(namespace)._all
        rooms = to if to is not None else room
        if rooms is not None:
            operator = operator.to(rooms)
        if skip_sid is not None:
            operator = operator.except_(skip_sid)
        return operator

    def call(self, event: str, *args: Any, data: Any = _NO_DATA, to: Optional[str] = None,
             sid: Optional[str] = None, namespace: Optional[str] = None,
             timeout: float = CALL_TIMEOUT) -> Any:
        """python-socketio's call(): emits to one client (to= or sid=) and
        returns its answer (one value, a tuple of several, or None); raises
        AckTimeoutError (a TimeoutError) after timeout seconds (60 by
        default). Blocks in Server; awaitable in AsyncServer."""
        who = to if to is not None else sid
        if not isinstance(who, str):
            raise TypeError("call() needs the client's sid as to= (or sid=)")
        target = Target(self._namespace(namespace).name, sid=who)
        return self._emit_with_ack(target, event, emit_args(args, data), timeout, False)

    def enter_room(self, sid: str, room: Rooms, namespace: Optional[str] = None) -> Any:
        """Returns what emit() does: awaitable in AsyncServer, as
        python-socketio's coroutine."""
        self._join(Target(self._namespace(namespace).name, sid=sid), room_tuple(room))
        return self._sent

    def leave_room(self, sid: str, room: Rooms, namespace: Optional[str] = None) -> Any:
        self._leave(Target(self._namespace(namespace).name, sid=sid), room_tuple(room))
        return self._sent

    def rooms(self, sid: str, namespace: Optional[str] = None) -> set[str]:
        """The rooms socket sid is in (its own sid among them)."""
        return self._rooms_of(sid)

    def event(self, handler: Optional[Callable[..., Any]] = None, *,
              namespace: Optional[str] = None) -> Any:
        """@io.event: the function's name is the event, as in python-socketio.
        handler(sid, *args) for a client's event (its return value answers
        the acknowledgement); connect(sid, environ[, auth]) runs before the
        socket joins (environ is the handshake; returning False or raising
        ConnectionRefusedError refuses it); disconnect(sid[, reason])."""
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            nsp = self._namespace(namespace)
            name = fn.__name__
            if name == "connect":
                nsp.use(self._connect_middleware(fn))
            elif name == "disconnect":
                with_reason = _positional_count(fn) >= 2

                def joined(socket: Socket) -> None:
                    socket.on("disconnect", lambda reason: fn(socket.id, reason)
                              if with_reason else fn(socket.id))
                nsp.on("connection", joined)
            else:
                nsp._sid_listeners.on(name, fn)
            return fn
        return register if handler is None else register(handler)

    @staticmethod
    def _connect_middleware(fn: Callable[..., Any]) -> Callable[[Socket], Any]:
        with_auth = _positional_count(fn) >= 3

        def middleware(socket: Socket) -> Any:
            auth = socket.handshake.get("auth")
            result = (fn(socket.id, socket.handshake, auth) if with_auth
                      else fn(socket.id, socket.handshake))
            if inspect.isawaitable(result):
                async def settle() -> None:
                    if await result is False:
                        raise errors.ConnectionRefusedError("Connection rejected by server")
                return settle()
            if result is False:
                raise errors.ConnectionRefusedError("Connection rejected by server")
            return None
        return middleware

    # What ServerBase provides.
    def _emit_with_ack(self, target: Target, event: str, args: Any,
                       timeout: Optional[float], volatile: bool) -> Any:
        raise NotImplementedError

    def _join(self, target: Target, rooms: tuple[str, ...]) -> None:
        raise NotImplementedError

    def _leave(self, target: Target, rooms: tuple[str, ...]) -> None:
        raise NotImplementedError

    def _rooms_of(self, sid: str) -> set[str]:
        raise NotImplementedError
