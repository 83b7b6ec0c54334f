"""Our server running in a background thread, the same way for both run
modes, so that one test body checks Server and AsyncServer alike."""
from __future__ import annotations

import asyncio
import threading
from typing import Any

import sio


def close(io: sio.Server | sio.AsyncServer) -> None:
    """Closes io unless a test already did."""
    try:
        io.close()
    except sio.ClosedError:
        pass


class BlockingRunner:
    mode = "blocking"

    def __init__(self, **options: Any) -> None:
        self.io = sio.Server(host="127.0.0.1", port=0, **options)
        self._thread = threading.Thread(target=self.io.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.io.port}"

    def start(self) -> None:
        self._thread.start()

    def resolve(self, answer: Any, timeout: float = 10) -> Any:
        """The value of an answer (emit_with_ack, fetch_sockets): here it is
        the value already."""
        return answer

    def call(self, fn: Any, *args: Any) -> Any:
        """Runs fn in the pumping thread's place; for a blocking server any
        thread may command it."""
        return fn(*args)

    def stop(self) -> None:
        close(self.io)
        if not self._thread.is_alive():
            return
        self._thread.join(10)
        assert not self._thread.is_alive(), "run() did not return after close()"


class AsyncRunner:
    mode = "asyncio"

    def __init__(self, **options: Any) -> None:
        self.io = sio.AsyncServer(host="127.0.0.1", port=0, **options)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.io.port}"

    def start(self) -> None:
        self._thread.start()
        self._served = asyncio.run_coroutine_threadsafe(self.io.serve(), self.loop)

    def resolve(self, answer: Any, timeout: float = 10) -> Any:
        async def wait() -> Any:
            return await answer
        return asyncio.run_coroutine_threadsafe(wait(), self.loop).result(timeout)

    def call(self, fn: Any, *args: Any) -> Any:
        """Runs fn(*args) in the loop's thread and returns its result."""
        async def run() -> Any:
            return fn(*args)
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def stop(self) -> None:
        close(self.io)
        if not self._thread.is_alive():
            return
        self._served.result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()
