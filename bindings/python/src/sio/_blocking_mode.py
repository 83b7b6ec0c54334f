"""The blocking way to run, shared by Server and Client: handlers are
plain functions called by the thread that pumps, and a call that waits for an
answer blocks (pumping for it in place when it is that thread)."""
from __future__ import annotations

import concurrent.futures
import inspect
import logging
import time
from typing import Any, Callable, Optional

from ._context import Context
from ._pump import BlockingPump

log = logging.getLogger("sio")


class BlockingMode:
    _context: Context
    # What emit() and send() return (an awaitable in the asyncio classes).
    _sent: Any = None

    def _init_mode(self) -> None:
        self._pump = BlockingPump(self._context)

    @staticmethod
    def sleep(seconds: float) -> None:
        """time.sleep, as python-socketio's sio.sleep() in its threading mode."""
        time.sleep(seconds)

    def stop(self) -> None:
        """Makes the pumping call (run(), wait()) return soon; any thread."""
        self._pump.stop()

    def _invoke(self, fn: Callable[..., Any], args: Any,
                kwargs: Optional[dict[str, Any]] = None,
                on_result: Optional[Callable[[Any], None]] = None) -> None:
        """Calls a handler; an exception is logged, never propagated."""
        try:
            result = fn(*args, **kwargs) if kwargs else fn(*args)
            if result is not None and inspect.isawaitable(result):
                close = getattr(result, "close", None)
                if close is not None:
                    close()
                raise TypeError(f"{fn!r} is a coroutine function: it needs the asyncio "
                                "classes (AsyncServer, AsyncClient)")
            if on_result is not None:
                on_result(result)
        except Exception:
            log.exception("handler %r raised", fn)

    def _wait(self, future: concurrent.futures.Future[Any], req: int) -> Any:
        # Inside a handler (or while nobody pumps) this thread pumps for the
        # answer itself; elsewhere the running pump delivers it.
        if self._pump.can_pump_here():
            self._pump.wait_for_answer(req, future.done)
        return future.result()
