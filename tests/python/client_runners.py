"""Our client running in a background thread, the same way for both run
modes, and the servers it is tested against."""
from __future__ import annotations

import asyncio
import subprocess
import threading
from pathlib import Path
from typing import Any

import sio

HERE = Path(__file__).resolve().parent


class BlockingClientRunner:
    mode = "blocking"

    def __init__(self, url: str, **options: Any) -> None:
        self.client = sio.Client(url, **options)
        self._thread = threading.Thread(target=self.client.wait, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def resolve(self, answer: Any, timeout: float = 10) -> Any:
        return answer

    def finished(self, timeout: float = 10) -> bool:
        """Whether wait() returned (the client is done)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> None:
        if not self.client.closed:
            self.client.close()
        self._thread.join(10)


class AsyncClientRunner:
    mode = "asyncio"

    def __init__(self, url: str, **options: Any) -> None:
        self.client = sio.AsyncClient(url, **options)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._waited = asyncio.run_coroutine_threadsafe(self.client.wait(), self.loop)

    def resolve(self, answer: Any, timeout: float = 10) -> Any:
        async def wait() -> Any:
            return await answer
        return asyncio.run_coroutine_threadsafe(wait(), self.loop).result(timeout)

    def finished(self, timeout: float = 10) -> bool:
        self._waited.result(timeout)
        return True

    def stop(self) -> None:
        if not self.client.closed:
            self.loop.call_soon_threadsafe(self.client.close)
        self._waited.result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


class NodeServer:
    """node_server.mjs: the official Socket.IO server."""

    def __init__(self, port: int = 0) -> None:
        self._process = subprocess.Popen(["node", str(HERE / "node_server.mjs"), str(port)],
                                         cwd=HERE, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        self.url = f"http://127.0.0.1:{int(line.split()[-1])}"

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(10)


class PythonServer:
    """Our server, behaving as node_server.mjs does."""

    def __init__(self) -> None:
        self.io = sio.Server(host="127.0.0.1", port=0)
        self.io.on("connection", self._serve)
        private = self.io.of("/private")
        private.use(self._check_token)
        private.on("connection", self._serve)
        self._thread = threading.Thread(target=self.io.run, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self.io.port}"

    @staticmethod
    def _check_token(socket: sio.Socket) -> None:
        if socket.handshake["auth"].get("token") != "secret":
            raise sio.ConnectionRefusedError("not authorized", {"reason": "bad token"})

    @staticmethod
    def _serve(socket: sio.Socket) -> None:
        socket.emit("auth", socket.handshake["auth"])
        socket.on("echo", lambda *args: socket.emit("echo", *args))
        socket.on("ack", lambda *args: args)

        @socket.on("server-ask")
        def server_ask(event: str, *args: Any) -> None:
            def report(err: Any, *res: Any) -> None:
                socket.emit("server-ask-result", err.message if err else None, list(res))
            socket.timeout(2).emit(event, *args, callback=report)

        socket.on("disconnect-me", lambda: socket.disconnect())

    def stop(self) -> None:
        self.io.close()
        self._thread.join(10)
