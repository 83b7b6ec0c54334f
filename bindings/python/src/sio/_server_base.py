"""What Server and AsyncServer share: the core server handle, commands, and
turning the core's events into handler calls. The two differ only in how
handlers are called (plain or coroutine), how answers are waited for
(blocking or awaitable) and how the pump runs."""
from __future__ import annotations

import concurrent.futures
import logging
import re
import threading
from functools import partial
from typing import Any, Callable, Optional, Union

from . import errors
from ._answers import answer_error, released_answer, request, single_answer
from ._cluster import CLUSTER_EVENTS, ClusterMixin
from ._context import Context
from ._event import (EV_ACK, EV_ALLOW_REQUEST, EV_CONNECT_REQUEST, EV_CONNECTION,
                     EV_CONNECTION_ERROR, EV_DISCONNECT, EV_DISCONNECTING, EV_ERROR, EV_EVENT,
                     EV_EVENTS_LOST, EV_SERVER_CLOSED, EV_SOCKETS, EV_UPGRADE, EVF_BROADCAST,
                     EVF_RECOVERED, Event, copy_bins)
from ._handle import Handle
from ._listeners import Handler, report_lost
from ._message import CMessage
from ._native import check, ffi, lib
from ._options import milliseconds, server_option_pairs
from ._payload import decode, decode_text, encode, encode_one
from ._recovery import KeptData
from ._requests import AnswerHandler, Requests
from ._target import CStrings, Rooms, Target, c_target, c_target_of
from ._socketio_habits import _NO_DATA, SocketioHabits, emit_args
from .namespace import Middleware, Namespace, ParentNamespace
from .operator import BroadcastOperator
from .ack import Ack
from .socket import RemoteSocket, Socket

log = logging.getLogger("sio")
_string = ffi.string
_unpack = ffi.unpack
_from_handle = ffi.from_handle
_sio_emit = lib.sio_emit
_NULL = ffi.NULL

MAIN_NAMESPACE = "/"
CONNECTION_ERROR = "connection_error"

# What allow_request hands back: accept (True, or a dict of headers for the
# handshake's response) or refuse (False, None, or raising).
AllowRequest = Callable[[dict[str, Any]], Any]


class ServerBase(SocketioHabits, ClusterMixin):
    """A Socket.IO server. Options are the official server options in
    snake_case; durations in seconds: host, port (0 picks a free one), path,
    ping_interval, ping_timeout, connect_timeout, upgrade_timeout,
    headers_timeout, request_timeout (0 turns either off),
    max_http_buffer_size, transports, allow_upgrades, allow_eio3 (Engine.IO
    v3 clients, socket.io-client 2.x),
    cors={"origin": ..., "credentials": ...}, serve_client, static_dir,
    parser ("json" or "msgpack"), max_queued_events; reuse_port (share the
    port with other processes that ask for it too), tls_cert and tls_key (PEM
    files: HTTPS and WSS). host may be an IPv4 or IPv6 address or a name.
    engine.io's allow_request (below), cookie (True for engine.io's defaults, a name, or
    {"name", "path", "http_only", "same_site"}), initial_headers and headers
    (dicts of header names to values added to the handshake's response, and
    to every polling response and WebSocket handshake).

    allow_request(request) decides whether a new connection may open
    (engine.io's allowRequest): request is a dict {"method", "url",
    "headers", "query", "address", ...}. It returns True, or a dict of
    headers for the handshake's response (a sticky-session cookie), to
    accept; False or None to refuse (HTTP 403 "Forbidden"); raising
    sio.ConnectionRefusedError(message) refuses with that message. A
    coroutine function in AsyncServer. Left unanswered for connect_timeout,
    the core refuses it.

    io.on("connection_error", handler(error)) hears every request the engine
    refused, error being {"code", "message", "context", "req"} as
    engine.io's connection_error gives them (without a handler, each one is
    logged as a warning).

    connection_state_recovery={"max_disconnection_duration": seconds,
    "skip_middlewares": True} turns on connection state recovery
    (socket.recovered tells a restored socket).

    adapter="redis://host:port" joins a cluster of @socket.io/redis-adapter
    nodes (Node.js or libsio) on that Redis, adapter_key ("socket.io") and
    adapter_requests_timeout (5 s) as the Node adapter's key and
    requestsTimeout: broadcasts, fetch_sockets, sockets_join/leave and
    disconnect_sockets then reach every node (io.local: this one only);
    server_side_emit / server_side_emit_with_ack and io.on(name) for the
    other nodes' server-side events; io.on("adapter_down", handler(reason))
    and io.on("adapter_up", handler()) when Redis goes and comes back.
    adapter_sharded=True speaks the protocol of the same package's
    createShardedAdapter instead (Redis 7 sharded pub/sub), with
    adapter_subscription_mode "dynamic" (the default), "static" or
    "dynamic-private" as its subscriptionMode.

    Once closed (close(), then the core's report that it is), the core's
    server is released (sio_server_free); later commands raise ClosedError."""

    def __init__(self, allow_request: Optional[AllowRequest] = None, **options: Any) -> None:
        if allow_request is not None and not callable(allow_request):
            raise TypeError("allow_request must be callable")
        self._allow_request = allow_request
        recovery = options.get("connection_state_recovery")
        self._kept_data: Optional[KeptData] = None
        if recovery not in (None, False):
            given = recovery if isinstance(recovery, dict) else {}
            seconds = given.get("max_disconnection_duration")
            self._kept_data = KeptData(120 if seconds is None else seconds)
        pairs = server_option_pairs(options) + [("connectionErrorEvents", "true")]
        if allow_request is not None:
            pairs.append(("allowRequest", "true"))
        self._context = Context()
        self._handle = Handle(self._new_server(pairs), lib.sio_server_free, "server")
        # The core hands this back in each event of the server (ev->user);
        # it must live as long as the server can report events.
        self._user = ffi.new_handle(self)
        self._call(lib.sio_server_set_user, self._user)
        self._context.register(self)
        self._requests = Requests()
        # The socket whose handlers run now (the pumping thread): a handler
        # that goes on as a task hands its socket.data over when it ends.
        self._dispatching: Optional[Socket] = None
        self._namespaces: dict[str, Namespace] = {}
        self._parents: list[ParentNamespace] = []
        self.closed = False
        self._closing = False
        self._close_lock = threading.Lock()
        self.sockets = self.of(MAIN_NAMESPACE)

    def _new_server(self, pairs: list[tuple[str, str]]) -> Any:
        holder = ffi.new("sio_options **")
        check(lib.sio_options_new(holder))
        opts = ffi.gc(holder[0], lib.sio_options_free)
        for key, value in pairs:
            check(lib.sio_options_set(opts, key.encode(), value.encode()))
        out = ffi.new("sio_server **")
        check(lib.sio_server_new(self._context.ptr, opts, out))
        return out[0]

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return self._call(lib.sio_server_port)

    @property
    def fd(self) -> int:
        """The core's event descriptor: readable while events are pending."""
        return self._context.fd

    # The API of io: namespaces, and the main namespace's operations ----------
    def of(self, name: Any) -> Namespace:
        """The namespace called name (created on first use); "chat" is
        "/chat", as in socket.io. A regular expression (re.compile) or a
        function fn(name, auth) -> bool makes a dynamic namespace
        (ParentNamespace) for every name it accepts."""
        if isinstance(name, re.Pattern) or callable(name):
            parent = ParentNamespace(self, name)
            if not self._parents:
                # Every name not declared otherwise now asks the host first.
                self._declare_namespace("*", middleware=True)
            self._parents.append(parent)
            return parent
        if not isinstance(name, str):
            raise TypeError(f"a namespace name is a str, not {type(name).__name__}")
        if not name.startswith("/"):
            name = "/" + name
        namespace = self._namespaces.get(name)
        if namespace is None:
            self._declare_namespace(name, middleware=False)
            namespace = self._add_namespace(Namespace(self, name))
        return namespace

    def _add_namespace(self, namespace: Namespace) -> Namespace:
        """Keeps a namespace new to the server; every one but "/" is
        announced to io.on("new_namespace", handler(nsp)), declared or
        dynamic, as socket.io does."""
        self._namespaces[namespace.name] = namespace
        if namespace.parent is not None:
            namespace.parent.children[namespace.name] = namespace
        if namespace.name != MAIN_NAMESPACE:
            for listener in self.sockets._listeners.get("new_namespace"):
                self._invoke(listener.fn, (namespace,))
        return namespace

    def on(self, event: str, handler: Optional[Handler] = None) -> Any:
        """io.on("connection", handler(socket)) on the main namespace;
        io.on("events_lost", handler(count)) when the core could not queue
        some events (out of memory, or too many left unread)."""
        return self.sockets.on(event, handler)

    def once(self, event: str, handler: Optional[Handler] = None) -> Any:
        return self.sockets.once(event, handler)

    def use(self, middleware: Middleware) -> Middleware:
        return self.sockets.use(middleware)

    def emit(self, event: str, *args: Any, data: Any = _NO_DATA, to: Optional[Rooms] = None,
             room: Optional[Rooms] = None, skip_sid: Optional[Rooms] = None,
             namespace: Optional[str] = None,
             callback: Optional[Callable[..., Any]] = None) -> Any:
        """io.emit(event, *args) to every socket of the main namespace. As
        in python-socketio, data= (a tuple is several arguments), to=/room=
        (rooms, or a sid), skip_sid= (left out), namespace= select others;
        with callback and to= a single sid, callback(*values) gets that
        client's answer. Returns None in Server; in AsyncServer an
        awaitable that is already done, so that `await io.emit(...)` works as
        in python-socketio."""
        args = emit_args(args, data)
        if to is None and room is None and skip_sid is None and namespace is None:
            return self.sockets.emit(event, *args, callback=callback)
        single = to if to is not None else room
        if callback is not None and isinstance(single, str) and skip_sid is None:
            target = Target(self._namespace(namespace).name, sid=single)
            self._emit_with_callback(target, event, args, callback, None, False)
            return self._sent
        return self._selection(to, room, skip_sid, namespace).emit(event, *args,
                                                                   callback=callback)

    def send(self, *args: Any) -> Any:
        return self.sockets.send(*args)

    def to(self, rooms: Rooms) -> BroadcastOperator:
        return self.sockets.to(rooms)

    in_ = to

    def except_(self, rooms: Rooms) -> BroadcastOperator:
        return self.sockets.except_(rooms)

    def timeout(self, seconds: float) -> BroadcastOperator:
        return self.sockets.timeout(seconds)

    @property
    def volatile(self) -> BroadcastOperator:
        return self.sockets.volatile

    def compress(self, value: bool) -> BroadcastOperator:
        return self.sockets.compress(value)

    def fetch_sockets(self) -> Any:
        return self.sockets.fetch_sockets()

    def sockets_join(self, rooms: Rooms) -> None:
        self.sockets.sockets_join(rooms)

    def sockets_leave(self, rooms: Rooms) -> None:
        self.sockets.sockets_leave(rooms)

    def disconnect_sockets(self, close: bool = False) -> None:
        self.sockets.disconnect_sockets(close)

    def close(self) -> None:
        """Disconnects every socket ("server shutting down") and stops
        listening; the pump returns once the core reports it closed. Any
        thread; a second close() does nothing, as in python-socketio."""
        with self._close_lock:
            if self._closing:
                return
            self._closing = True
        self._call(lib.sio_server_close)

    # Commands (any thread) ---------------------------------------------------
    def _call(self, command: Callable[..., int], *args: Any) -> int:
        """command(the core's server, *args), raising on failure."""
        return check(self._handle.call(command, *args))

    def _declare_namespace(self, name: str, middleware: bool) -> None:
        flags = lib.SIO_NS_MIDDLEWARE if middleware else 0
        self._call(lib.sio_server_of, name.encode(), flags)

    def _emit(self, target: Target, event: str, args: Any, *,
              on_answer: Optional[AnswerHandler] = None,
              timeout: Optional[float] = None, volatile: bool = False,
              compress: bool = True) -> int:
        """Returns the request id that the answer will carry (0 when no
        answer was asked for)."""
        data, bins = encode(args)
        # Held in locals until the call returns: a sio_message or sio_target
        # points into memory its Python object owns (the attachments' array,
        # the room strings), freed with the object.
        held_target = c_target_of(target)
        to = held_target.ptr
        flags = lib.SIO_EMIT_VOLATILE if volatile else 0
        if not compress:
            flags |= lib.SIO_EMIT_NO_COMPRESS
        if on_answer is None:
            message = CMessage(event, data, bins, flags)
            self._call(lib.sio_emit, to, message.ptr, _NULL)
            return 0
        flags |= lib.SIO_EMIT_ACK
        timeout_ms = milliseconds(timeout) if timeout is not None else 0
        message = CMessage(event, data, bins, flags, timeout_ms)
        req = ffi.new("uint64_t *")
        with self._requests.lock:
            self._call(lib.sio_emit, to, message.ptr, req)
            self._requests.add(req[0], on_answer)
        return int(req[0])

    def _emit_plain(self, to: Any, event: str, args: Any) -> None:
        """The common emit (no ack, not volatile) to a sio_target pointer,
        kept short: it runs once per message."""
        data, bins = encode(args)
        message = CMessage(event, data, bins)
        rc = self._handle.call(_sio_emit, to, message.ptr, _NULL)
        if rc < 0:
            check(rc)

    def _emit_with_callback(self, target: Target, event: str, args: Any,
                            callback: Callable[..., Any], timeout: Optional[float],
                            volatile: bool, compress: bool = True) -> None:
        with_error = timeout is not None

        def on_answer(answer: Event) -> None:
            error = answer_error(answer)
            values = decode(answer.data, answer.bins)
            if answer.flags & EVF_BROADCAST:
                self._invoke(callback, (error, values))
            elif with_error:
                self._invoke(callback, (error, *values))
            elif error is None:
                self._invoke(callback, values)
            else:
                log.info("no acknowledgement for %r: %s", event, error)

        self._emit(target, event, args, on_answer=on_answer, timeout=timeout,
                   volatile=volatile, compress=compress)

    def _emit_with_ack(self, target: Target, event: str, args: Any,
                       timeout: Optional[float], volatile: bool,
                       compress: bool = True) -> Any:
        def result(answer: Event) -> Any:
            error = answer_error(answer)
            values = decode(answer.data, answer.bins)
            broadcast = bool(answer.flags & EVF_BROADCAST) or target.sid is None
            if error is not None:
                if broadcast and isinstance(error, errors.AckTimeoutError):
                    error.responses = values
                raise error
            return values if broadcast else single_answer(values)

        def start(on_answer: AnswerHandler) -> int:
            return self._emit(target, event, args, on_answer=on_answer,
                              timeout=timeout, volatile=volatile, compress=compress)

        return self._request(start, result)

    def _fetch_sockets(self, target: Target) -> Any:
        def result(answer: Event) -> list[RemoteSocket]:
            error = answer_error(answer)
            if error is not None:
                raise error
            found = []
            for info in decode(answer.data):
                namespace = self._namespaces.get(info.get("nsp", target.nsp))
                local = namespace.sockets.get(info["id"]) if namespace else None
                found.append(RemoteSocket(self, info, local.data if local else info.get("data")))
            return found

        def start(on_answer: AnswerHandler) -> int:
            strings = CStrings()
            req = ffi.new("uint64_t *")
            with self._requests.lock:
                self._call(lib.sio_fetch_sockets, c_target(target, strings), req)
                self._requests.add(req[0], on_answer)
            return int(req[0])

        return self._request(start, result)

    def _request(self, start: Callable[[AnswerHandler], int],
                 result: Callable[[Event], Any]) -> Any:
        return request(start, result, self._wait)

    # join, leave, disconnect and ack are answered only when they fail (an
    # SIO_EV_ERROR, logged by _on_answer), so no request id is kept for them.
    def _ack(self, sid: bytes, ack_id: int, args: Any) -> None:
        data, bins = encode(args)
        message = CMessage.answer(data, bins)
        rc = self._handle.call(lib.sio_ack, sid, ack_id, message.ptr, _NULL)
        if rc < 0:
            check(rc)

    def _join(self, target: Target, rooms: tuple[str, ...]) -> None:
        self._change_rooms(lib.sio_join, target, rooms)

    def _leave(self, target: Target, rooms: tuple[str, ...]) -> None:
        self._change_rooms(lib.sio_leave, target, rooms)

    def _change_rooms(self, command: Any, target: Target, rooms: tuple[str, ...]) -> None:
        strings = CStrings()
        self._call(command, c_target(target, strings), strings.array(rooms), len(rooms), _NULL)

    def _disconnect(self, target: Target, close: bool) -> None:
        strings = CStrings()
        flags = lib.SIO_DISCONNECT_CLOSE if close else 0
        self._call(lib.sio_disconnect, c_target(target, strings), flags, _NULL)

    def _set_data(self, sid: bytes, json_text: str) -> None:
        self._call(lib.sio_socket_set_data, sid, json_text.encode())

    def _rooms_of(self, sid: str) -> set[str]:
        """The rooms of socket sid as the core has them once every command
        issued before has run; empty when the socket is gone."""
        out = ffi.new("char **")
        rc = self._handle.call(lib.sio_socket_rooms, sid.encode(), out)
        if rc == lib.SIO_ENOTFOUND:
            return set()
        check(rc)
        try:
            text = _string(out[0])
        finally:
            lib.sio_free(out[0])
        return set(decode_text(text.decode("utf-8")))

    def _transport_of(self, sid: str) -> Optional[str]:
        """"polling" or "websocket": the transport socket sid's connection
        uses once every command issued before has run; None when it is gone."""
        out = ffi.new("const char **")
        rc = self._handle.call(lib.sio_socket_transport, sid.encode(), out)
        if rc == lib.SIO_ENOTFOUND:
            return None
        check(rc)
        return _string(out[0]).decode("ascii")

    # Events (the pumping thread) -------------------------------------------
    def _take(self, raw: Any) -> None:
        if raw.type != EV_EVENT:
            self._handle_event(Event(raw))
            return
        # The hot path: a message reads only the fields it needs, no Event.
        try:
            user = raw.socket_user
            if user != _NULL:
                socket = _from_handle(user)
            else:  # taken in the batch of its CONNECTION, before the tag was set
                socket = self._socket_by_id(_string(raw.nsp).decode("utf-8", "replace"),
                                            _string(raw.sid).decode("utf-8", "replace"))
                if socket is None:
                    return
            size = raw.data_len
            self._deliver(socket, _string(raw.name).decode("utf-8", "replace"),
                          _unpack(raw.data, size) if size else None,
                          copy_bins(raw) if raw.nbins else (), raw.ack_id)
        except Exception:
            log.exception("libsio: could not dispatch an event")

    def _handle_event(self, event: Event) -> None:
        # Handlers are guarded one by one (_invoke); this guard is for the
        # binding's own code, so that nothing stops the pump.
        try:
            self._dispatch(event)
        except Exception:
            log.exception("libsio: could not dispatch %r", event)

    def _dispatch(self, event: Event) -> None:
        kind = event.type
        if kind == EV_EVENT:
            self._on_event(event)
        elif kind in (EV_ACK, EV_SOCKETS, EV_ERROR):
            self._on_answer(event)
        elif kind == EV_CONNECTION:
            self._on_connection(event)
        elif kind == EV_CONNECT_REQUEST:
            self._on_connect_request(event)
        elif kind == EV_DISCONNECTING:
            self._on_disconnecting(event)
        elif kind == EV_DISCONNECT:
            self._on_disconnect(event)
        elif kind == EV_SERVER_CLOSED:
            self.closed = True
            self._release()
            self._on_closed()
        elif kind == EV_EVENTS_LOST:
            report_lost(self, self.sockets._listeners, event.count)
        elif kind == EV_ALLOW_REQUEST:
            self._on_allow_request(event)
        elif kind == EV_UPGRADE:
            self._on_upgrade(event)
        elif kind == EV_CONNECTION_ERROR:
            self._on_connection_error(event)
        elif kind in CLUSTER_EVENTS:
            self._on_cluster_event(event)

    def _release(self) -> None:
        """Frees the core's server; the commands still waiting for an answer
        get a ClosedError, since the core will not answer them now."""
        self._handle.free()
        for req, on_answer in self._requests.take_all():
            on_answer(released_answer(req, "server"))

    def _socket_by_id(self, nsp: str, sid: str) -> Optional[Socket]:
        namespace = self._namespaces.get(nsp)
        return namespace.sockets.get(sid) if namespace else None

    def _socket_of(self, event: Event) -> Optional[Socket]:
        if event.socket_user != _NULL:
            socket: Socket = _from_handle(event.socket_user)
            return socket
        return self._socket_by_id(event.nsp or MAIN_NAMESPACE, event.sid or "")

    def _on_event(self, event: Event) -> None:
        socket = self._socket_of(event)
        if socket is not None:
            self._deliver(socket, event.name or "", event.data, event.bins, event.ack_id)

    def _deliver(self, socket: Socket, name: str, data: Optional[bytes],
                 bins: Any, ack_id: int) -> None:
        """A message from a client to its socket's handlers."""
        try:
            args = decode(data, bins)
        except ValueError:
            log.exception("undecodable arguments of %r from %s", name, socket.id)
            return
        ack = Ack(partial(self._ack, socket._sid, ack_id), ack_id) if ack_id >= 0 else None
        outer, self._dispatching = self._dispatching, socket
        try:
            socket._dispatch(name, args, ack)
        finally:
            self._dispatching = outer
        socket._push_data()

    def _on_answer(self, event: Event) -> None:
        on_answer = self._requests.pop(event.req) if event.req else None
        if on_answer is not None:
            on_answer(event)
        elif event.type == EV_ERROR:
            self._on_server_error(event)

    def _on_server_error(self, event: Event) -> None:
        """engine.io's "connection_error" (an HTTP request it rejected: data
        is {"code", "message"}) and other server-level failures go to
        io.on("connection_error") handlers, else to the log."""
        detail = decode(event.data) if event.data else None
        error = detail if isinstance(detail, dict) else {"message": event.reason or ""}
        error.setdefault("message", event.reason or "")
        listeners = self.sockets._listeners.get(CONNECTION_ERROR)
        if not listeners:
            log.warning("libsio: %s (%s)", event.reason,
                        event.data.decode("utf-8", "replace") if event.data else "")
        for listener in listeners:
            self._invoke(listener.fn, (error,))

    def _on_connection(self, event: Event) -> None:
        name = event.nsp or MAIN_NAMESPACE
        namespace = self._namespaces.get(name)
        if namespace is None:  # a dynamic namespace the core accepted
            namespace = self._add_namespace(Namespace(self, name))
        sid = event.sid or ""
        accepted = namespace._accepted.pop(sid, None)
        socket = accepted or Socket(namespace, sid, decode(event.data) if event.data else {})
        socket.connected = True
        socket.recovered = bool(event.flags & EVF_RECOVERED)
        if socket.recovered:
            # The core gave the session's data back too: make it hold ours.
            socket._pushed = None
            if accepted is None and self._kept_data is not None:
                socket._data = self._kept_data.take(name, sid)
        namespace.sockets[sid] = socket
        try:
            self._call(lib.sio_socket_set_user, socket._sid, socket._user)
        except errors.SioError as error:
            # Gone already: its SIO_EV_DISCONNECT follows, found by its id.
            log.debug("tagging socket %s: %s", sid, error)
        outer, self._dispatching = self._dispatching, socket
        try:
            for listeners in (namespace._listeners,
                              namespace.parent._listeners if namespace.parent else None):
                for event_name in ("connection", "connect"):
                    for listener in listeners.get(event_name) if listeners else ():
                        self._invoke(listener.fn, (socket,))
        finally:
            self._dispatching = outer
        # What the middlewares and handlers put in socket.data.
        socket._push_data()

    def _on_connect_request(self, event: Event) -> None:
        name = event.nsp or MAIN_NAMESPACE
        namespace = self._namespaces.get(name)
        req = event.req
        handshake = decode(event.data) if event.data else {}
        if namespace is None and self._parents:
            namespace = self._child_for(name, handshake)
            if namespace is None:
                self._call(lib.sio_connect_refuse, req, b"Invalid namespace", ffi.NULL)
                return
        if namespace is None or not namespace._middlewares:
            # Only declared namespaces have middleware; a dynamic one (with no
            # Python middleware) is accepted as the core would.
            self._call(lib.sio_connect_accept, req)
            return
        socket = Socket(namespace, event.sid or "", handshake)
        socket.recovered = bool(event.flags & EVF_RECOVERED)
        if socket.recovered and self._kept_data is not None:
            socket._data = self._kept_data.take(name, socket.id)

        def decide(refusal: Optional[BaseException]) -> None:
            try:
                if refusal is None:
                    namespace._accepted[socket.id] = socket
                    self._call(lib.sio_connect_accept, req)
                elif isinstance(refusal, errors.ConnectionRefusedError):
                    data = ffi.NULL if refusal.data is None else encode_one(refusal.data)
                    self._call(lib.sio_connect_refuse, req, refusal.message.encode(), data)
                else:
                    log.error("a middleware of %s raised", name, exc_info=refusal)
                    self._call(lib.sio_connect_refuse, req, b"Internal server error", ffi.NULL)
            except errors.SioError as error:
                # The client went away meanwhile, or the server closed.
                log.debug("connect answer for %s: %s", socket.id, error)

        self._run_middlewares(list(namespace._middlewares), socket, decide)

    def _child_for(self, name: str, handshake: dict[str, Any]) -> Optional[Namespace]:
        """The child namespace of the first dynamic namespace that accepts
        name (made and declared now), or None."""
        for parent in self._parents:
            try:
                accepted = parent.matches(name, handshake)
            except Exception:
                log.exception("the matcher of %r raised", parent)
                accepted = False
            if accepted:
                child = self._add_namespace(parent.create_child(name))
                self._declare_namespace(name, middleware=bool(child._middlewares))
                return child
        return None

    def _on_allow_request(self, event: Event) -> None:
        req = event.req
        request = decode_text(event.data.decode("utf-8")) if event.data else {}

        def decide(refusal: Optional[BaseException], answer: Any) -> None:
            try:
                if refusal is None and answer:
                    headers = encode_one(dict(answer)) if isinstance(answer, dict) else _NULL
                    self._call(lib.sio_request_accept, req, headers)
                    return
                message = _NULL
                if isinstance(refusal, errors.ConnectionRefusedError):
                    message = refusal.message.encode()
                elif refusal is not None:
                    log.error("allow_request raised", exc_info=refusal)
                self._call(lib.sio_request_refuse, req, message)
            except errors.SioError as error:
                # The client went away meanwhile, or the server closed.
                log.debug("allow_request answer: %s", error)

        self._run_check(self._allow_request, request, decide)

    def _on_upgrade(self, event: Event) -> None:
        socket = self._socket_of(event)
        if socket is not None:
            for listener in socket.conn._listeners.get("upgrade"):
                self._invoke(listener.fn, (event.name or "websocket",))

    def _on_connection_error(self, event: Event) -> None:
        error = decode_text(event.data.decode("utf-8")) if event.data else {}
        handlers = self.sockets._listeners.get(CONNECTION_ERROR)
        if not handlers:
            log.warning("libsio: %s (%s)", event.reason, error.get("context"))
        for listener in handlers:
            self._invoke(listener.fn, (error,))

    def _on_disconnecting(self, event: Event) -> None:
        socket = self._socket_of(event)
        if socket is not None:
            self._dispatch_reserved(socket, "disconnecting", event.reason or "")

    def _on_disconnect(self, event: Event) -> None:
        socket = self._socket_of(event)
        if socket is not None:
            if socket.nsp.sockets.get(socket.id) is socket:
                del socket.nsp.sockets[socket.id]
            socket.connected = False
            if self._kept_data is not None:
                self._kept_data.keep(socket.nsp.name, socket.id, event.reason or "", socket.data)
            self._dispatch_reserved(socket, "disconnect", event.reason or "")

    def _dispatch_reserved(self, socket: Socket, name: str, reason: str) -> None:
        for listener in socket._listeners.get(name):
            self._invoke(listener.fn, (reason,))

    # What Server and AsyncServer each provide ----------------------------
    def _invoke(self, fn: Callable[..., Any], args: Any,
                kwargs: Optional[dict[str, Any]] = None,
                on_result: Optional[Callable[[Any], None]] = None) -> None:
        """Calls a handler; an exception is logged, never propagated."""
        raise NotImplementedError

    def _run_middlewares(self, middlewares: list[Middleware], socket: Socket,
                         decide: Callable[[Optional[BaseException]], None]) -> None:
        """Runs middlewares in order, then decide(None) or decide(the
        exception that stopped them)."""
        raise NotImplementedError

    def _run_check(self, check: Callable[[Any], Any], arg: Any,
                   decide: Callable[[Optional[BaseException], Any], None]) -> None:
        """Calls check(arg), then decide(None, its result) or decide(the
        exception it raised, None)."""
        raise NotImplementedError

    def _wait(self, future: concurrent.futures.Future[Any], req: int) -> Any:
        """The answer to request req, as this kind of server returns it."""
        raise NotImplementedError

    def _on_closed(self) -> None:
        raise NotImplementedError
