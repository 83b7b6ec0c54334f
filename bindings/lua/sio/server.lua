-- A Socket.IO server on a libsio context: creation from Lua options, the
-- namespaces, and the routing of the core's events to Lua handlers.
--
-- io:on("connection" | "connect", fn(socket)) and every broadcast operation
-- apply to the main namespace "/", as in socket.io; io:on("error", fn(err))
-- gets server-level failures ({code, message, data}), io:on("close", fn())
-- the end of io:close() and io:on("events_lost", fn(count)) the events the
-- core could not queue (out of memory, or too many left unread). Once closed,
-- the core's server is freed: later commands raise "closed".
local ffi = require("ffi")
local bit = require("bit")
local lib = require("sio.lib")
local context = require("sio.context")
local emitter = require("sio.emitter")
local payload = require("sio.payload")
local options = require("sio.options")
local namespace = require("sio.namespace")
local socket_mod = require("sio.socket")

local C = lib.load()
local macros = lib.macros

local Server = {}

local SERVER_EVENTS = { error = true, close = true, events_lost = true }

function Server.__index(server, k)
  if k == "volatile" then
    return server.sockets.volatile
  end
  return Server[k]
end

local M = { Server = Server }

-- opts: the server options in snake_case (port, host, path, ping_interval,
-- ping_timeout, cors = { origin, credentials }, transports, parser, ...);
-- opts.context picks a context other than the shared default one.
function M.new(opts)
  local server, message = M.open(opts)
  if not server then
    error(message, 2)
  end
  return server
end

-- As new, but a failure of the core to make the server (a taken port, say)
-- returns nil, the message and the SIO_E* code instead of raising. Bad
-- options still raise.
function M.open(opts)
  opts = opts or {}
  local ctx = opts.context or context.default()
  local core_opts = {}
  for k, v in pairs(opts) do
    if k ~= "context" then
      core_opts[k] = v
    end
  end
  local o = options.build(core_opts)
  local out = ffi.new("sio_server*[1]")
  local rc = C.sio_server_new(ctx.c, o, out)
  if rc < 0 then
    return nil, string.format("sio_server_new: %s (%s)", ffi.string(C.sio_last_error()),
      ffi.string(C.sio_strerror(rc))), rc
  end
  local server = setmetatable({
    context = ctx,
    c = out[0],
    nsps = {},
    parents = {},
    requests = {},
    closed = false,
    _handlers = {},
  }, Server)
  local tag
  server.id, tag = ctx:attach(server)
  lib.check(C.sio_server_set_user(server.c, tag), "sio_server_set_user")
  server.port = C.sio_server_port(server.c)
  server.sockets = server:of("/")
  return server
end

-- io:of("/name") or io:of(fn): fn(name, handshake) -> true for the dynamic
-- namespaces it accepts.
function Server:of(name)
  if type(name) == "function" then
    local parent = namespace.new(self, nil, name)
    self.parents[#self.parents + 1] = parent
    -- Every name not declared otherwise now asks the host first.
    lib.check(C.sio_server_of(self:_handle("of"), "*", macros.SIO_NS_MIDDLEWARE), "of")
    return parent
  end
  if name:sub(1, 1) ~= "/" then
    name = "/" .. name
  end
  local nsp = self.nsps[name]
  if not nsp then
    nsp = namespace.new(self, name)
    self.nsps[name] = nsp
    self:_declare(nsp)
  end
  return nsp
end

-- Tells the core about a namespace: connections wait for the host when
-- it has middleware.
function Server:_declare(nsp)
  if nsp.matcher then
    return
  end
  local flags = #nsp.middlewares > 0 and macros.SIO_NS_MIDDLEWARE or 0
  lib.check(C.sio_server_of(self:_handle("of"), nsp.name, flags), "of " .. nsp.name)
end

function Server:on(name, fn)
  if SERVER_EVENTS[name] then
    return emitter.on(self, name, fn)
  end
  self.sockets:on(name, fn)
  return self
end

function Server:once(name, fn)
  if SERVER_EVENTS[name] then
    return emitter.once(self, name, fn)
  end
  self.sockets:once(name, fn)
  return self
end

function Server:off(name, fn)
  if SERVER_EVENTS[name] then
    return emitter.off(self, name, fn)
  end
  self.sockets:off(name, fn)
  return self
end

for _, method in ipairs({ "use", "emit", "to", "in", "except", "timeout",
  "fetch_sockets", "disconnect_sockets", "sockets_join", "sockets_leave" }) do
  Server[method] = function(self, ...)
    local nsp = self.sockets
    return nsp[method](nsp, ...)
  end
end

-- Runs the handlers of pending events, waiting up to timeout_ms for the first
-- (default 0). It pumps the whole context, so other servers on it too.
function Server:poll(timeout_ms, max_events)
  return self.context:poll(timeout_ms or 0, max_events)
end

-- Pumps until the server is closed.
function Server:run()
  while not self.closed do
    self.context:poll(-1)
  end
end

-- Disconnects everyone ("server shutting down") and stops listening; the
-- "close" handlers run when the core is done.
function Server:close()
  if self.closing or self.freed then
    return
  end
  self.closing = true
  lib.check(C.sio_server_close(self.c), "close")
end

-- The core's server for a command, or an error once it is freed.
function Server:_handle(what)
  if self.freed then
    error(what .. ": " .. ffi.string(C.sio_strerror(C.SIO_ECLOSED)), 3)
  end
  return self.c
end

function Server:_expect(req, handler)
  self.requests[tonumber(req)] = handler
end

function Server:_answer(e)
  local handler = self.requests[e.req]
  if not handler then
    return false
  end
  self.requests[e.req] = nil
  handler(e)
  return true
end

-- The namespace of an event: declared, or a dynamic child created already.
function Server:_namespace(name)
  local nsp = self.nsps[name]
  if not nsp then
    nsp = namespace.new(self, name)
    self.nsps[name] = nsp
  end
  return nsp
end

-- done(parent): the first parent namespace whose matcher accepts name, or
-- nil. A matcher fn(name, handshake) answers by its result; one that takes
-- a third parameter, fn(name, handshake, next), may answer later with
-- next(err, accepted), as socket.io's function form does.
function Server:_match_parent(name, handshake, done)
  local i = 0
  local function try_next()
    i = i + 1
    local parent = self.parents[i]
    if not parent then
      return done(nil)
    end
    local answered = false
    local function answer(err, accepted)
      if answered then
        return
      end
      answered = true
      if err == nil and accepted then
        done(parent)
      else
        try_next()
      end
    end
    if debug.getinfo(parent.matcher, "u").nparams >= 3 then
      parent.matcher(name, handshake, answer)
    else
      answer(nil, parent.matcher(name, handshake))
    end
  end
  try_next()
end

local function refusal(err)
  if type(err) == "table" then
    return tostring(err.message), err.data ~= nil and payload.json(err.data) or nil
  end
  return tostring(err), nil
end

local admit

local function on_connect_request(server, e)
  local handshake = payload.decode(e.data)
  local nsp = server.nsps[e.nsp]
  if nsp then
    return admit(server, e, nsp, handshake)
  end
  server:_match_parent(e.nsp, handshake, function(parent)
    if server.closing or server.freed then
      return
    end
    if not parent then
      lib.check(C.sio_connect_refuse(server:_handle("refuse"), e.req, "Invalid namespace", nil),
        "refuse")
      return
    end
    -- Another request may have made the child while this one was matched.
    local child = server.nsps[e.nsp]
    if not child then
      child = namespace.new(server, e.nsp, nil, parent)
      server.nsps[e.nsp] = child
      server:_declare(child)
    end
    admit(server, e, child, handshake)
  end)
end

-- Runs the namespace's middlewares for the socket asking to join, then
-- accepts or refuses it.
function admit(server, e, nsp, handshake)
  local socket = socket_mod.new(nsp, e.sid, handshake)
  nsp.pending[e.sid] = socket
  nsp:_admit(socket, function(err)
    if server.closing then
      return
    end
    if err == nil then
      lib.check(C.sio_connect_accept(server:_handle("accept"), e.req), "accept")
    else
      nsp.pending[e.sid] = nil
      local message, data = refusal(err)
      lib.check(C.sio_connect_refuse(server:_handle("refuse"), e.req, message, data), "refuse")
    end
  end)
end

local function on_connection(server, e)
  local nsp = server:_namespace(e.nsp)
  local socket = nsp.pending[e.sid] or socket_mod.new(nsp, e.sid)
  nsp.pending[e.sid] = nil
  socket.handshake = payload.decode(e.data)
  socket.recovered = bit.band(e.flags, macros.SIO_EVF_RECOVERED) ~= 0
  socket.connected = true
  nsp.sockets[e.sid] = socket
  nsp:_connected(socket)
end

local function on_event(server, e)
  local nsp = server.nsps[e.nsp]
  local socket = nsp and nsp.sockets[e.sid]
  if not socket then
    return
  end
  local args, n = payload.decode_args(e.data, e.bins)
  if e.ack_id >= 0 then
    n = n + 1
    args[n] = socket:_acker(e.ack_id)
  end
  socket:_event(e.name, args, n)
end

local function on_disconnecting(server, e)
  local nsp = server.nsps[e.nsp]
  local socket = nsp and nsp.sockets[e.sid]
  if not socket then
    return
  end
  -- The core has already taken the socket out of its rooms.
  socket._leaving_rooms = e.data and socket_mod.room_set(e.data) or {}
  socket:_fire("disconnecting", e.reason)
end

local function on_disconnect(server, e)
  local nsp = server.nsps[e.nsp]
  if not nsp then
    return
  end
  -- A client that leaves while its middleware is still deciding.
  nsp.pending[e.sid] = nil
  local socket = nsp.sockets[e.sid]
  if not socket then
    return
  end
  nsp.sockets[e.sid] = nil
  socket.connected = false
  socket._leaving_rooms = {}
  socket:_fire("disconnect", e.reason)
end

local function on_error(server, e)
  if e.req ~= 0 and server:_answer(e) then
    return
  end
  local data = e.data and payload.decode(e.data)
  local message = e.reason or ffi.string(C.sio_strerror(e.err))
  emitter.fire(server, "error", { { code = e.err, message = message, data = data } }, 1)
end

-- The server's last event: its handle is freed before the handlers run, so
-- that servers created and closed in a loop keep memory flat.
local function on_closed(server)
  server.closed = true
  server.freed = true
  C.sio_server_free(server.c)
  server.context:detach(server.id)
  emitter.fire(server, "close", {}, 0)
end

local handlers = {
  [C.SIO_EV_CONNECT_REQUEST] = on_connect_request,
  [C.SIO_EV_CONNECTION] = on_connection,
  [C.SIO_EV_EVENT] = on_event,
  [C.SIO_EV_ACK] = Server._answer,
  [C.SIO_EV_SOCKETS] = Server._answer,
  [C.SIO_EV_DISCONNECTING] = on_disconnecting,
  [C.SIO_EV_DISCONNECT] = on_disconnect,
  [C.SIO_EV_ERROR] = on_error,
  [C.SIO_EV_SERVER_CLOSED] = on_closed,
}

function Server:_dispatch(e)
  local handler = handlers[e.type]
  if handler then
    handler(self, e)
  end
end

-- Returns whether a handler ran (the context logs the loss otherwise).
function Server:_events_lost(count)
  return emitter.fire(self, "events_lost", { count }, 1)
end

-- fetch_sockets answers: the live Socket objects, or detached ones for
-- sockets this object has not seen; either reads its rooms from the core.
function Server:_remote_sockets(list)
  local out = {}
  for i, info in ipairs(list) do
    local nsp = self:_namespace(info.nsp)
    out[i] = nsp.sockets[info.id] or socket_mod.new(nsp, info.id, info.handshake)
  end
  return out
end

return M
