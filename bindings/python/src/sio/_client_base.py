"""What Client and AsyncClient share: the core client handle (a Manager and
its sockets), commands, and turning the core's events into handler calls."""
from __future__ import annotations

import concurrent.futures
import logging
from typing import Any, Callable, Optional

from . import errors
from ._answers import answer_error, released_answer, request, single_answer
from ._context import Context
from ._event import (EV_ACK, EV_CONNECT, EV_CONNECT_ERROR, EV_DISCONNECT, EV_ERROR,
                     EV_EVENT, EV_EVENTS_LOST, EV_RECONNECT, EV_RECONNECT_ATTEMPT, EV_RECONNECT_ERROR,
                     EV_RECONNECT_FAILED, EVF_FINAL, EVF_RECOVERED, Event)
from ._handle import Handle
from ._listeners import Handler, report_lost
from ._message import CMessage
from ._native import check, ffi, lib, to_str
from ._options import milliseconds, client_option_pairs
from ._payload import decode, encode, encode_one
from ._requests import AnswerHandler, Requests
from .ack import Ack
from .client_socket import ClientEmitter, ClientSocket

log = logging.getLogger("sio")
_NULL = ffi.NULL


class ClientBase:
    """A Socket.IO client: io(url, options). The URL's path names the
    namespace of the main socket, as socket.io-client reads it (the core
    does: "http://h/chat/" opens "/chat/"); socket(nsp) opens others over
    the same connection. Options are socket.io-client's in snake_case; durations in
    seconds: path, transports, upgrade, query (a dict), extra_headers (a
    dict), timeout, reconnection, reconnection_attempts, reconnection_delay,
    reconnection_delay_max, randomization_factor, ack_timeout, retries,
    parser, tls_ca, tls_verify, max_queued_events. Manager events
    ("reconnect_attempt", "reconnect", "reconnect_error", "reconnect_failed")
    go to the main socket's handlers, as does "events_lost" (the count of
    events the core could not queue: out of memory, or too many left
    unread).

    Once closed and done (close(), then every socket's "disconnect" seen by
    the pump), the core's client is released (sio_client_free); later
    commands raise ClosedError."""

    def __init__(self, url: Optional[str] = None, *, auth: Optional[dict[str, Any]] = None,
                 **options: Any) -> None:
        self._context = Context()
        self._handle: Any = NotOpened()
        self._requests = Requests()
        # Until the URL is known (Client() then connect(url), as in
        # python-socketio), handlers go to a main socket of "/", renamed then.
        self.main = ClientSocket(self, "/")
        self._sockets: dict[str, ClientSocket] = {"/": self.main}
        self.closed = False
        self._done_reported = False
        self._auth = auth
        self._options = options
        if url is not None:
            self._open(url, auth, options)

    def _open(self, url: str, auth: Optional[dict[str, Any]], options: dict[str, Any]) -> None:
        self._handle = Handle(self._new_client(url, auth, client_option_pairs(options)),
                              lib.sio_client_free, "client")
        # The core hands this back in each event of the client (ev->user);
        # it must live as long as the client can report events.
        self._user = ffi.new_handle(self)
        self._call(lib.sio_client_set_user, self._user)
        self._context.register(self)
        nsp = to_str(self._handle.call(lib.sio_client_nsp))
        if nsp != self.main.nsp:
            del self._sockets[self.main.nsp]
            self.main.nsp = nsp
            self._sockets[nsp] = self.main

    def _connect(self, url: str, auth: Optional[dict[str, Any]], options: dict[str, Any]) -> None:
        """python-socketio's Client() then connect(url, ...): the options of
        both calls together."""
        if not isinstance(self._handle, NotOpened):
            raise errors.BusyError("already connected: one client connects once")
        self._open(url, auth if auth is not None else self._auth, {**self._options, **options})

    def _new_client(self, url: str, auth: Optional[dict[str, Any]],
                    pairs: list[tuple[str, str]]) -> Any:
        holder = ffi.new("sio_options **")
        check(lib.sio_options_new(holder))
        opts = ffi.gc(holder[0], lib.sio_options_free)
        for key, value in pairs:
            check(lib.sio_options_set(opts, key.encode(), value.encode()))
        out = ffi.new("sio_client **")
        auth_json = ffi.NULL if auth is None else encode_one(auth)
        check(lib.sio_client_new(self._context.ptr, url.encode(), opts, auth_json, out))
        return out[0]

    @property
    def done(self) -> bool:
        """True once no socket is connected or will connect again."""
        # A copy: socket() may add one from another thread meanwhile.
        return not any(s._active or s.connected for s in tuple(self._sockets.values()))

    # The main socket's API --------------------------------------------------
    @property
    def id(self) -> Optional[str]:
        return self.main.id

    @property
    def connected(self) -> bool:
        return self.main.connected

    @property
    def fd(self) -> int:
        """The core's event descriptor: readable while events are pending."""
        return self._context.fd

    def on(self, event: str, handler: Optional[Handler] = None) -> Any:
        return self.main.on(event, handler)

    def once(self, event: str, handler: Optional[Handler] = None) -> Any:
        return self.main.once(event, handler)

    def off(self, event: str, handler: Optional[Handler] = None) -> None:
        self.main.off(event, handler)

    def on_any(self, handler: Handler) -> Handler:
        return self.main.on_any(handler)

    def off_any(self, handler: Optional[Handler] = None) -> None:
        self.main.off_any(handler)

    def prepend_any(self, handler: Handler) -> Handler:
        return self.main.prepend_any(handler)

    def listeners_any(self) -> list[Handler]:
        return self.main.listeners_any()

    def on_any_outgoing(self, handler: Handler) -> Handler:
        return self.main.on_any_outgoing(handler)

    def off_any_outgoing(self, handler: Optional[Handler] = None) -> None:
        self.main.off_any_outgoing(handler)

    def emit(self, event: str, *args: Any,
             callback: Optional[Callable[..., Any]] = None) -> Any:
        return self.main.emit(event, *args, callback=callback)

    def emit_with_ack(self, event: str, *args: Any) -> Any:
        return self.main.emit_with_ack(event, *args)

    def send(self, *args: Any, callback: Optional[Callable[..., Any]] = None) -> Any:
        return self.main.send(*args, callback=callback)

    def timeout(self, seconds: float) -> ClientEmitter:
        return self.main.timeout(seconds)

    @property
    def volatile(self) -> ClientEmitter:
        return self.main.volatile

    def compress(self, value: bool) -> ClientEmitter:
        return self.main.compress(value)

    def disconnect(self) -> None:
        """Leaves the main namespace; the connection closes with the last."""
        self.main.disconnect()

    def socket(self, nsp: str, auth: Optional[dict[str, Any]] = None) -> ClientSocket:
        """The socket of another namespace over the same connection (opened
        on first use)."""
        if not nsp.startswith("/"):
            raise ValueError(f"a namespace name starts with '/': {nsp!r}")
        socket = self._sockets.get(nsp)
        if socket is None or not socket._active:
            auth_json = ffi.NULL if auth is None else encode_one(auth)
            # In place before the core is asked: its answer may be pumped by
            # another thread before the call returns here.
            known = socket is not None
            socket = self._sockets[nsp] = socket or ClientSocket(self, nsp)
            socket._active = True
            socket._last_error = None
            try:
                self._call(lib.sio_client_socket, nsp.encode(), auth_json)
            except BaseException:
                socket._active = False
                if not known:
                    del self._sockets[nsp]
                raise
        return socket

    def close(self) -> None:
        """Closes every socket and the connection, for good. Any thread; a
        second close() does nothing."""
        if self.closed:
            return
        if not isinstance(self._handle, NotOpened):
            self._call(lib.sio_client_close)
        self.closed = True
        for socket in self._sockets.values():
            socket._active = False
        self._context.wakeup()

    # Commands (any thread) ---------------------------------------------------
    def _call(self, command: Callable[..., int], *args: Any) -> int:
        """command(the core's client, *args), raising on failure."""
        return check(self._handle.call(command, *args))

    def _emit(self, nsp: str, event: str, args: Any, *,
              on_answer: Optional[AnswerHandler] = None,
              timeout: Optional[float] = None, volatile: bool = False,
              compress: bool = True) -> int:
        """Returns the request id that the answer will carry (0 when no
        answer was asked for)."""
        data, bins = encode(args)
        flags = lib.SIO_EMIT_VOLATILE if volatile else 0
        if not compress:
            flags |= lib.SIO_EMIT_NO_COMPRESS
        if on_answer is None:
            message = CMessage(event, data, bins, flags)
            self._call(lib.sio_client_emit, nsp.encode(), message.ptr, _NULL)
            return 0
        flags |= lib.SIO_EMIT_ACK
        timeout_ms = milliseconds(timeout) if timeout is not None else 0
        message = CMessage(event, data, bins, flags, timeout_ms)
        req = ffi.new("uint64_t *")
        with self._requests.lock:
            self._call(lib.sio_client_emit, nsp.encode(), message.ptr, req)
            self._requests.add(req[0], on_answer)
        return int(req[0])

    def _emit_with_callback(self, nsp: str, event: str, args: Any,
                            callback: Callable[..., Any], timeout: Optional[float],
                            volatile: bool, compress: bool = True) -> None:
        with_error = timeout is not None

        def on_answer(answer: Event) -> None:
            error = answer_error(answer)
            values = decode(answer.data, answer.bins)
            if with_error:
                self._invoke(callback, (error, *values))
            elif error is None:
                self._invoke(callback, values)
            else:
                log.info("no acknowledgement for %r: %s", event, error)

        self._emit(nsp, event, args, on_answer=on_answer, timeout=timeout, volatile=volatile,
                   compress=compress)

    def _emit_with_ack(self, nsp: str, event: str, args: Any, timeout: Optional[float],
                       volatile: bool, compress: bool = True) -> Any:
        def result(answer: Event) -> Any:
            error = answer_error(answer)
            if error is not None:
                raise error
            return single_answer(decode(answer.data, answer.bins))

        def start(on_answer: AnswerHandler) -> int:
            return self._emit(nsp, event, args, on_answer=on_answer, timeout=timeout,
                              volatile=volatile, compress=compress)

        return request(start, result, self._wait)

    def _ack(self, nsp: str, ack_id: int, args: Any) -> None:
        data, bins = encode(args)
        # A socket gone meanwhile: an SIO_EV_ERROR, logged by _dispatch.
        message = CMessage.answer(data, bins)
        self._call(lib.sio_client_ack, nsp.encode(), ack_id, message.ptr, _NULL)

    def _leave(self, socket: ClientSocket) -> None:
        self._call(lib.sio_client_disconnect, socket.nsp.encode())
        socket._active = False

    # Events (the pumping thread) -------------------------------------------
    def _take(self, raw: Any) -> None:
        self._handle_event(Event(raw))

    def _handle_event(self, event: Event) -> None:
        try:
            self._dispatch(event)
        except Exception:
            log.exception("libsio: could not dispatch %r", event)
        self._check_done()

    def _check_done(self) -> None:
        """In the pumping thread (or while none pumps)."""
        if not self.done:
            return
        if not self._done_reported:
            self._done_reported = True
            self._on_done()
        if self.closed:
            self._release()

    def _release(self) -> None:
        """Frees the core's client; the commands still waiting for an answer
        get a ClosedError, since the core will not answer them now."""
        self._handle.free()
        for req, on_answer in self._requests.take_all():
            on_answer(released_answer(req, "client"))

    def _socket_for(self, event: Event) -> ClientSocket:
        return self._sockets.get(event.nsp or "/") or self.main

    def _dispatch(self, event: Event) -> None:
        kind = event.type
        if kind == EV_EVENT:
            socket = self._socket_for(event)
            args = decode(event.data, event.bins)
            ack = None
            if event.ack_id >= 0:
                nsp, ack_id = socket.nsp, event.ack_id
                ack = Ack(lambda values: self._ack(nsp, ack_id, values), ack_id)
            socket._dispatch(event.name or "", args, ack)
        elif kind in (EV_ACK, EV_ERROR):
            on_answer = self._requests.pop(event.req) if event.req else None
            if on_answer is not None:
                on_answer(event)
            elif kind == EV_ERROR:
                log.warning("libsio client: %s", event.reason)
        elif kind == EV_CONNECT:
            socket = self._socket_for(event)
            socket.id = event.sid
            socket.connected = True
            socket.recovered = bool(event.flags & EVF_RECOVERED)
            socket._last_error = None
            self._reserved(socket, "connect")
            self._on_connect_result(socket)
        elif kind == EV_CONNECT_ERROR:
            socket = self._socket_for(event)
            error = connect_error(event)
            socket._last_error = error
            if event.flags & EVF_FINAL:
                socket._active = False
            self._reserved(socket, "connect_error", error)
            self._on_connect_result(socket)
        elif kind == EV_DISCONNECT:
            socket = self._socket_for(event)
            socket.connected = False
            if event.flags & EVF_FINAL:
                socket._active = False
            self._reserved(socket, "disconnect", event.reason or "")
        elif kind == EV_RECONNECT_ATTEMPT:
            self._reserved(self.main, "reconnect_attempt", event.attempt)
        elif kind == EV_RECONNECT:
            self._reserved(self.main, "reconnect", event.attempt)
        elif kind == EV_RECONNECT_ERROR:
            # The same type connect_error gets for a failed attempt.
            self._reserved(self.main, "reconnect_error", errors.ConnectionFailedError(
                event.reason or "reconnection failed"))
        elif kind == EV_RECONNECT_FAILED:
            for socket in self._sockets.values():
                socket._active = False
            self._reserved(self.main, "reconnect_failed")
        elif kind == EV_EVENTS_LOST:
            report_lost(self, self.main._listeners, event.count)

    def _reserved(self, socket: ClientSocket, name: str, *args: Any) -> None:
        for listener in socket._listeners.get(name):
            self._invoke(listener.fn, args)

    # What Client and AsyncClient each provide ----------------------------
    def _invoke(self, fn: Callable[..., Any], args: Any,
                kwargs: Optional[dict[str, Any]] = None,
                on_result: Optional[Callable[[Any], None]] = None) -> None:
        raise NotImplementedError

    def _wait(self, future: concurrent.futures.Future[Any], req: int) -> Any:
        raise NotImplementedError

    def _on_connect_result(self, socket: ClientSocket) -> None:
        """A socket connected, or an attempt failed or was refused."""

    def _connect_settled(self) -> bool:
        """Whether wait_connected() has its outcome: the main socket is
        connected, or it will not connect again (refused, reconnection given
        up, closed). A failed attempt that is retried settles nothing."""
        return self.main.connected or not self.main._active or self.done

    def _connect_outcome(self) -> Optional[BaseException]:
        """Once settled: None when connected, else what wait_connected()
        raises."""
        main = self.main
        if main.connected:
            return None
        if main._last_error is not None:
            return main._last_error
        return errors.DisconnectedError(f"{main.nsp} will not connect: the client is closed")

    def _connect_timeout(self) -> TimeoutError:
        main = self.main
        last = f" (last attempt: {main._last_error})" if main._last_error is not None else ""
        return TimeoutError(f"not connected to {main.nsp} in time{last}")

    def _on_done(self) -> None:
        """No socket is connected or will connect again."""


class NotOpened:
    """The handle of a client made without a URL, until connect(url)."""

    freed = False

    def call(self, command: Callable[..., Any], *args: Any) -> Any:
        raise errors.DisconnectedError("the client has no URL yet: call connect(url) first")

    def free(self) -> None:
        """Nothing to release."""


def decode_data(data: Optional[bytes]) -> Any:
    """The JSON data of a refusal, None when there is none."""
    return decode(data) if data else None


# The reasons the core gives when a connection could not be made or was lost
# (eio_client.h); a failed attempt's reason may carry its cause after ": ".
TRANSPORT_REASONS = frozenset({"timeout", "transport close", "transport error", "ping timeout",
                               "parse error", "forced close"})
TRANSPORT_PREFIXES = ("xhr poll error", "xhr post error", "websocket error")


def connect_error(event: Event) -> errors.SioError:
    """What a SIO_EV_CONNECT_ERROR reports: the server's refusal, which is
    always final, or a network failure. The core's event does not say which,
    so a final one with a transport's reason is a failure."""
    reason = event.reason or ""
    failed = (not event.flags & EVF_FINAL or reason in TRANSPORT_REASONS
              or reason.startswith(TRANSPORT_PREFIXES))
    if failed:
        return errors.ConnectionFailedError(reason or "connection failed")
    return errors.ConnectionRefusedError(reason or "connection refused", decode_data(event.data))
