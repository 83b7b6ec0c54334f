-- A server-side socket: one client in one namespace.
--   socket.id, socket.nsp (its Namespace), socket.handshake (the table the
--   core reports: headers, query, auth, address, ...), socket.rooms (a set,
--   rooms[name] == true), socket.data (free for the application),
--   socket.connected.
-- Handlers: socket:on(event, fn(..., ack)), on_any(fn(event, ...)), and the
-- reserved "disconnecting" and "disconnect" (fn(reason)).
local lib = require("sio.lib")
local emitter = require("sio.emitter")
local acks = require("sio.acks")
local operator = require("sio.operator")

local C = lib.load()

local Socket = {}
emitter.mixin(Socket)

-- socket.broadcast and socket.volatile, as in socket.io.
function Socket.__index(socket, k)
  if k == "broadcast" then
    return operator.new({ nsp = socket.nsp, except = { socket.id } })
  elseif k == "volatile" then
    return socket.self_op.volatile
  end
  return Socket[k]
end

local M = { Socket = Socket }

function M.new(nsp, id, handshake)
  local socket = setmetatable({
    id = id,
    nsp = nsp,
    server = nsp.server,
    handshake = handshake,
    rooms = { [id] = true },
    data = {},
    connected = false,
    _handlers = {},
    _any = {},
  }, Socket)
  socket.self_op = operator.new({ nsp = nsp, sid = id })
  return socket
end

function Socket:emit(name, ...)
  return self.self_op:emit(name, ...)
end

-- Another name for emit("message", ...), as in socket.io.
function Socket:send(...)
  return self.self_op:emit("message", ...)
end

function Socket:on_any(fn)
  self._any[#self._any + 1] = fn
  return self
end

-- The rest of the namespace (or rooms) without this socket.
function Socket:to(rooms)
  return self.broadcast:to(rooms)
end
Socket["in"] = Socket.to

function Socket:except(rooms)
  return self.broadcast:except(rooms)
end

function Socket:timeout(ms)
  return self.self_op:timeout(ms)
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
  return acks.replier(function(text, len, bufs, nbufs)
    return C.sio_ack(self.server.c, self.id, ack_id, text, len, bufs, nbufs)
  end)
end

function Socket:_event(name, args, n)
  for i = 1, #self._any do
    self._any[i](name, unpack(args, 1, n))
  end
  emitter.fire(self, name, args, n)
end

function Socket:_fire(name, ...)
  emitter.fire(self, name, { ... }, select("#", ...))
end

return M
