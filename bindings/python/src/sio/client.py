"""Client: the blocking way to run a client. wait() pumps the core's events
and calls the handlers in the calling thread; emits may come from any
thread."""
from __future__ import annotations

import time
from typing import Any, Callable, Optional

from ._blocking_mode import BlockingMode
from ._client_base import ClientBase


# How often a thread waiting on another thread's pump looks again.
WATCH_INTERVAL = 0.01


class Client(BlockingMode, ClientBase):
    __doc__ = ClientBase.__doc__

    def __init__(self, url: Optional[str] = None, **options: Any) -> None:
        ClientBase.__init__(self, url, **options)
        self._init_mode()

    def connect(self, url: str, *, auth: Optional[dict[str, Any]] = None, wait: bool = True,
                wait_timeout: float = 1, **options: Any) -> Client:
        """For a Client() made without a URL, as in python-socketio: opens
        the connection (options as for Client(url, ...)) and, with wait,
        waits as wait_connected(wait_timeout) does (python-socketio's 1 s
        by default)."""
        self._connect(url, auth, options)
        if wait:
            self.wait_connected(wait_timeout)
        return self

    def wait(self) -> None:
        """Runs the handlers until no socket is connected or will reconnect
        (close(), disconnect(), a final refusal or reconnect_failed), or
        stop(). Handlers run in this thread, or, when another thread pumps
        already, in that one while this one waits."""
        self._run_until(lambda: self.done)
        self._check_done()

    def _run_until(self, done: Callable[[], bool]) -> None:
        """Pumps in this thread until done(); while another thread pumps
        (its wait(), say), waits for that one to get there instead."""
        if self._pump.idle() or self._pump.can_pump_here():
            self._pump.run(until=done)
            return
        while not done():
            time.sleep(WATCH_INTERVAL)

    def close(self) -> None:
        """Closes every socket and the connection, for good. Any thread. The
        core's client is released once the pump saw the sockets' disconnects
        (wait() returns then), or at once when none was connected and no
        thread pumps."""
        if self.closed:
            return
        super().close()
        if self._pump.idle():
            self._check_done()

    def wait_connected(self, timeout: Optional[float] = None) -> Client:
        """Runs the handlers until the main socket is connected, through
        reconnection (or, while another thread pumps, waits for it to get
        there). Raises sio.ConnectionRefusedError (with the server's
        message and data) when the server refused it, ConnectionFailedError
        when reconnection gave up (or is off) after a failed attempt,
        TimeoutError when timeout seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._pump.idle():
            self._pump.run_pending()
        self._run_until(lambda: self._connect_settled()
                        or (deadline is not None and time.monotonic() > deadline))
        if not self._connect_settled():
            raise self._connect_timeout()
        outcome = self._connect_outcome()
        if outcome is not None:
            raise outcome
        return self
