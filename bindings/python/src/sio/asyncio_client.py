"""AsyncClient: a client on an asyncio loop, which waits on the core's event
descriptor. Handlers may be coroutines; emit_with_ack returns awaitables."""
from __future__ import annotations

import asyncio
from typing import Any, Optional

from ._asyncio_mode import AsyncioMode
from ._client_base import ClientBase
from .client_socket import ClientSocket


class AsyncClient(AsyncioMode, ClientBase):
    __doc__ = ClientBase.__doc__

    def __init__(self, url: Optional[str] = None, **options: Any) -> None:
        ClientBase.__init__(self, url, **options)
        self._init_mode()
        self._connect_waiters: list[asyncio.Future[None]] = []

    async def connect(self, url: str, *, auth: Optional[dict[str, Any]] = None,
                      wait: bool = True, wait_timeout: float = 1,
                      **options: Any) -> AsyncClient:
        """As Client.connect(), awaited (python-socketio's await
        client.connect(url)); starts handling events on the running loop."""
        self._connect(url, auth, options)
        self.start()
        if wait:
            await self.wait_connected(wait_timeout)
        return self

    def start(self) -> None:
        """Starts handling events on the running loop (returns at once)."""
        self._attach()

    async def wait(self) -> None:
        """Handles events until no socket is connected or will reconnect."""
        if self._loop is None:
            self.start()
        self._check_done()
        await self._until_finished()

    async def wait_connected(self, timeout: Optional[float] = None) -> AsyncClient:
        """Returns once the main socket is connected, through reconnection.
        Raises sio.ConnectionRefusedError when the server refused it,
        ConnectionFailedError when reconnection gave up (or is off) after a
        failed attempt, TimeoutError when timeout seconds pass first."""
        if self._loop is None:
            self.start()
        self._drain()  # the outcome may be queued already
        if not self._connect_settled():
            waiter = asyncio.get_running_loop().create_future()
            self._connect_waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, timeout)
            except asyncio.TimeoutError:
                raise self._connect_timeout() from None
        outcome = self._connect_outcome()
        if outcome is not None:
            raise outcome
        return self

    def close(self) -> None:
        """As Client.close(); a second close() does nothing."""
        if self.closed:
            return
        super().close()
        # Nothing may follow from the core when nothing was connected.
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._check_done)

    def _on_connect_result(self, socket: ClientSocket) -> None:
        if socket is self.main:
            self._settle_connect_waiters()

    def _settle_connect_waiters(self) -> None:
        if not self._connect_settled():
            return
        for waiter in self._connect_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._connect_waiters.clear()

    def _on_done(self) -> None:
        self._settle_connect_waiters()
        self._finish()
