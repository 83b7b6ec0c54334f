"""Client: the blocking way to run a client. wait() pumps the core's events
and calls the handlers in the calling thread; emits may come from any
thread."""
from __future__ import annotations

import time
from typing import Any, Optional

from ._blocking_mode import BlockingMode
from ._client_base import ClientBase


class Client(BlockingMode, ClientBase):
    __doc__ = ClientBase.__doc__

    def __init__(self, url: str, **options: Any) -> None:
        ClientBase.__init__(self, url, **options)
        self._init_mode()

    def wait(self) -> None:
        """Runs the handlers until no socket is connected or will reconnect
        (close(), disconnect(), a final refusal or reconnect_failed), or
        stop(). Handlers run in this thread."""
        self._pump.run(until=lambda: self.done)
        self._check_done()

    def close(self) -> None:
        """Closes every socket and the connection, for good. Any thread. The
        core's client is released once the pump saw the sockets' disconnects
        (wait() returns then), or at once when none was connected and no
        thread pumps."""
        super().close()
        if self._pump.idle():
            self._check_done()

    def wait_connected(self, timeout: Optional[float] = None) -> Client:
        """Runs the handlers until the main socket is connected. Raises
        sio.ConnectionRefusedError (with the server's message and data) when
        its last attempt was refused, TimeoutError when timeout seconds pass
        first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        main = self.main
        self._pump.run_pending()
        if main._last_error is not None and not main.connected:
            raise main._last_error
        self._pump.run(until=lambda: main.connected or main._last_error is not None
                       or self.done or (deadline is not None and time.monotonic() > deadline))
        if main.connected:
            return self
        if main._last_error is not None:
            raise main._last_error
        raise TimeoutError(f"not connected to {main.nsp} in time")
