-- A Socket.IO server on a libsio context: creation from Lua options, the
-- namespaces, and the routing of the core's events to Lua handlers.
--
-- io:on("connection" | "connect", fn(socket)) and every broadcast operation
-- apply to the main namespace "/", as in socket.io; io:on("error", fn(err))
-- gets server-level failures ({code, message, data}), io:on("close", fn())
-- the end of io:close() and io:on("events_lost", fn(count)) the events the
-- core could not queue (out of memory, or too many left unread). Once closed,
-- the core's server is freed: later commands raise "closed".
--
-- The engine's hooks: opts.allow_request = fn(request) decides whether a new
-- connection may open (engine.io's allowRequest; request = {method, url,
-- headers, query, address, ...}): it returns true, or a table of headers for
-- the handshake's response, to accept; false or nil to refuse (HTTP 403
-- "Forbidden"); error(message) refuses with that message. Left unanswered
-- for connect_timeout, the core refuses it. io:on("connection_error",
-- fn(err)) hears every request the engine refused, err = {code, message,
-- context, req} as engine.io reports them (without such a handler they go
-- to the "error" handlers as before). opts.cookie (true, a name, or {name,
-- path, http_only, same_site}), opts.initial_headers and opts.headers
-- (tables of header names to values) are engine.io's.
local ffi = require("ffi")
local bit = require("bit")
local lib = require("sio.lib")
local context = require("sio.context")
local emitter = require("sio.emitter")
local payload = require("sio.payload")
local options = require("sio.options")
local namespace = require("sio.namespace")
local socket_mod = require("sio.socket")
local kept_data_mod = require("sio.kept_data")

local C = lib.load()
local macros = lib.macros

local Server = {}

local SERVER_EVENTS = { error = true, close = true, events_lost = true, new_namespace = true,
  connection_error = true }

function Server.__index(server, k)
  if k == "volatile" or k == "local" then
    return server.sockets[k]
  end
  return Server[k]
end

local M = { Server = Server }

-- engine.io's cookie option: true (its defaults), a name, or a table of
-- name, path, http_only, same_site.
local COOKIE_KEYS = { path = "cookie.path", http_only = "cookie.httpOnly",
  same_site = "cookie.sameSite" }
local function set_cookie(o, cookie)
  if cookie == nil or cookie == false then
    return
  end
  if cookie == true then
    cookie = {}
  elseif type(cookie) == "string" then
    cookie = { name = cookie }
  end
  options.set(o, "cookie", cookie.name or "io")
  for k, v in pairs(cookie) do
    if k ~= "name" then
      local key = COOKIE_KEYS[k]
      if not key then
        error("unknown cookie option " .. tostring(k), 3)
      end
      if k == "path" and v == false then
        v = ""
      end
      options.set(o, key, type(v) == "boolean" and (v and "true" or "false") or tostring(v))
    end
  end
end

-- opts: the server options in snake_case (port, host, path, ping_interval,
-- ping_timeout, cors = { origin, credentials }, transports, parser,
-- connection_state_recovery = { max_disconnection_duration = ms,
-- skip_middlewares = true } (even empty: on, with socket.io's defaults), ...);
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
  local allow_request = opts.allow_request
  if allow_request ~= nil and type(allow_request) ~= "function" then
    error("allow_request must be a function", 2)
  end
  local core_opts = {}
  for k, v in pairs(opts) do
    if k ~= "context" and k ~= "allow_request" and k ~= "cookie" and k ~= "initial_headers" then
      core_opts[k] = v
    end
  end
  local recovery = core_opts.connection_state_recovery
  if type(recovery) == "table" and recovery.max_disconnection_duration == nil then
    -- An empty table names no key: give the default so that it turns recovery on.
    core_opts.connection_state_recovery = {
      max_disconnection_duration = 120000,
      skip_middlewares = recovery.skip_middlewares,
    }
  end
  local o = options.build(core_opts, { headers = payload.json })
  if opts.initial_headers then
    options.set(o, "headers.initial", payload.json(opts.initial_headers))
  end
  set_cookie(o, opts.cookie)
  options.set(o, "connectionErrorEvents", "true")
  if allow_request then
    options.set(o, "allowRequest", "true")
  end
  local kept_data
  if type(recovery) == "table" then
    local ms = tonumber(core_opts.connection_state_recovery.max_disconnection_duration)
    kept_data = kept_data_mod.new(ms or 120000)
  end
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
    kept_data = kept_data,
    _handlers = {},
  }, Server)
  local tag
  server.id, tag = ctx:attach(server)
  lib.check(C.sio_server_set_user(server.c, tag), "sio_server_set_user")
  server.allow_request = allow_request
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
    self:_add(nsp)
    self:_declare(nsp)
  end
  return nsp
end

-- Keeps a namespace new to the server; every one but "/" is announced to
-- io:on("new_namespace", fn(nsp)), declared or dynamic, as socket.io does.
function Server:_add(nsp)
  self.nsps[nsp.name] = nsp
  if nsp.name ~= "/" then
    emitter.fire(self, "new_namespace", { nsp }, 1)
  end
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

for _, method in ipairs({ "use", "emit", "to", "in", "except", "timeout", "compress",
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
    self:_add(nsp)
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
      server:_declare(child)
      server:_add(child)
    end
    admit(server, e, child, handshake)
  end)
end

-- Runs the namespace's middlewares for the socket asking to join, then
-- accepts or refuses it.
function admit(server, e, nsp, handshake)
  local socket = socket_mod.new(nsp, e.sid, handshake)
  socket.recovered = bit.band(e.flags, macros.SIO_EVF_RECOVERED) ~= 0
  if socket.recovered and server.kept_data then
    socket._data = server.kept_data:take(e.nsp, e.sid)
  end
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
  local accepted = nsp.pending[e.sid]
  local socket = accepted or socket_mod.new(nsp, e.sid)
  nsp.pending[e.sid] = nil
  socket.handshake = payload.decode(e.data)
  socket.recovered = bit.band(e.flags, macros.SIO_EVF_RECOVERED) ~= 0
  if socket.recovered then
    -- The core gave the session's data back too: make it hold ours.
    socket._pushed = nil
    if not accepted and server.kept_data then
      socket._data = server.kept_data:take(e.nsp, e.sid)
    end
  end
  socket.connected = true
  nsp.sockets[e.sid] = socket
  nsp:_connected(socket)
  -- What the middlewares and handlers put in socket.data.
  socket:_push_data()
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
  socket:_push_data()
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
  if server.kept_data then
    server.kept_data:keep(e.nsp, e.sid, e.reason, socket.data)
  end
  socket._leaving_rooms = {}
  socket:_fire("disconnect", e.reason)
end

-- allow_request's verdict: true or a table of headers accepts, anything else
-- refuses; an error refuses with its message.
local function on_allow_request(server, e)
  local request = payload.decode(e.data)
  local ok, verdict = pcall(server.allow_request, request)
  if server.closing then
    return
  end
  if ok and verdict then
    local headers = type(verdict) == "table" and payload.json(verdict) or nil
    lib.check(C.sio_request_accept(server:_handle("accept"), e.req, headers), "accept request")
    return
  end
  local message
  if not ok then
    message = type(verdict) == "table" and verdict.message or verdict
    message = message ~= nil and tostring(message):gsub("^[^:]*:%d+: ", "") or nil
  end
  lib.check(C.sio_request_refuse(server:_handle("refuse"), e.req, message), "refuse request")
end

local function on_upgrade(server, e)
  local nsp = server.nsps[e.nsp]
  local socket = nsp and nsp.sockets[e.sid]
  if socket then
    emitter.fire(socket.conn, "upgrade", { e.name }, 1)
  end
end

local function on_connection_error(server, e)
  local err = payload.decode(e.data)
  if not emitter.fire(server, "connection_error", { err }, 1) then
    emitter.fire(server, "error", { { code = e.err, message = e.reason,
      data = { code = err.code, message = err.message } } }, 1)
  end
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
  [C.SIO_EV_ALLOW_REQUEST] = on_allow_request,
  [C.SIO_EV_UPGRADE] = on_upgrade,
  [C.SIO_EV_CONNECTION_ERROR] = on_connection_error,
}

require("sio.cluster").install(Server, handlers)

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
    if info.remote then
      out[i] = require("sio.cluster").remote_socket(nsp, info)
    else
      out[i] = nsp.sockets[info.id] or socket_mod.new(nsp, info.id, info.handshake)
    end
  end
  return out
end

return M
