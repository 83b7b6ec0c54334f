"""AsyncServer: runs on an asyncio loop, which waits on the core's event
descriptor (loop.add_reader). Handlers and middlewares may be coroutines;
emit_with_ack and fetch_sockets return awaitables."""
from __future__ import annotations

import asyncio
import inspect
from typing import Any, Callable, Optional

from ._asyncio_mode import AsyncioMode
from ._event import Event
from ._server_base import ServerBase
from .namespace import Middleware
from .socket import Socket


class AsyncServer(AsyncioMode, ServerBase):
    __doc__ = ServerBase.__doc__

    def __init__(self, **options: Any) -> None:
        ServerBase.__init__(self, **options)
        self._init_mode()
        # The events taken while a coroutine connection handler waits for
        # its first step; None when there is none.
        self._held: Optional[list[Event]] = None

    def start(self) -> None:
        """Starts serving on the running loop (returns at once)."""
        self._attach()

    async def serve(self) -> None:
        """Serves until the server is closed."""
        if self._loop is None:
            self.start()
        await self.wait_closed()

    async def wait_closed(self) -> None:
        await self._until_finished()

    def run(self) -> None:
        """asyncio.run(self.serve())."""
        asyncio.run(self.serve())

    def _take(self, raw: Any) -> None:
        if self._held is not None:
            self._held.append(Event(raw))
        else:
            ServerBase._take(self, raw)

    def _on_connection(self, event: Event) -> None:
        tracked = len(self._tasks)
        ServerBase._on_connection(self, event)
        if len(self._tasks) > tracked and self._held is None:
            # As a connection listener in socket.io, a coroutine handler runs
            # up to its first await before the socket's next packet, so that
            # the handlers it adds there hear the first ones. Its first step
            # is queued on the loop already; the events wait behind it.
            self._held = []
            asyncio.get_running_loop().call_soon(self._release_held)

    def _release_held(self) -> None:
        held, self._held = self._held or [], None
        for n, event in enumerate(held):
            self._handle_event(event)
            if self._held is not None:  # one more connection to start first
                self._held[:0] = held[n + 1:]
                return

    def _track(self, awaitable: Any, on_result: Optional[Callable[[Any], None]],
               fn: Callable[..., Any]) -> asyncio.Future[Any]:
        task = AsyncioMode._track(self, awaitable, on_result, fn)
        socket = self._dispatching
        if socket is not None:
            # What the coroutine put in socket.data once it has run.
            task.add_done_callback(lambda _finished: socket._push_data())
        return task

    def _run_middlewares(self, middlewares: list[Middleware], socket: Socket,
                         decide: Callable[[Optional[BaseException]], None]) -> None:
        async def chain() -> None:
            for middleware in middlewares:
                outcome = middleware(socket)
                if inspect.isawaitable(outcome):
                    await outcome

        def done(finished: asyncio.Future[None]) -> None:
            self._tasks.discard(finished)
            decide(None if finished.cancelled() else finished.exception())

        task = asyncio.ensure_future(chain())
        self._tasks.add(task)
        task.add_done_callback(done)

    def _run_check(self, check: Callable[[Any], Any], arg: Any,
                   decide: Callable[[Optional[BaseException], Any], None]) -> None:
        async def run() -> Any:
            outcome = check(arg)
            return await outcome if inspect.isawaitable(outcome) else outcome

        def done(finished: asyncio.Future[Any]) -> None:
            self._tasks.discard(finished)
            if finished.cancelled():
                decide(asyncio.CancelledError(), None)
            elif finished.exception() is not None:
                decide(finished.exception(), None)
            else:
                decide(None, finished.result())

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(done)

    def _on_closed(self) -> None:
        self._finish()
