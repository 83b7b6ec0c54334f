-- A server-side socket: one client in one namespace.
--   socket.id, socket.nsp (its Namespace), socket.handshake (the table the
--   core reports: headers, query, auth, address, ...), socket.rooms (a set,
--   rooms[name] == true, asked of the core at each read), socket.data (free
--   for the application, as socket.io's; see "socket.data" below),
--   socket.connected.
-- Handlers: socket:on(event, fn(..., ack)), on_any(fn(event, ...)), and the
-- reserved "disconnecting" and "disconnect" (fn(reason)).
local ffi = require("ffi")
local lib = require("sio.lib")
local emitter = require("sio.emitter")
local payload = require("sio.payload")
local acks = require("sio.acks")
local operator = require("sio.operator")

local C = lib.load()

local Socket = {}
emitter.mixin(Socket)
emitter.catch_all(Socket)

local M = { Socket = Socket }

-- A JSON array of room names -> a set.
function M.room_set(json)
  local set = {}
  for _, room in ipairs(payload.decode(json)) do
    set[room] = true
  end
  return set
end

-- The rooms the core has the socket in, its own id first (sio_socket_rooms
-- runs after every command issued before it, so a join shows at once). While
-- it leaves, the rooms the SIO_EV_DISCONNECTING named, which the core no
-- longer reports; none once it has left or before it has joined.
local function rooms_of(socket)
  if socket._leaving_rooms then
    return socket._leaving_rooms
  end
  local server = socket.server
  if server.freed then
    return {}
  end
  local out = ffi.new("char *[1]")
  local rc = C.sio_socket_rooms(server.c, socket.id, out)
  if rc == C.SIO_ENOTFOUND or rc == C.SIO_ECLOSED then
    return {}
  end
  lib.check(rc, "rooms of " .. socket.id)
  local text = ffi.string(out[0])
  C.sio_free(out[0])
  return M.room_set(text)
end

-- socket.conn: the Engine.IO connection under the socket. conn.transport is
-- "polling" or "websocket" (asked of the core at each read; nil once the
-- socket is gone); conn:on("upgrade", fn(name)) when it moves to WebSocket.
local Conn = {}
emitter.mixin(Conn)

function Conn.__index(conn, k)
  if k == "transport" then
    local server = conn.socket.server
    if server.freed then
      return nil
    end
    local out = ffi.new("const char *[1]")
    local rc = C.sio_socket_transport(server.c, conn.socket.id, out)
    if rc == C.SIO_ENOTFOUND or rc == C.SIO_ECLOSED then
      return nil
    end
    lib.check(rc, "transport of " .. conn.socket.id)
    return ffi.string(out[0])
  end
  return Conn[k]
end

-- socket.data: other nodes of a cluster see it in their fetch_sockets()
-- when it is JSON (tables, strings, numbers, booleans; no binary). The
-- core is handed its JSON when it changed: at once when socket.data is
-- assigned, and after the socket's handlers and middlewares ran, so that
-- what they change inside it (socket.data.n = 1) goes too. A change made
-- elsewhere goes at the socket's next event, or at once by assigning it
-- again (socket.data = socket.data). A value that cannot be sent stays here
-- only (logged once).
local CORE_DEFAULT = "{}" -- what the core holds for a socket never set

function Socket:_push_data()
  local data = rawget(self, "_data")
  local pushed = rawget(self, "_pushed")
  if not self.connected or self.server.freed or
      (pushed == CORE_DEFAULT and type(data) == "table" and next(data) == nil and
        getmetatable(data) == nil) then
    return
  end
  local ok, text = pcall(payload.json, data)
  if not ok then
    if not rawget(self, "_unsendable") then
      rawset(self, "_unsendable", true)
      io.stderr:write("libsio: socket " .. self.id .. ": socket.data cannot be sent, other "
        .. "nodes will not see it: " .. tostring(text) .. "\n")
    end
    return
  end
  if text == pushed then
    return
  end
  local rc = C.sio_socket_set_data(self.server.c, self.id, text)
  if rc < 0 then
    io.stderr:write("libsio: socket " .. self.id .. ": socket.data not handed to the core: "
      .. ffi.string(C.sio_last_error()) .. "\n")
    return
  end
  rawset(self, "_pushed", text)
  rawset(self, "_unsendable", false)
end

-- socket.broadcast, socket.volatile and socket.rooms, as in socket.io.
function Socket.__index(socket, k)
  if k == "data" then
    return rawget(socket, "_data")
  elseif k == "rooms" then
    return rooms_of(socket)
  elseif k == "broadcast" then
    return socket.self_op.broadcast
  elseif k == "volatile" then
    return socket.self_op.volatile
  end
  return Socket[k]
end

function Socket.__newindex(socket, k, v)
  if k == "data" then
    rawset(socket, "_data", v)
    socket:_push_data()
  else
    rawset(socket, k, v)
  end
end

function M.new(nsp, id, handshake)
  local socket = setmetatable({
    id = id,
    nsp = nsp,
    server = nsp.server,
    handshake = handshake,
    _data = {},
    _pushed = CORE_DEFAULT,
    connected = false,
    _handlers = {},
    _any = {},
    _any_outgoing = {},
    _middlewares = {},
  }, Socket)
  socket.self_op = operator.new({ nsp = nsp, sid = id, owner = socket })
  socket.conn = setmetatable({ socket = socket, _handlers = {} }, Conn)
  return socket
end

function Socket:emit(name, ...)
  return self.self_op:emit(name, ...)
end

-- Another name for emit("message", ...), as in socket.io.
function Socket:send(...)
  return self.self_op:emit("message", ...)
end

-- Waits for the client's answer (see Operator:emit_with_ack).
function Socket:emit_with_ack(name, ...)
  return self.self_op:emit_with_ack(name, ...)
end

-- fn(packet, next) for each event from the client, in the order added,
-- after the catch-all handlers and before the event's own: packet is
-- { event, args... } (fn may change it), next() passes it on, next(err)
-- drops it and calls the socket's "error" handlers with err.
function Socket:use(fn)
  if type(fn) ~= "function" then
    error("a middleware must be a function", 2)
  end
  self._middlewares[#self._middlewares + 1] = fn
  return self
end

-- The rest of the namespace (or rooms) without this socket.
function Socket:to(rooms)
  return self.self_op:to(rooms)
end
Socket["in"] = Socket.to

function Socket:except(rooms)
  return self.self_op:except(rooms)
end

function Socket:timeout(ms)
  return self.self_op:timeout(ms)
end

function Socket:compress(value)
  return self.self_op:compress(value)
end

function Socket:join(rooms)
  self.self_op:sockets_join(rooms)
end

function Socket:leave(rooms)
  self.self_op:sockets_leave(rooms)
end

-- close: also close the connection, leaving every namespace.
function Socket:disconnect(close)
  self.self_op:disconnect_sockets(close)
end

-- The reply function for an event whose peer waits for an acknowledgement.
function Socket:_acker(ack_id)
  return acks.replier(function(msg)
    if self.server.freed then
      return C.SIO_ECLOSED
    end
    return C.sio_ack(self.server.c, self.id, ack_id, msg, nil)
  end)
end

function Socket:_event(name, args, n)
  for i = 1, #self._any do
    self._any[i](name, unpack(args, 1, n))
  end
  if #self._middlewares == 0 then
    emitter.fire(self, name, args, n)
    return
  end
  local packet = { name, unpack(args, 1, n) }
  local function run(i)
    local middleware = self._middlewares[i]
    if not middleware then
      local count = math.max(n, table.maxn(packet) - 1)
      emitter.fire(self, packet[1], { unpack(packet, 2, count + 1) }, count)
      return
    end
    local passed = false
    middleware(packet, function(err)
      if passed then
        return
      end
      passed = true
      if err ~= nil then
        emitter.fire(self, "error", { err }, 1)
      else
        run(i + 1)
      end
    end)
  end
  run(1)
end

function Socket:_outgoing(name, args, n)
  for i = 1, #self._any_outgoing do
    self._any_outgoing[i](name, unpack(args, 1, n))
  end
end

function Socket:_fire(name, ...)
  emitter.fire(self, name, { ... }, select("#", ...))
end

return M
