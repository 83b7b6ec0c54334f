"""The asyncio way to run, shared by AsyncServer and AsyncClient: the loop
waits on the core's event descriptor (loop.add_reader), handlers may be
coroutines, and calls that wait for an answer return awaitables."""
from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
import threading
from typing import Any, Awaitable, Callable, Generator, Optional

from ._context import Context

log = logging.getLogger("sio")

# Events handled per wake-up before the loop gets to run other callbacks.
MAX_EVENTS_PER_WAKEUP = 1024
# What handlers usually return; never awaitable, so the costlier
# inspect.isawaitable is skipped for them.
PLAIN_RESULTS = frozenset({tuple, list, dict, str, bytes, int, float, bool})


class Answer:
    """The awaitable answer to a request; any loop may await it."""

    def __init__(self, future: concurrent.futures.Future[Any]) -> None:
        self._future = future

    def __await__(self) -> Generator[Any, None, Any]:
        return asyncio.wrap_future(self._future).__await__()

    def done(self) -> bool:
        return self._future.done()


class Sent:
    """What emit() and send() return in the asyncio classes. The packet is
    queued when the call returns, so there is nothing to wait for; this lets
    python-socketio's `await sio.emit(...)` work, and being no coroutine, a
    call without await is not reported as "never awaited"."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return iter(())

    def __repr__(self) -> str:
        return "<sio.Sent>"


SENT = Sent()


class AsyncioMode:
    _context: Context
    _sent: Any = SENT

    def _init_mode(self) -> None:
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._loop_thread: Optional[int] = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._finished = False
        self._finish_waiters: list[asyncio.Future[None]] = []

    @staticmethod
    async def sleep(seconds: float) -> None:
        """asyncio.sleep, as python-socketio's await sio.sleep()."""
        await asyncio.sleep(seconds)

    def _attach(self) -> None:
        """Starts taking events on the running loop."""
        loop = asyncio.get_running_loop()
        if self._loop is not None:
            raise RuntimeError("already started")
        self._loop = loop
        self._loop_thread = threading.get_ident()
        loop.add_reader(self._context.fd, self._drain)
        self._drain()

    def _finish(self) -> None:
        """No event will matter any more: stop reading, wake the waiters."""
        self._finished = True
        if self._loop is not None:
            self._loop.remove_reader(self._context.fd)
        for waiter in self._finish_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._finish_waiters.clear()

    async def _until_finished(self) -> None:
        if self._finished:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._finish_waiters.append(waiter)
        await waiter

    def _drain(self) -> None:
        pump = self._context.pump
        handled = 0
        while handled < MAX_EVENTS_PER_WAKEUP and not self._finished:
            taken = pump(0)
            if not taken:
                return
            handled += taken

    def _track(self, awaitable: Awaitable[Any],
               on_result: Optional[Callable[[Any], None]],
               fn: Callable[..., Any]) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)

        def done(finished: asyncio.Future[Any]) -> None:
            self._tasks.discard(finished)
            if finished.cancelled():
                return
            error = finished.exception()
            if error is not None:
                log.error("handler %r raised", fn, exc_info=error)
            elif on_result is not None:
                try:
                    on_result(finished.result())
                except Exception:
                    log.exception("answering for %r", fn)

        task.add_done_callback(done)
        return task

    def _invoke(self, fn: Callable[..., Any], args: Any,
                kwargs: Optional[dict[str, Any]] = None,
                on_result: Optional[Callable[[Any], None]] = None) -> None:
        """Calls a handler (a coroutine runs as a task); an exception is
        logged, never propagated."""
        try:
            result = fn(*args, **kwargs) if kwargs else fn(*args)
            if result is None or type(result) in PLAIN_RESULTS or not inspect.isawaitable(result):
                if on_result is not None:
                    on_result(result)
                return
        except Exception:
            log.exception("handler %r raised", fn)
            return
        if self._loop is None or threading.get_ident() == self._loop_thread:
            self._track(result, on_result, fn)
        else:  # e.g. an outgoing listener called by an emit from another thread
            self._loop.call_soon_threadsafe(self._track, result, on_result, fn)

    def _wait(self, future: concurrent.futures.Future[Any], req: int) -> Answer:
        return Answer(future)
