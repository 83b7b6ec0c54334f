"""What a server adds in a cluster (the adapter option, a redis:// URL):
serverSideEmit, the server-side events of other nodes as io.on("name")
handlers, io.local, and the adapter going down and up."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, Optional

from ._answers import answer_error, request
from ._event import Event
from ._message import CMessage
from ._native import ffi, lib
from ._payload import decode, encode
from .operator import BroadcastOperator

if TYPE_CHECKING:
    from ._requests import AnswerHandler

log = logging.getLogger("sio")

EV_SERVER_SIDE_EVENT = lib.SIO_EV_SERVER_SIDE_EVENT
EV_ADAPTER_DOWN = lib.SIO_EV_ADAPTER_DOWN
EV_ADAPTER_UP = lib.SIO_EV_ADAPTER_UP
CLUSTER_EVENTS = (EV_SERVER_SIDE_EVENT, EV_ADAPTER_DOWN, EV_ADAPTER_UP)


class ClusterMixin:
    """Mixed into ServerBase, whose members it uses."""

    @property
    def local(self) -> BroadcastOperator:
        """io.local: operations on this node's sockets only."""
        return self.sockets.local  # type: ignore[attr-defined,no-any-return]

    def server_side_emit(self, event: str, *args: Any,
                         callback: Optional[Callable[..., Any]] = None) -> None:
        """Emits to the other nodes of the cluster (their io.on(event)
        handlers). With callback, callback(err, responses) once every other
        node answered or adapter_requests_timeout passed (err is then an
        AckTimeoutError). JSON values only."""
        if callback is None:
            self._server_side_emit(event, args, None)
            return

        def on_answer(answer: Event) -> None:
            self._invoke(callback, (answer_error(answer), decode(answer.data, answer.bins)))  # type: ignore[attr-defined]

        self._server_side_emit(event, args, on_answer)

    def server_side_emit_with_ack(self, event: str, *args: Any) -> Any:
        """The list of the other nodes' answers (blocks in Server; awaitable
        in AsyncServer). Raises AckTimeoutError ("timeout reached: only N
        responses received out of M"), its ``responses`` those that came."""
        def result(answer: Event) -> Any:
            values = decode(answer.data, answer.bins)
            error = answer_error(answer)
            if error is not None:
                error.responses = values  # type: ignore[attr-defined]
                raise error
            return values

        def start(on_answer: AnswerHandler) -> int:
            return self._server_side_emit(event, args, on_answer)

        return request(start, result, self._wait)  # type: ignore[attr-defined]

    def _server_side_emit(self, event: str, args: Any,
                          on_answer: Optional[AnswerHandler]) -> int:
        data, bins = encode(args)
        if bins:
            raise TypeError("server_side_emit takes JSON values only (no bytes)")
        flags = lib.SIO_EMIT_ACK if on_answer is not None else 0
        message = CMessage(event, data, bins, flags)
        if on_answer is None:
            self._call(lib.sio_server_side_emit, message.ptr, ffi.NULL)  # type: ignore[attr-defined]
            return 0
        req = ffi.new("uint64_t *")
        with self._requests.lock:  # type: ignore[attr-defined]
            self._call(lib.sio_server_side_emit, message.ptr, req)  # type: ignore[attr-defined]
            self._requests.add(req[0], on_answer)  # type: ignore[attr-defined]
        return int(req[0])

    def _on_cluster_event(self, event: Event) -> None:
        """io.on("adapter_down", handler(reason)), io.on("adapter_up",
        handler()), and io.of(nsp).on(name, handler(*args)) for a server-side
        event, whose return value (of the first handler) is the answer when
        the sender waits for one."""
        listeners = self.sockets._listeners  # type: ignore[attr-defined]
        if event.type == EV_ADAPTER_DOWN:
            handlers = listeners.get("adapter_down")
            if not handlers:
                log.warning("libsio: the adapter is down: %s", event.reason)
            for listener in handlers:
                self._invoke(listener.fn, (event.reason or "",))  # type: ignore[attr-defined]
        elif event.type == EV_ADAPTER_UP:
            for listener in listeners.get("adapter_up"):
                self._invoke(listener.fn, ())  # type: ignore[attr-defined]
        else:
            self._on_server_side_event(event)

    def _on_server_side_event(self, event: Event) -> None:
        namespace = self._namespaces.get(event.nsp or "/")  # type: ignore[attr-defined]
        if namespace is None:
            return
        args = decode(event.data, event.bins)
        ack_id = event.ack_id

        def answer(value: Any) -> None:
            data, bins = encode((value,))
            message = CMessage.answer(data, bins)
            rc = self._handle.call(lib.sio_server_side_ack, ack_id,  # type: ignore[attr-defined]
                                   message.ptr, ffi.NULL)
            if rc < 0:
                log.warning("libsio: server-side ack of %r: %s", event.name, rc)

        for i, listener in enumerate(namespace._listeners.get(event.name or "")):
            on_result = answer if i == 0 and ack_id >= 0 else None
            self._invoke(listener.fn, tuple(args), None, on_result)  # type: ignore[attr-defined]
