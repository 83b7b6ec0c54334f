"""A scripted stand-in for the compiled core (sio._sio_cffi), to test the
Python layer alone: the test pushes the events the core would report and
reads back the commands the package gave.

ffi is a real cffi FFI in ABI mode over the same generated declarations, so
the package builds its structs (targets, buffers, events) exactly as it does
with the real core; lib is Python.
"""
from __future__ import annotations

import json
import os
import queue
import re
import threading
import types
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import cffi

ROOT = Path(__file__).resolve().parents[3]
CDEF = ROOT / "bindings" / "python" / "src" / "sio" / "_cdef.h"
HEADER = ROOT / "abi" / "include" / "sio" / "sio.h"

ffi = cffi.FFI()
# ABI mode cannot take "#define NAME ..."; those values come from the header.
ffi.cdef("\n".join(line for line in CDEF.read_text().splitlines()
                   if not line.startswith("#define")))
DEFINES = {name: int(value.rstrip("uU"), 0) for name, value in
           re.findall(r"^#define (SIO_\w+) (0x[0-9a-fA-F]+u?|\d+u?)\b", HEADER.read_text(), re.M)}
RESERVED = {"connect", "connect_error", "disconnect", "disconnecting",
            "newListener", "removeListener"}
WAKE = object()
# The handles the fake hands out.
SERVER, CLIENT = 100, 200


class FakeLib:
    def __init__(self) -> None:
        for enum in ("enum sio_error", "enum sio_event_type"):
            for value, name in ffi.typeof(enum).elements.items():
                setattr(self, name, value)
        for name, value in DEFINES.items():
            setattr(self, name, value)
        self._read_fd, self._write_fd = os.pipe()
        self._errors = threading.local()
        self._keep: dict[str, Any] = {}
        self.reset()

    def reset(self) -> None:
        self.events: queue.Queue[Any] = queue.Queue()
        os.set_blocking(self._read_fd, False)
        try:
            while os.read(self._read_fd, 4096):
                pass
        except BlockingIOError:
            pass
        self.commands: list[tuple[str, dict[str, Any]]] = []
        self._changed = threading.Condition()
        self._req = 0
        self.closed = False
        self.options: dict[str, str] = {}
        self.taken_ports: set[int] = set()
        self._current: list[tuple[Any, list[Any]]] = []
        # The client's namespaces that are connected, as the events pushed
        # said: what leaving and closing report as disconnected.
        self.client_connected: set[str] = set()
        self.version = DEFINES["SIO_VERSION_NUM"]
        # Host tags (set_user) by handle, and by socket id; freed handles.
        self.users: dict[int, Any] = {}
        self.socket_users: dict[str, Any] = {}
        self.freed: set[int] = set()
        self.client_url = ""
        # Called inside sio_client_socket, as a fast answer pumped by another
        # thread would come before the call returns.
        self.on_client_socket: Optional[Callable[[str], None]] = None
        # The server's sockets as the pushed events said: sid -> namespace,
        # and the rooms of each, which join/leave change as the core would.
        self.socket_nsp: dict[str, str] = {}
        self.rooms: dict[str, list[str]] = {}
        self.rooms_handed_out: list[Any] = []
        self.rooms_freed = 0

    # What tests use ---------------------------------------------------------
    def push(self, type: int, *, nsp: str = "/", sid: Optional[str] = None,
             name: Optional[str] = None, data: Any = None, bins: tuple[bytes, ...] = (),
             req: int = 0, ack_id: int = -1, err: int = 0, reason: Optional[str] = None,
             flags: int = 0, raw_data: Optional[bytes] = None, client: bool = False,
             context: bool = False, attempt: int = 0, count: int = 0) -> None:
        """Queues an event as the core would report it (data is JSON-dumped),
        for the server, (client=True) for the client, or (context=True) for
        neither, as SIO_EV_EVENTS_LOST comes."""
        text = raw_data if raw_data is not None else (
            None if data is None else json.dumps(data).encode())
        if client and type == self.SIO_EV_CONNECT:
            self.client_connected.add(nsp)
        elif client and type == self.SIO_EV_DISCONNECT:
            self.client_connected.discard(nsp)
        elif not client and not context and sid is not None:
            if type == self.SIO_EV_CONNECTION:
                self.socket_nsp[sid] = nsp
                self.rooms[sid] = [sid]
            elif type == self.SIO_EV_DISCONNECT:
                self.socket_nsp.pop(sid, None)
                self.rooms.pop(sid, None)
        self._put(dict(type=type, nsp=nsp, sid=sid, name=name, data=text, bins=bins,
                       req=req, ack_id=ack_id, err=err, reason=reason, flags=flags,
                       client=client, context=context, attempt=attempt, count=count))

    def _put(self, item: Any) -> None:
        # The byte first: whoever gets the item finds its byte to read.
        os.write(self._write_fd, b"x")
        self.events.put(item)

    def wait_command(self, kind: str, match: Callable[[dict[str, Any]], bool] = lambda c: True,
                     timeout: float = 5) -> dict[str, Any]:
        """The first command of this kind that matches (taken off the list)."""
        with self._changed:
            ok = self._changed.wait_for(lambda: self._find(kind, match) is not None, timeout)
            if not ok:
                raise TimeoutError(f"no {kind} command; have {self.commands}")
            index = self._find(kind, match)
            assert index is not None
            return self.commands.pop(index)[1]

    def _find(self, kind: str, match: Callable[[dict[str, Any]], bool]) -> Optional[int]:
        for i, (name, details) in enumerate(self.commands):
            if name == kind and match(details):
                return i
        return None

    def _record(self, kind: str, **details: Any) -> int:
        with self._changed:
            self._req += 1
            details["req"] = self._req
            self.commands.append((kind, details))
            self._changed.notify_all()
            return self._req

    def _fail(self, code: int, message: str) -> int:
        self._errors.message = message
        return code

    def _text(self, message: str) -> Any:
        kept = self._keep.get(message)
        if kept is None:
            kept = self._keep[message] = ffi.new("char[]", message.encode())
        return ffi.cast("const char *", kept)

    # The ABI ---------------------------------------------------------------
    def sio_strerror(self, code: int) -> Any:
        return self._text(f"error {code}")

    def sio_last_error(self) -> Any:
        return self._text(getattr(self._errors, "message", "no error"))

    def sio_version(self) -> int:
        return self.version

    def sio_version_string(self) -> Any:
        version = self.version
        return self._text(f"{version >> 16}.{(version >> 8) & 0xff}.{version & 0xff}")

    def sio_free(self, ptr: Any) -> None:
        if ptr in self.rooms_handed_out:
            self.rooms_handed_out.remove(ptr)
            self.rooms_freed += 1

    def sio_context_new(self, out: Any) -> int:
        out[0] = ffi.cast("sio_context *", 1)
        return 0

    def sio_context_free(self, ctx: Any) -> None:
        self._record("context_free")

    def sio_context_fd(self, ctx: Any) -> int:
        return self._read_fd

    def sio_context_wakeup(self, ctx: Any) -> int:
        self._put(WAKE)
        return 0

    def sio_next_event(self, ctx: Any, timeout_ms: int, out: Any) -> int:
        return self.sio_next_events(ctx, timeout_ms, out, 1)

    def sio_next_events(self, ctx: Any, timeout_ms: int, out: Any, most: int) -> int:
        # The records taken before are released here, as in the core: spoil
        # them so that a binding still reading one fails loudly.
        for event, _ in self._current:
            ffi.memmove(event, b"\xff" * ffi.sizeof("sio_event"), ffi.sizeof("sio_event"))
        self._current = []
        taken = 0
        while taken < most:
            try:
                if taken or timeout_ms == 0:
                    item = self.events.get_nowait()
                else:
                    item = self.events.get(timeout=None if timeout_ms < 0 else timeout_ms / 1000)
            except queue.Empty:
                break
            os.read(self._read_fd, 1)
            if item is WAKE:
                break
            handle = self._handle_of(item)
            if handle in self.freed:  # the core drops a freed handle's events
                continue
            out[taken] = self._event(item, handle)
            taken += 1
        return taken

    @staticmethod
    def _handle_of(item: dict[str, Any]) -> int:
        return 0 if item["context"] else CLIENT if item["client"] else SERVER

    def _event(self, item: dict[str, Any], handle: int) -> Any:
        keep: list[Any] = []

        def text(value: Optional[str]) -> Any:
            if value is None:
                return ffi.NULL
            ptr = ffi.new("char[]", value.encode())
            keep.append(ptr)
            return ptr

        event = ffi.new("sio_event *")
        keep.append(event)
        event.size = ffi.sizeof("sio_event")
        event.type = item["type"]
        event.flags = item["flags"]
        event.req = item["req"]
        if item["client"]:
            event.client = ffi.cast("sio_client *", CLIENT)
        elif not item["context"]:
            event.server = ffi.cast("sio_server *", SERVER)
        event.user = self.users.get(handle, ffi.NULL)
        if handle == SERVER and item["sid"] is not None:
            # Tagged sockets carry their tag up to their DISCONNECT.
            tag = self.socket_users.get(item["sid"], ffi.NULL)
            event.socket_user = tag
            if item["type"] == self.SIO_EV_DISCONNECT:
                self.socket_users.pop(item["sid"], None)
        event.nsp = text(item["nsp"])
        event.sid = text(item["sid"])
        event.name = text(item["name"])
        if item["data"] is not None:
            data = ffi.new("char[]", item["data"])
            keep.append(data)
            event.data = data
            event.data_len = len(item["data"])
        if item["bins"]:
            bins = ffi.new("sio_buf[]", len(item["bins"]))
            for i, blob in enumerate(item["bins"]):
                buffer = ffi.new("char[]", blob)
                keep.append(buffer)
                bins[i].data = buffer
                bins[i].len = len(blob)
            keep.append(bins)
            event.bins = bins
            event.nbins = len(item["bins"])
        event.ack_id = item["ack_id"]
        event.err = item["err"]
        event.reason = text(item["reason"])
        event.attempt = item["attempt"]
        event.count = item["count"]
        self._current.append((event, keep))  # borrowed until the next call
        return event

    def sio_options_new(self, out: Any) -> int:
        out[0] = ffi.cast("sio_options *", 2)
        return 0

    def sio_options_free(self, opts: Any) -> None:
        pass

    def sio_options_set(self, opts: Any, key: bytes, value: bytes) -> int:
        if key.decode() == "parser" and value not in (b"json", b"msgpack"):
            return self._fail(self.SIO_EINVAL, f"bad parser {value.decode()!r}")
        self.options[key.decode()] = value.decode()
        return 0

    def sio_server_new(self, ctx: Any, opts: Any, out: Any) -> int:
        port = int(self.options.get("port", "3000"))
        if port in self.taken_ports:
            return self._fail(self.SIO_EADDRINUSE, f"port {port} is taken")
        self._record("server_new", options=dict(self.options))
        self.freed.discard(SERVER)
        self.users.pop(SERVER, None)
        out[0] = ffi.cast("sio_server *", SERVER)
        return 0

    def sio_server_set_user(self, srv: Any, user: Any) -> int:
        self.users[SERVER] = user
        return 0

    def sio_server_free(self, srv: Any) -> None:
        self._record("server_free")
        self.freed.add(SERVER)

    def sio_socket_set_user(self, srv: Any, sid: bytes, user: Any) -> int:
        if sid.decode() not in self.socket_nsp:
            return self._fail(self.SIO_ENOTFOUND, f"no socket {sid.decode()}")
        self.socket_users[sid.decode()] = user
        return 0

    def sio_socket_set_data(self, srv: Any, sid: bytes, json_text: Any) -> int:
        text = None if json_text == ffi.NULL else json_text.decode()
        self._record("set_data", sid=sid.decode(), data=None if text is None else json.loads(text),
                     text=text)
        return 0

    def sio_socket_rooms(self, srv: Any, sid: bytes, json_out: Any) -> int:
        rooms = self.rooms.get(sid.decode())
        if rooms is None:
            return self._fail(self.SIO_ENOTFOUND, f"no socket {sid.decode()}")
        text = ffi.new("char[]", json.dumps(rooms).encode())
        self._keep[f"rooms {id(text)}"] = text
        self.rooms_handed_out.append(ffi.cast("char *", text))
        json_out[0] = ffi.cast("char *", text)
        return 0

    def sio_server_port(self, srv: Any) -> int:
        return int(self.options.get("port", "3000")) or 45678

    def sio_server_close(self, srv: Any) -> int:
        if self.closed:
            return self._fail(self.SIO_ECLOSED, "server is closed")
        self.closed = True
        self._record("close")
        self.push(self.SIO_EV_SERVER_CLOSED)
        return 0

    def sio_server_of(self, srv: Any, name: bytes, flags: int) -> int:
        self._record("of", name=name.decode(), flags=flags)
        return 0

    def sio_connect_accept(self, srv: Any, req: int) -> int:
        self._record("accept", request=req)
        return 0

    def sio_connect_refuse(self, srv: Any, req: int, message: bytes, data: Any) -> int:
        self._record("refuse", request=req, message=message.decode(),
                     data=None if data == ffi.NULL else json.loads(data))
        return 0

    def _target(self, to: Any) -> dict[str, Any]:
        def texts(array: Any, count: int) -> list[str]:
            return [ffi.string(array[i]).decode() for i in range(count)]
        assert to.size == ffi.sizeof("sio_target"), "sio_target without its size"
        return {
            "nsp": ffi.string(to.nsp).decode() if to.nsp != ffi.NULL else "/",
            "sid": ffi.string(to.sid).decode() if to.sid != ffi.NULL else None,
            "rooms": texts(to.rooms, to.nrooms),
            "except": texts(getattr(to, "except"), to.nexcept),
        }

    @staticmethod
    def _bins(bins: Any, nbins: int) -> list[bytes]:
        return [bytes(ffi.buffer(bins[i].data, bins[i].len)) for i in range(nbins)]

    def _command_allowed(self) -> Optional[int]:
        return self._fail(self.SIO_ECLOSED, "server is closed") if self.closed else None

    def _message(self, msg: Any) -> dict[str, Any]:
        """A sio_message's content; ack is for acknowledgements (no name)."""
        assert msg.size == ffi.sizeof("sio_message"), "sio_message without its size"
        args = (json.loads(ffi.unpack(msg.args_json, msg.args_len))
                if msg.args_json != ffi.NULL else [])
        return {"event": None if msg.event == ffi.NULL else ffi.string(msg.event).decode(),
                "args": args, "bins": self._bins(msg.bins, msg.nbins), "flags": msg.flags,
                "timeout_ms": msg.timeout_ms}

    def _out(self, req_out: Any, req: int) -> int:
        if req_out != ffi.NULL:
            req_out[0] = req
        return 0

    def sio_emit(self, srv: Any, to: Any, msg: Any, req_out: Any) -> int:
        refused = self._command_allowed()
        if refused is not None:
            return refused
        message = self._message(msg)
        if message["event"] in RESERVED:
            return self._fail(self.SIO_ERESERVED,
                              f'"{message["event"]}" is a reserved event name')
        return self._out(req_out, self._record("emit", to=self._target(to), **message))

    def sio_ack(self, srv: Any, sid: bytes, ack_id: int, msg: Any, req_out: Any) -> int:
        message = self._message(msg)
        return self._out(req_out, self._record("ack", sid=sid.decode(), ack_id=ack_id,
                                               args=message["args"], bins=message["bins"]))

    def _selected(self, to: dict[str, Any]) -> list[str]:
        """The sockets a target reaches, by the core's rule."""
        if to["sid"] is not None:
            return [to["sid"]] if to["sid"] in self.rooms else []
        return [sid for sid, nsp in self.socket_nsp.items() if nsp == to["nsp"]
                and (not to["rooms"] or set(to["rooms"]) & set(self.rooms[sid]))
                and not set(to["except"]) & set(self.rooms[sid])]

    def _change_rooms(self, kind: str, to: Any, rooms: Any, nrooms: int, req_out: Any) -> int:
        target = self._target(to)
        names = [ffi.string(rooms[i]).decode() for i in range(nrooms)]
        for sid in self._selected(target):
            kept = [room for room in self.rooms[sid] if room not in names]
            self.rooms[sid] = kept + [room for room in dict.fromkeys(names)
                                      if kind == "join" and room not in kept]
        return self._out(req_out, self._record(kind, to=target, rooms=names))

    def sio_join(self, srv: Any, to: Any, rooms: Any, nrooms: int, req_out: Any) -> int:
        return self._change_rooms("join", to, rooms, nrooms, req_out)

    def sio_leave(self, srv: Any, to: Any, rooms: Any, nrooms: int, req_out: Any) -> int:
        return self._change_rooms("leave", to, rooms, nrooms, req_out)

    def sio_disconnect(self, srv: Any, to: Any, flags: int, req_out: Any) -> int:
        if flags & ~self.SIO_DISCONNECT_CLOSE:
            return self._fail(self.SIO_EINVAL, f"unknown disconnect flags {flags:#x}")
        return self._out(req_out, self._record("disconnect", to=self._target(to),
                                               close=bool(flags & self.SIO_DISCONNECT_CLOSE)))

    def sio_fetch_sockets(self, srv: Any, to: Any, req_out: Any) -> int:
        req_out[0] = self._record("fetch", to=self._target(to))
        return 0

    # The client half of the ABI -------------------------------------------
    def sio_client_new(self, ctx: Any, url: bytes, opts: Any, auth: Any, out: Any) -> int:
        self._record("client_new", url=url.decode(), options=dict(self.options),
                     auth=None if auth == ffi.NULL else json.loads(auth))
        self.freed.discard(CLIENT)
        self.users.pop(CLIENT, None)
        self.client_url = url.decode()
        out[0] = ffi.cast("sio_client *", CLIENT)
        return 0

    def sio_client_nsp(self, cli: Any) -> Any:
        # As the core (and socket.io-client): the path as it is, "/" without one.
        return self._text(urlsplit(self.client_url).path or "/")

    def sio_client_set_user(self, cli: Any, user: Any) -> int:
        self.users[CLIENT] = user
        return 0

    def sio_client_free(self, cli: Any) -> None:
        self._record("client_free")
        self.freed.add(CLIENT)

    def sio_client_socket(self, cli: Any, nsp: bytes, auth: Any) -> int:
        self._record("client_socket", nsp=nsp.decode(),
                     auth=None if auth == ffi.NULL else json.loads(auth))
        if self.on_client_socket is not None:
            self.on_client_socket(nsp.decode())
        return 0

    def sio_client_emit(self, cli: Any, nsp: Any, msg: Any, req_out: Any) -> int:
        if self.closed:
            return self._fail(self.SIO_ECLOSED, "client is closed")
        message = self._message(msg)
        if message["event"] in RESERVED:
            return self._fail(self.SIO_ERESERVED,
                              f'"{message["event"]}" is a reserved event name')
        return self._out(req_out, self._record("client_emit", nsp=_text_or_none(nsp),
                                               **message))

    def sio_client_ack(self, cli: Any, nsp: Any, ack_id: int, msg: Any, req_out: Any) -> int:
        message = self._message(msg)
        return self._out(req_out, self._record("client_ack", nsp=_text_or_none(nsp),
                                               ack_id=ack_id, args=message["args"],
                                               bins=message["bins"]))

    def sio_client_disconnect(self, cli: Any, nsp: Any) -> int:
        name = _text_or_none(nsp) or "/"
        self._record("client_disconnect", nsp=name)
        if name in self.client_connected:
            self.push(self.SIO_EV_DISCONNECT, nsp=name, sid="c" * 20,
                      reason="io client disconnect", client=True, flags=self.SIO_EVF_FINAL)
        return 0

    def sio_client_close(self, cli: Any) -> int:
        if self.closed:
            return self._fail(self.SIO_ECLOSED, "client is closed")
        self.closed = True
        self._record("client_close")
        for name in sorted(self.client_connected):
            self.push(self.SIO_EV_DISCONNECT, nsp=name, sid="c" * 20,
                      reason="io client disconnect", client=True, flags=self.SIO_EVF_FINAL)
        return 0


def _text_or_none(value: Any) -> Optional[str]:
    """A char * argument: bytes from Python, or NULL."""
    return None if value is ffi.NULL or value == ffi.NULL else value.decode()


lib = FakeLib()
module = types.ModuleType("sio._sio_cffi")
module.ffi = ffi  # type: ignore[attr-defined]
module.lib = lib  # type: ignore[attr-defined]
