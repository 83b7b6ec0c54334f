-- Who an operation applies to, and the operations themselves: the Lua side
-- of sio_target. Socket.IO's BroadcastOperator (io.to(r).except(r2)...) and a
-- single socket's emitter are both an Operator; each chained call returns a
-- new one, so partial selections can be kept and reused.
local ffi = require("ffi")
local bit = require("bit")
local lib = require("sio.lib")
local payload = require("sio.payload")
local acks = require("sio.acks")

local C = lib.load()
local macros = lib.macros

local Operator = {}

function Operator.__index(op, k)
  if k == "volatile" then
    return op:_with({ volatile = true })
  elseif k == "broadcast" then
    return op:_broadcast()
  end
  -- io["local"] (local is a Lua keyword): this node only, with an adapter.
  if k == "local" then
    return op:_with({ is_local = true })
  end
  return Operator[k]
end

local M = { Operator = Operator }

-- spec: nsp (a Namespace), and optionally sid (with owner, the Socket whose
-- on_any_outgoing handlers see its emits), rooms, except, volatile, timeout,
-- no_compress.
function M.new(spec)
  return setmetatable({
    nsp = spec.nsp,
    sid = spec.sid,
    owner = spec.owner,
    rooms = spec.rooms or {},
    except_rooms = spec.except or {},
    is_volatile = spec.volatile or false,
    timeout_ms = spec.timeout,
    no_compress = spec.no_compress or false,
    is_local = spec.is_local or false,
  }, Operator)
end

local function room_list(rooms)
  if type(rooms) == "string" then
    return { rooms }
  end
  if type(rooms) ~= "table" then
    error("rooms must be a string or a list of strings", 3)
  end
  return rooms
end

local function concat(a, b)
  local out = { unpack(a) }
  for i = 1, #b do
    out[#out + 1] = b[i]
  end
  return out
end

function Operator:_with(changes)
  return M.new({
    nsp = self.nsp,
    sid = self.sid,
    owner = self.owner,
    rooms = changes.rooms or self.rooms,
    except = changes.except or self.except_rooms,
    volatile = changes.volatile or self.is_volatile,
    timeout = changes.timeout or self.timeout_ms,
    no_compress = (changes.no_compress == nil) and self.no_compress or changes.no_compress,
    is_local = changes.is_local or self.is_local,
  })
end

-- A socket's own operator (socket:timeout(ms), socket.volatile) widened to
-- a broadcast from that socket: everyone selected but the socket, the flags
-- kept, as socket.io's flags carry over whatever the order of the chain.
function Operator:_broadcast()
  if not self.sid then
    return self
  end
  return M.new({
    nsp = self.nsp,
    rooms = self.rooms,
    except = concat(self.except_rooms, { self.sid }),
    volatile = self.is_volatile,
    timeout = self.timeout_ms,
  })
end

function Operator:to(rooms)
  local op = self:_broadcast()
  return op:_with({ rooms = concat(op.rooms, room_list(rooms)) })
end
Operator["in"] = Operator.to

function Operator:except(rooms)
  local op = self:_broadcast()
  return op:_with({ except = concat(op.except_rooms, room_list(rooms)) })
end

function Operator:timeout(ms)
  return self:_with({ timeout = ms })
end

-- compress(false): sent without permessage-deflate or HTTP compression.
function Operator:compress(value)
  return self:_with({ no_compress = not value })
end

local function string_array(list)
  if #list == 0 then
    return nil
  end
  return ffi.new("const char *[?]", #list, list)
end

-- The sio_target, built once. The C strings it points to are the strings of
-- this operator's lists, and the arrays are kept here, so they live as long
-- as the operator does.
function Operator:_target()
  if not self.c_target then
    if not self.nsp.name then
      error("a parent namespace (io:of(fn)) has no sockets of its own: use io:of(name)", 3)
    end
    local t = ffi.new("sio_target")
    t.size = ffi.sizeof(t)
    t.nsp = self.nsp.name
    t.sid = self.sid
    self.c_rooms = string_array(self.rooms)
    self.c_except = string_array(self.except_rooms)
    t.rooms, t.nrooms = self.c_rooms, #self.rooms
    t.except, t.nexcept = self.c_except, #self.except_rooms
    t.flags = self.is_local and macros.SIO_TARGET_LOCAL or 0
    self.c_target = t
  end
  return self.c_target
end

-- emit(name, ...): a function as the last argument asks for an
-- acknowledgement (see acks.on_answer).
function Operator:emit(name, ...)
  local args, n, cb = acks.split(...)
  return self:_send(name, args, n, cb, self.timeout_ms ~= nil)
end

-- emit_with_ack(name, ...): in a coroutine (or an OpenResty light thread),
-- waits for the answer and returns its values (a broadcast's: the list of
-- responses); raises the error of a timeout or a disconnect.
function Operator:emit_with_ack(name, ...)
  local args, n = { ... }, select("#", ...)
  return acks.await(function(cb)
    self:_send(name, args, n, cb, true)
  end)
end

-- with_error: cb gets an error (or nil) first, as after timeout().
function Operator:_send(name, args, n, cb, with_error)
  local broadcast = self.sid == nil
  if cb and broadcast and not self.timeout_ms then
    error("acknowledgements of a broadcast need timeout(ms) first", 3)
  end
  if self.owner then
    self.owner:_outgoing(name, args, n)
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
  local server = self.nsp.server
  local req = ffi.new("uint64_t[1]")
  local what = "emit '" .. tostring(name) .. "'"
  lib.check(C.sio_emit(server:_handle(what), self:_target(), msg, req), what)
  -- Keeps what msg points to referenced until the call above is done.
  keep.sent = true
  if cb then
    server:_expect(req[0], acks.on_answer(cb, broadcast, with_error))
  end
  return true
end

local function room_array(rooms)
  local list = room_list(rooms)
  return list, ffi.new("const char *[?]", #list, list)
end

-- Joins and leaves happen in the core; socket.rooms asks it.
function Operator:sockets_join(rooms)
  local list, arr = room_array(rooms)
  lib.check(C.sio_join(self.nsp.server:_handle("join"), self:_target(), arr, #list, nil), "join")
end

function Operator:sockets_leave(rooms)
  local list, arr = room_array(rooms)
  lib.check(C.sio_leave(self.nsp.server:_handle("leave"), self:_target(), arr, #list, nil), "leave")
end

-- close: also close the underlying connection(s), not just this namespace.
function Operator:disconnect_sockets(close)
  local flags = close and macros.SIO_DISCONNECT_CLOSE or 0
  lib.check(C.sio_disconnect(self.nsp.server:_handle("disconnect"), self:_target(), flags, nil),
    "disconnect")
end

-- cb(sockets): a list of the selected sockets, each the live Socket object
-- when this server has it, with id, nsp, rooms (a set, as the core has it
-- when read), handshake.
function Operator:fetch_sockets(cb)
  local server = self.nsp.server
  local req = ffi.new("uint64_t[1]")
  lib.check(C.sio_fetch_sockets(server:_handle("fetch_sockets"), self:_target(), req),
    "fetch_sockets")
  server:_expect(req[0], function(e)
    if e.err ~= 0 then
      error("fetch_sockets: " .. (e.reason or ffi.string(C.sio_strerror(e.err))))
    end
    cb(server:_remote_sockets(payload.decode(e.data)))
  end)
end

return M
