"""Server: the blocking way to run. run() pumps the core's events and calls
the handlers in the calling thread; commands (emit, join, ...) may come from
any thread."""
from __future__ import annotations

import inspect
from typing import Any, Callable, Optional

from ._blocking_mode import BlockingMode
from ._server_base import ServerBase
from .namespace import Middleware
from .socket import Socket


class Server(BlockingMode, ServerBase):
    __doc__ = ServerBase.__doc__

    def __init__(self, **options: Any) -> None:
        ServerBase.__init__(self, **options)
        self._init_mode()

    def run(self) -> None:
        """Serves until the server is closed (close()) or stop() is called.
        Handlers run in this thread."""
        self._pump.run(until=lambda: self.closed)

    def _run_middlewares(self, middlewares: list[Middleware], socket: Socket,
                         decide: Callable[[Optional[BaseException]], None]) -> None:
        for middleware in middlewares:
            try:
                middleware(socket)
            except Exception as refusal:
                decide(refusal)
                return
        decide(None)

    def _run_check(self, check: Callable[[Any], Any], arg: Any,
                   decide: Callable[[Optional[BaseException], Any], None]) -> None:
        try:
            result = check(arg)
        except Exception as refusal:
            decide(refusal, None)
            return
        if inspect.isawaitable(result):
            close = getattr(result, "close", None)
            if close:
                close()
            decide(TypeError("a coroutine check needs AsyncServer"), None)
            return
        decide(None, result)

    def _on_closed(self) -> None:
        """run() sees self.closed and returns."""
