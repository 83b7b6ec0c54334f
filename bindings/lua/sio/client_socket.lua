-- A client socket: one namespace of a connection (socket.io-client's
-- Socket). socket.id (nil until connected), socket.nsp (its name),
-- socket.connected, socket.active (false once the core says the socket will
-- not join again by itself: refused, left by the server or by the host,
-- reconnection given up; connect() makes it true again), socket.io (the
-- Manager, for reconnection events and more namespaces).
-- Handlers: socket:on(event, fn(..., ack)), on_any(fn(event, ...)), and the
-- reserved "connect" (fn()), "connect_error" (fn(err) with err.message and
-- err.data) and "disconnect" (fn(reason)).
local ffi = require("ffi")
local bit = require("bit")
local lib = require("sio.lib")
local acks = require("sio.acks")
local emitter = require("sio.emitter")
local payload = require("sio.payload")

local C = lib.load()
local macros = lib.macros

-- How an emit goes out: socket:timeout(ms), socket.volatile and
-- socket:compress(false) return one.
local Emitter = {}
Emitter.__index = Emitter

local ClientSocket = {}
emitter.mixin(ClientSocket)
emitter.catch_all(ClientSocket)

function ClientSocket.__index(socket, k)
  if k == "volatile" then
    return setmetatable({ socket = socket, is_volatile = true }, Emitter)
  end
  return ClientSocket[k]
end

local M = { ClientSocket = ClientSocket }

function M.new(manager, nsp, auth)
  return setmetatable({
    io = manager,
    nsp = nsp,
    auth = auth,
    connected = false,
    active = true,
    _handlers = {},
    _any = {},
    _any_outgoing = {},
  }, ClientSocket)
end

function Emitter:timeout(ms)
  return setmetatable({ socket = self.socket, is_volatile = self.is_volatile, timeout_ms = ms,
    no_compress = self.no_compress }, Emitter)
end

-- compress(false): sent without permessage-deflate.
function Emitter:compress(value)
  return setmetatable({ socket = self.socket, is_volatile = self.is_volatile,
    timeout_ms = self.timeout_ms, no_compress = not value }, Emitter)
end

-- emit(name, ...): a function as the last argument asks for an
-- acknowledgement (see acks.on_answer). While disconnected, the core buffers
-- the emit until the socket connects (volatile ones are dropped).
function Emitter:emit(name, ...)
  local args, n, cb = acks.split(...)
  return self:_send(name, args, n, cb, self.timeout_ms ~= nil)
end

-- emit_with_ack(name, ...): in a coroutine (or an OpenResty light thread),
-- waits for the server's answer and returns its values; raises the error
-- of a timeout or a disconnect.
function Emitter:emit_with_ack(name, ...)
  local args, n = { ... }, select("#", ...)
  return acks.await(function(cb)
    self:_send(name, args, n, cb, true)
  end)
end

-- with_error: cb gets an error (or nil) first, as after timeout().
function Emitter:_send(name, args, n, cb, with_error)
  local socket = self.socket
  for i = 1, #socket._any_outgoing do
    socket._any_outgoing[i](name, unpack(args, 1, n))
  end
  local flags = 0
  if cb then
    flags = bit.bor(flags, macros.SIO_EMIT_ACK)
  end
  if self.is_volatile then
    flags = bit.bor(flags, macros.SIO_EMIT_VOLATILE)
  end
  if self.no_compress then
    flags = bit.bor(flags, macros.SIO_EMIT_NO_COMPRESS)
  end
  local msg, keep = payload.message(args, n, name, flags, self.timeout_ms)
  local manager = socket.io
  local req = ffi.new("uint64_t[1]")
  local what = "emit '" .. tostring(name) .. "'"
  lib.check(C.sio_client_emit(manager:_handle(what), socket.nsp, msg, req), what)
  -- Keeps what msg points to referenced until the call above is done.
  keep.sent = true
  if cb then
    manager:_expect(req[0], acks.on_answer(cb, false, with_error))
  end
  return true
end

function ClientSocket:emit(name, ...)
  return Emitter.emit(setmetatable({ socket = self }, Emitter), name, ...)
end

function ClientSocket:emit_with_ack(name, ...)
  return Emitter.emit_with_ack(setmetatable({ socket = self }, Emitter), name, ...)
end

-- Another name for emit("message", ...), as in socket.io.
function ClientSocket:send(...)
  return self:emit("message", ...)
end

function ClientSocket:timeout(ms)
  return setmetatable({ socket = self, timeout_ms = ms }, Emitter)
end

function ClientSocket:compress(value)
  return setmetatable({ socket = self, no_compress = not value }, Emitter)
end

-- Joins the namespace again after a disconnect().
function ClientSocket:connect()
  local auth = self.auth ~= nil and payload.json(self.auth) or nil
  lib.check(C.sio_client_socket(self.io:_handle("connect"), self.nsp, auth), "connect " .. self.nsp)
  self.active = true
  return self
end
ClientSocket.open = ClientSocket.connect

-- Leaves the namespace ("io client disconnect"); the connection closes when
-- no namespace is left.
function ClientSocket:disconnect()
  lib.check(C.sio_client_disconnect(self.io:_handle("disconnect"), self.nsp),
    "disconnect " .. self.nsp)
  return self
end
ClientSocket.close = ClientSocket.disconnect

-- Runs the handlers of pending events (see Context:poll).
function ClientSocket:poll(timeout_ms, max_events)
  return self.io:poll(timeout_ms, max_events)
end

function ClientSocket:_acker(ack_id)
  return acks.replier(function(msg)
    if self.io.freed then
      return C.SIO_ECLOSED
    end
    return C.sio_client_ack(self.io.c, self.nsp, ack_id, msg, nil)
  end)
end

function ClientSocket:_event(name, args, n)
  for i = 1, #self._any do
    self._any[i](name, unpack(args, 1, n))
  end
  emitter.fire(self, name, args, n)
end

function ClientSocket:_fire(name, ...)
  emitter.fire(self, name, { ... }, select("#", ...))
end

return M
