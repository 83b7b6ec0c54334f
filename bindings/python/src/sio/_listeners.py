"""Handler registration shared by servers, namespaces and sockets:
``x.on("event", fn)`` or ``@x.on("event")``."""
from __future__ import annotations

import inspect
import logging
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, Sequence, TypeVar

if TYPE_CHECKING:
    from .ack import Ack

Handler = Callable[..., Any]
H = TypeVar("H", bound=Handler)

log = logging.getLogger("sio")
EVENTS_LOST = "events_lost"


def takes_ack(fn: Handler) -> bool:
    """A handler with a parameter named ``ack`` answers acknowledgements by
    calling it; the others answer with their return value."""
    try:
        parameter = inspect.signature(fn).parameters.get("ack")
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


class Listener:
    __slots__ = ("fn", "wants_ack", "once")

    def __init__(self, fn: Handler, once: bool = False) -> None:
        self.fn = fn
        self.wants_ack = takes_ack(fn)
        self.once = once


class Listeners:
    """Handlers by event name, in registration order."""

    def __init__(self) -> None:
        self._by_event: dict[str, list[Listener]] = {}

    def on(self, event: str, handler: Optional[Handler] = None) -> Any:
        """Registers handler and returns it, or, without one, returns a
        decorator that does."""
        if handler is None:
            def decorator(fn: H) -> H:
                self.add(event, fn)
                return fn
            return decorator
        self.add(event, handler)
        return handler

    def once(self, event: str, handler: Optional[Handler] = None) -> Any:
        """As on(), for the next occurrence of event only."""
        if handler is None:
            def decorator(fn: H) -> H:
                self.add(event, fn, once=True)
                return fn
            return decorator
        self.add(event, handler, once=True)
        return handler

    def add(self, event: str, handler: Handler, once: bool = False) -> None:
        if not callable(handler):
            raise TypeError(f"the handler for {event!r} is not callable")
        # A new list each time, so that a dispatch in progress keeps its own.
        self._by_event[event] = [*self._by_event.get(event, ()), Listener(handler, once)]

    def off(self, event: str, handler: Optional[Handler] = None) -> None:
        if handler is None:
            self._by_event.pop(event, None)
            return
        kept = [listener for listener in self._by_event.get(event, ()) if listener.fn != handler]
        if kept:
            self._by_event[event] = kept
        else:
            self._by_event.pop(event, None)

    def get(self, event: str) -> Sequence[Listener]:
        """The listeners to call for one occurrence of event; the once()
        ones among them are removed."""
        listeners = self._by_event.get(event, ())
        if any(listener.once for listener in listeners):
            kept = [listener for listener in listeners if not listener.once]
            if kept:
                self._by_event[event] = kept
            else:
                self._by_event.pop(event, None)
        return listeners


class Invoker(Protocol):
    def _invoke(self, fn: Callable[..., Any], args: Any,
                kwargs: Optional[dict[str, Any]] = ...,
                on_result: Optional[Callable[[Any], None]] = ...) -> None: ...


def dispatch(invoker: Invoker, any_handlers: list[Handler], listeners: Listeners,
             event: str, args: list[Any], ack: Optional[Ack]) -> None:
    """Calls the catch-all handlers, then the event's handlers; the ack goes
    to the handlers that take one, or else is answered by return values."""
    for handler in any_handlers:
        invoker._invoke(handler, (event, *args))
    for listener in listeners.get(event):
        if listener.wants_ack:
            invoker._invoke(listener.fn, args, {"ack": ack})
        else:
            invoker._invoke(listener.fn, args,
                            on_result=ack.send_result if ack is not None else None)


def report_lost(invoker: Invoker, listeners: Listeners, count: int) -> None:
    """Tells the "events_lost" handlers how many events the core could not
    queue; with no handler, the log says it, so that a loss is never silent."""
    handlers = listeners.get(EVENTS_LOST)
    if not handlers:
        log.warning("libsio: events lost: %d (out of memory, or more events than "
                    "max_queued_events left unread); handle %r to be told", count, EVENTS_LOST)
    for listener in handlers:
        invoker._invoke(listener.fn, (count,))
