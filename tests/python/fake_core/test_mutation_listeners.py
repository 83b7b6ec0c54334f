"""Handler registration and dispatch (sio._listeners) on their own: several
handlers per event, every form of off(), events nobody listens to,
handlers whose signature cannot be read, and the report of lost events."""
from __future__ import annotations

import logging
from typing import Any, Callable, Optional

import pytest

from sio._listeners import EVENTS_LOST, Listeners, dispatch, report_lost, takes_ack


class Calls:
    """An invoker that calls at once and records what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def _invoke(self, fn: Callable[..., Any], args: Any,
                kwargs: Optional[dict[str, Any]] = None,
                on_result: Optional[Callable[[Any], None]] = None) -> None:
        result = fn(*args, **(kwargs or {}))
        self.calls.append((fn, tuple(args), kwargs, on_result))
        if on_result is not None:
            on_result(result)


def first() -> str:
    return "first"


def second() -> str:
    return "second"


def test_handlers_of_one_event_run_in_registration_order() -> None:
    listeners = Listeners()
    listeners.on("ev", first)
    listeners.on("ev")(second)
    listeners.on("other", first)
    assert [listener.fn for listener in listeners.get("ev")] == [first, second]
    invoker = Calls()
    dispatch(invoker, [], listeners, "ev", [], None)
    assert [call[0] for call in invoker.calls] == [first, second]


def test_off_with_a_handler_removes_only_that_one() -> None:
    listeners = Listeners()
    listeners.on("ev", first)
    listeners.on("ev", second)
    listeners.on("other", first)
    listeners.off("ev", first)
    assert [listener.fn for listener in listeners.get("ev")] == [second]
    assert [listener.fn for listener in listeners.get("other")] == [first]
    listeners.off("ev", second)
    assert listeners.get("ev") == ()
    assert "ev" not in listeners._by_event
    listeners.off("never", first)
    assert "never" not in listeners._by_event


def test_off_without_a_handler_removes_the_event_s_handlers_only() -> None:
    listeners = Listeners()
    listeners.on("ev", first)
    listeners.on("ev", second)
    listeners.on("other", first)
    listeners.off("ev")
    listeners.off("never")
    assert listeners.get("ev") == ()
    assert [listener.fn for listener in listeners.get("other")] == [first]


def test_an_event_without_handlers_reaches_the_catch_all_handlers_only() -> None:
    seen: list[tuple[Any, ...]] = []
    invoker = Calls()
    dispatch(invoker, [lambda *a: seen.append(a)], Listeners(), "nobody", [1], None)
    assert seen == [("nobody", 1)]


def test_a_handler_that_is_not_callable_is_refused_by_event_name() -> None:
    with pytest.raises(TypeError, match=r"^the handler for 'ev' is not callable$"):
        Listeners().on("ev", "not a function")


class Unreadable:
    """A callable whose signature inspect cannot read."""
    __signature__ = "not a signature"

    def __call__(self, ack: Any = None) -> str:
        return "answered"


def test_a_handler_with_an_unreadable_signature_answers_by_return_value() -> None:
    assert takes_ack(Unreadable()) is False
    assert takes_ack(lambda ack: None) is True
    assert takes_ack(lambda *, ack: None) is True
    assert takes_ack(lambda *ack: None) is False


def test_lost_events_go_to_their_handlers_else_to_the_log(
        caplog: pytest.LogCaptureFixture) -> None:
    listeners = Listeners()
    with caplog.at_level(logging.WARNING, logger="sio"):
        report_lost(Calls(), listeners, 3)
    assert [record.getMessage() for record in caplog.records] == [
        "libsio: events lost: 3 (out of memory, or more events than max_queued_events "
        "left unread); handle 'events_lost' to be told"]
    caplog.clear()
    counts: list[int] = []
    listeners.on(EVENTS_LOST, counts.append)
    with caplog.at_level(logging.WARNING, logger="sio"):
        report_lost(Calls(), listeners, 4)
    assert counts == [4] and caplog.records == []
