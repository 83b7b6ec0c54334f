"""Runs node_client.mjs (the official socket.io-client) and talks to it with
JSON lines: commands in, reports out."""
from __future__ import annotations

import base64
import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
Report = dict[str, Any]


def to_wire(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bin": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    return value


def from_wire(value: Any) -> Any:
    if isinstance(value, list):
        return [from_wire(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$bin"}:
            return base64.b64decode(value["$bin"])
        return {k: from_wire(v) for k, v in value.items()}
    return value


class NodeClients:
    """One node process holding any number of socket.io-client sockets."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            ["node", str(HERE / "node_client.mjs")], cwd=HERE, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._reports: list[Report] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._count = 0
        self.sids: dict[str, str] = {}
        self.take(lambda r: r["ev"] == "ready")

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            with self._changed:
                self._reports.append(json.loads(line))
                self._changed.notify_all()

    def _send(self, **command: Any) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(command) + "\n")
        self._process.stdin.flush()

    def take(self, match: Callable[[Report], bool], timeout: float = 10) -> Report:
        """Removes and returns the first report that matches (waiting)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for i, report in enumerate(self._reports):
                    if match(report):
                        return self._reports.pop(i)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no matching report; have {self._reports}")
                self._changed.wait(left)

    def reports(self, cid: str) -> list[Report]:
        with self._changed:
            return [r for r in self._reports if r.get("id") == cid]

    def connect(self, url: str, auth: Any = None, acks: Optional[dict[str, Any]] = None,
                expect_error: bool = False, msgpack: bool = False, **opts: Any) -> str:
        """Connects a new client to url (with the namespace in its path) and
        returns its id once connected (or refused, with expect_error).
        msgpack=True uses socket.io-msgpack-parser."""
        self._count += 1
        cid = f"c{self._count}"
        if auth is not None:
            opts["auth"] = to_wire(auth)
        self._send(op="connect", id=cid, url=url, opts=opts, acks=acks or {}, msgpack=msgpack)
        if not expect_error:
            report = self.take(lambda r: r.get("id") == cid and r["ev"] == "connect")
            self.sids[cid] = report["sid"]
        return cid


    def connect_error(self, cid: str) -> Report:
        return self.take(lambda r: r.get("id") == cid and r["ev"] == "connect_error")

    def emit(self, cid: str, name: str, *args: Any) -> None:
        self._send(op="emit", id=cid, name=name, args=to_wire(list(args)))

    def emit_ack(self, cid: str, name: str, *args: Any, timeout_ms: Optional[int] = None,
                 wait: float = 10) -> tuple[Optional[str], list[Any]]:
        """Emits with an acknowledgement; returns (error message, args)."""
        self._count += 1
        tag = self._count
        self._send(op="emit", id=cid, name=name, args=to_wire(list(args)), tag=tag,
                   timeout=timeout_ms)
        report = self.take(lambda r: r["ev"] == "ack" and r["tag"] == tag, wait)
        return report["error"], from_wire(report["args"])

    def event(self, cid: str, name: str, timeout: float = 10) -> list[Any]:
        """The arguments of the next event name received by client cid."""
        report = self.take(lambda r: r.get("id") == cid and r["ev"] == "event"
                           and r["name"] == name, timeout)
        return from_wire(report["args"])

    def no_event(self, cid: str, name: str, wait: float = 0.5) -> bool:
        try:
            self.event(cid, name, wait)
        except TimeoutError:
            return True
        return False

    def disconnected(self, cid: str, timeout: float = 10) -> str:
        return self.take(lambda r: r.get("id") == cid and r["ev"] == "disconnect",
                         timeout)["reason"]

    def disconnect(self, cid: str) -> None:
        self._send(op="disconnect", id=cid)

    def drop(self, cid: str) -> None:
        """Closes the client's connection as a transport failure would."""
        self._send(op="drop", id=cid)

    def reconnect(self, cid: str) -> Report:
        """Connects a dropped client again; its connect report (sid, recovered)."""
        self._send(op="reconnect", id=cid)
        report = self.take(lambda r: r.get("id") == cid and r["ev"] == "connect")
        self.sids[cid] = report["sid"]
        return report

    def close(self) -> None:
        try:
            self._send(op="exit")
            self._process.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
