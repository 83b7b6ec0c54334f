"""Server: the blocking way to run. run() pumps the core's events and calls
the handlers in the calling thread; commands (emit, join, ...) may come from
any thread."""
from __future__ import annotations

import concurrent.futures
import inspect
import logging
from typing import Any, Callable, Optional

from ._pump import BlockingPump
from ._server_base import ServerBase
from .namespace import Middleware
from .socket import Socket

log = logging.getLogger("sio")


class Server(ServerBase):
    __doc__ = ServerBase.__doc__

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._pump = BlockingPump(self._context)

    def run(self) -> None:
        """Serves until the server is closed (close()) or stop() is called.
        Handlers run in this thread."""
        self._pump.run(until=lambda: self.closed)

    def stop(self) -> None:
        """Makes run() return without closing the server; any thread."""
        self._pump.stop()

    def _invoke(self, fn: Callable[..., Any], args: Any,
                kwargs: Optional[dict[str, Any]] = None,
                on_result: Optional[Callable[[Any], None]] = None) -> None:
        try:
            result = fn(*args, **(kwargs or {}))
            if result is not None and inspect.isawaitable(result):
                close = getattr(result, "close", None)
                if close is not None:
                    close()
                raise TypeError(f"{fn!r} is a coroutine function: use AsyncServer for those")
            if on_result is not None:
                on_result(result)
        except Exception:
            log.exception("handler %r raised", fn)

    def _run_middlewares(self, middlewares: list[Middleware], socket: Socket,
                         decide: Callable[[Optional[BaseException]], None]) -> None:
        for middleware in middlewares:
            try:
                middleware(socket)
            except Exception as refusal:
                decide(refusal)
                return
        decide(None)

    def _wait(self, future: concurrent.futures.Future[Any], req: int) -> Any:
        # Inside a handler (or while nobody runs the server) this thread pumps
        # for the answer itself; elsewhere the running pump delivers it.
        if self._pump.can_pump_here():
            self._pump.wait_for_answer(req, future.done)
        return future.result()

    def _on_closed(self) -> None:
        """run() sees self.closed and returns."""
