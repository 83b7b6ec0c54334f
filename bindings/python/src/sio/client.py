"""Client: the blocking way to run a client. As python-socketio's Client,
its handlers run on a thread of its own (from connect(url), or from the
first wait_connected() or wait() of a Client(url)); with background=False
they run only in a thread that waits in it (wait(), wait_connected(), a
blocking emit_with_ack). Emits may come from any thread."""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Optional

from ._blocking_mode import BlockingMode
from ._client_base import ClientBase, NotOpened


# How often a thread waiting on another thread's pump looks again.
WATCH_INTERVAL = 0.01


class Client(BlockingMode, ClientBase):
    __doc__ = ClientBase.__doc__

    def __init__(self, url: Optional[str] = None, *, background: bool = True,
                 **options: Any) -> None:
        ClientBase.__init__(self, url, **options)
        self._init_mode()
        self._background = background
        # The background pump thread while it runs; the lock orders its
        # leaving against a socket() that needs it again.
        self._pump_thread: Optional[threading.Thread] = None
        self._pump_thread_lock = threading.Lock()
        self._pump_thread_wanted = False
        self._stop_waiting = False

    def connect(self, url: str, *, auth: Optional[dict[str, Any]] = None, wait: bool = True,
                wait_timeout: float = 1, **options: Any) -> Client:
        """For a Client() made without a URL, as in python-socketio: opens
        the connection (options as for Client(url, ...)) and, with wait,
        waits as wait_connected(wait_timeout) does (python-socketio's 1 s
        by default)."""
        self._connect(url, auth, options)
        self._start_pump_thread()
        if wait:
            self.wait_connected(wait_timeout)
        return self

    def wait(self) -> None:
        """Waits until no socket is connected or will reconnect (close(),
        disconnect(), a final refusal or reconnect_failed), or stop().
        Handlers run on the background thread; with background=False in
        this thread, or, when another thread pumps already, in that one
        while this one waits."""
        self._start_pump_thread()
        self._run_until(lambda: self.done)
        if self.done:
            self._settle()

    def stop(self) -> None:
        """Makes wait() return soon (or the next wait() at once); any
        thread. The background thread goes on running the handlers."""
        if self._background:
            self._stop_waiting = True
        else:
            super().stop()

    def socket(self, nsp: str, auth: Optional[dict[str, Any]] = None) -> Any:
        socket = super().socket(nsp, auth)
        if self._pump_thread_wanted:  # it may have ended, once done
            self._start_pump_thread()
        return socket

    def _run_until(self, done: Callable[[], bool]) -> None:
        """Pumps in this thread until done(); while another thread pumps
        (the background one, or another wait()), waits for it to get there
        instead."""
        mine = self._pump_thread is None or self._pump_thread.ident == threading.get_ident()
        if mine and (self._pump.idle() or self._pump.can_pump_here()):
            self._pump.run(until=done)
            return
        while not done():
            if self._stop_waiting:
                self._stop_waiting = False
                return
            time.sleep(WATCH_INTERVAL)

    def close(self) -> None:
        """Closes every socket and the connection, for good. Any thread. The
        core's client is released once the pump saw the sockets' disconnects
        (wait() returns then), or at once when none was connected and no
        thread pumps. Outside a handler it waits for the background thread
        to end: no handler runs after it returns."""
        if self.closed:
            return
        super().close()
        self._settle()

    def _settle(self) -> None:
        """Once done: the background thread (not this one) has ended, and the
        core's client is released when closed."""
        thread = self._pump_thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        with self._pump_thread_lock:
            if self._pump.idle() and self._pump_thread is None:
                self._check_done()

    def _start_pump_thread(self) -> None:
        if not self._background or self.closed or isinstance(self._handle, NotOpened):
            return
        with self._pump_thread_lock:
            self._pump_thread_wanted = True
            if self._pump_thread is not None or self.done:
                return
            # Started before it is published: others join it or read its
            # ident; it cannot leave before this lock is released.
            thread = threading.Thread(target=self._pump_in_background,
                                      name="sio.Client pump", daemon=True)
            thread.start()
            self._pump_thread = thread

    def _pump_in_background(self) -> None:
        while True:
            self._pump.run(until=lambda: self.done)
            with self._pump_thread_lock:
                if self.done:
                    self._check_done()
                    self._pump_thread = None
                    return

    def _wait(self, future: Any, req: int) -> Any:
        # While the background thread runs, it delivers the answer (or, in
        # one of its handlers, pumps for it in place).
        thread = self._pump_thread
        if thread is not None and thread is not threading.current_thread():
            return future.result()
        return super()._wait(future, req)

    def wait_connected(self, timeout: Optional[float] = None) -> Client:
        """Waits until the main socket is connected, through reconnection,
        while the background thread runs the handlers (with
        background=False, runs them here, or waits for the thread that
        pumps to get there). Raises sio.ConnectionRefusedError (with the server's
        message and data) when the server refused it, ConnectionFailedError
        when reconnection gave up (or is off) after a failed attempt,
        TimeoutError when timeout seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self._start_pump_thread()
        if self._pump.idle() and self._pump_thread is None:
            self._pump.run_pending()
        self._run_until(lambda: self._connect_settled()
                        or (deadline is not None and time.monotonic() > deadline))
        if not self._connect_settled():
            raise self._connect_timeout()
        outcome = self._connect_outcome()
        if outcome is not None:
            raise outcome
        return self
