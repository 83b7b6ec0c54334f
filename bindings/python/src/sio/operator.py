"""BroadcastOperator: io.to(...).except_(...).timeout(...).emit(...) and the
other operations on a selection of sockets (fetch_sockets, sockets_join, ...).
Immutable: every modifier returns a new operator."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from ._target import Rooms, Target, room_tuple

if TYPE_CHECKING:
    from ._server_base import ServerBase


class BroadcastOperator:
    def __init__(self, server: ServerBase, target: Target,
                 timeout: Optional[float] = None, volatile: bool = False,
                 compress: bool = True) -> None:
        self._server = server
        self._target = target
        self._timeout = timeout
        self._volatile = volatile
        self._compress = compress

    def _with(self, **changes: Any) -> BroadcastOperator:
        return BroadcastOperator(self._server, changes.get("target", self._target),
                                 changes.get("timeout", self._timeout),
                                 changes.get("volatile", self._volatile),
                                 changes.get("compress", self._compress))

    def to(self, rooms: Rooms) -> BroadcastOperator:
        """Only the sockets in these rooms (added to earlier to() calls)."""
        return self._with(target=self._target._replace(
            rooms=self._target.rooms + room_tuple(rooms)))

    in_ = to

    def except_(self, rooms: Rooms) -> BroadcastOperator:
        """Leaves out the sockets in these rooms."""
        return self._with(target=self._target._replace(
            except_rooms=self._target.except_rooms + room_tuple(rooms)))

    @property
    def local(self) -> BroadcastOperator:
        """This node only: the other nodes of the adapter's cluster are left
        out (io.local)."""
        return self._with(target=self._target._replace(local=True))

    def timeout(self, seconds: float) -> BroadcastOperator:
        """How long acknowledgements are waited for (needed for acks)."""
        return self._with(timeout=seconds)

    @property
    def volatile(self) -> BroadcastOperator:
        """Drops the packet for clients that are not ready to receive it."""
        return self._with(volatile=True)

    def compress(self, value: bool) -> BroadcastOperator:
        """compress(False): sent without permessage-deflate or HTTP
        compression (the server's per_message_deflate, http_compression)."""
        return self._with(compress=bool(value))

    def emit(self, event: str, *args: Any,
             callback: Optional[Callable[..., Any]] = None) -> Any:
        """Emits to every selected socket. With callback (and a timeout),
        callback(err, responses) runs once every socket answered or the time
        is up (err is an AckTimeoutError then). Returns None in Server, a
        done awaitable in AsyncServer (see AsyncServer.emit)."""
        self._notify_outgoing(event, args)
        if callback is None:
            self._server._emit(self._target, event, args, volatile=self._volatile,
                               compress=self._compress)
            return self._server._sent
        self._need_timeout()
        self._server._emit_with_callback(self._target, event, args, callback,
                                         self._timeout, self._volatile, self._compress)
        return self._server._sent

    def emit_with_ack(self, event: str, *args: Any) -> Any:
        """The list of the sockets' responses (their first argument each).
        Raises AckTimeoutError when some did not answer in time (its
        ``responses`` holds those that did). Blocks in Server; awaitable in
        AsyncServer."""
        self._need_timeout()
        self._notify_outgoing(event, args)
        return self._server._emit_with_ack(self._target, event, args,
                                           self._timeout, self._volatile, self._compress)

    def _notify_outgoing(self, event: str, args: tuple[Any, ...]) -> None:
        namespace = self._server._namespaces.get(self._target.nsp)
        if namespace is not None and namespace._outgoing_watchers:
            namespace._notify_outgoing(self._target, event, args)

    def _need_timeout(self) -> None:
        if self._target.sid is None and self._timeout is None:
            raise ValueError("acknowledgements of a broadcast need .timeout(seconds)")

    def fetch_sockets(self) -> Any:
        """The selected sockets as RemoteSocket objects (blocks in Server;
        awaitable in AsyncServer)."""
        return self._server._fetch_sockets(self._target)

    def sockets_join(self, rooms: Rooms) -> None:
        self._server._join(self._target, room_tuple(rooms))

    def sockets_leave(self, rooms: Rooms) -> None:
        self._server._leave(self._target, room_tuple(rooms))

    def disconnect_sockets(self, close: bool = False) -> None:
        """The selected sockets leave the namespace; with close=True their
        whole connection is closed."""
        self._server._disconnect(self._target, close)
