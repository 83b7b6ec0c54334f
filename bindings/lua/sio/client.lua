-- A Socket.IO client (socket.io-client's Manager: one connection, its
-- namespaces, reconnection) on a libsio context, and the routing of the
-- core's client events to Lua handlers.
--
-- manager:on("reconnect_attempt" | "reconnect", fn(attempt)),
-- "reconnect_failed" (fn()), "error" (fn(err) with code, message, data),
-- "events_lost" (fn(count): events the core could not queue). After
-- manager:close(), once the closed sockets' "disconnect" and the failed acks
-- have been handed out, the core's client is freed: later commands raise
-- "closed".
local ffi = require("ffi")
local bit = require("bit")
local lib = require("sio.lib")
local context = require("sio.context")
local emitter = require("sio.emitter")
local options = require("sio.options")
local payload = require("sio.payload")
local client_socket = require("sio.client_socket")

local C = lib.load()
local macros = lib.macros

local Manager = {}
Manager.__index = Manager
emitter.mixin(Manager)

local M = { Manager = Manager }

local function url_encode(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", c:byte())
  end))
end

-- Values the core takes in another form than the generic mapping's.
local ENCODERS = {
  -- A JSON object of header names to values.
  extra_headers = function(headers)
    return payload.json(headers)
  end,
  -- URL-encoded pairs: a table is encoded here (sorted, for a stable URL).
  query = function(query)
    if type(query) ~= "table" then
      return tostring(query)
    end
    local keys = {}
    for k in pairs(query) do
      keys[#keys + 1] = k
    end
    table.sort(keys)
    local pairs_list = {}
    for i, k in ipairs(keys) do
      pairs_list[i] = url_encode(k) .. "=" .. url_encode(query[k])
    end
    return table.concat(pairs_list, "&")
  end,
}

local function auth_json(auth)
  return auth ~= nil and payload.json(auth) or nil
end

-- sio.connect(url, opts): the socket of the namespace in url's path, on a
-- new connection. opts: the client options in snake_case (transports,
-- reconnection, reconnection_attempts, reconnection_delay, timeout, query,
-- extra_headers, path, parser, ack_timeout, retries, tls = { ca, verify });
-- opts.auth, the auth payload; opts.context, a context other than the
-- shared default one.
function M.connect(url, opts)
  opts = opts or {}
  local ctx = opts.context or context.default()
  local core_opts = {}
  for k, v in pairs(opts) do
    if k ~= "context" and k ~= "auth" then
      core_opts[k] = v
    end
  end
  local o = options.build(core_opts, ENCODERS)
  local out = ffi.new("sio_client*[1]")
  lib.check(C.sio_client_new(ctx.c, url, o, auth_json(opts.auth), out), "connect " .. url)
  local manager = setmetatable({
    context = ctx,
    c = out[0],
    url = url,
    sockets = {},
    requests = {},
    _handlers = {},
  }, Manager)
  local tag
  manager.id, tag = ctx:attach(manager)
  lib.check(C.sio_client_set_user(manager.c, tag), "sio_client_set_user")
  local nsp = ffi.string(C.sio_client_nsp(manager.c))
  local socket = client_socket.new(manager, nsp, opts.auth)
  manager.sockets[nsp] = socket
  return socket
end

-- Another namespace over the same connection (io(url + nsp) with the same
-- Manager); opts.auth is its auth payload.
function Manager:socket(nsp, opts)
  local socket = self.sockets[nsp]
  if socket then
    return socket
  end
  local auth = opts and opts.auth
  lib.check(C.sio_client_socket(self:_handle("socket"), nsp, auth_json(auth)), "socket " .. nsp)
  socket = client_socket.new(self, nsp, auth)
  self.sockets[nsp] = socket
  return socket
end

-- Closes every socket and the connection, with no reconnection.
function Manager:close()
  if self.closing then
    return
  end
  self.closing = true
  lib.check(C.sio_client_close(self.c), "close")
  self:_free_if_done()
end

-- Frees the core's client once it is closing and owes the host nothing
-- more: every connected socket has had its SIO_EV_DISCONNECT and every emit
-- waiting for an acknowledgement its SIO_EV_ACK. Its later events, if any,
-- are dropped.
function Manager:_free_if_done()
  if not self.closing or self.freed or next(self.requests) then
    return
  end
  for _, socket in pairs(self.sockets) do
    if socket.connected then
      return
    end
  end
  self.freed = true
  C.sio_client_free(self.c)
  self.context:detach(self.id)
end

-- The core's client for a command, or an error once it is freed.
function Manager:_handle(what)
  if self.freed then
    error(what .. ": " .. ffi.string(C.sio_strerror(C.SIO_ECLOSED)), 3)
  end
  return self.c
end

function Manager:poll(timeout_ms, max_events)
  return self.context:poll(timeout_ms or 0, max_events)
end

function Manager:_expect(req, handler)
  self.requests[tonumber(req)] = handler
end

function Manager:_answer(e)
  local handler = self.requests[e.req]
  if not handler then
    return false
  end
  self.requests[e.req] = nil
  handler(e)
  return true
end

local function socket_of(manager, e)
  return manager.sockets[e.nsp or "/"]
end

local function on_connect(manager, e)
  local socket = socket_of(manager, e)
  if not socket then
    return
  end
  socket.id = e.sid
  socket.connected = true
  socket.active = true
  socket.recovered = bit.band(e.flags, macros.SIO_EVF_RECOVERED) ~= 0
  socket:_fire("connect")
end

local function on_connect_error(manager, e)
  local socket = socket_of(manager, e)
  if socket then
    socket.active = bit.band(e.flags, macros.SIO_EVF_FINAL) == 0
    socket:_fire("connect_error", { message = e.reason, data = e.data and payload.decode(e.data) })
  end
end

local function on_event(manager, e)
  local socket = socket_of(manager, e)
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

local function on_disconnect(manager, e)
  local socket = socket_of(manager, e)
  if not socket then
    return
  end
  socket.connected = false
  socket.active = bit.band(e.flags, macros.SIO_EVF_FINAL) == 0
  socket.id = nil
  socket:_fire("disconnect", e.reason)
end

local function on_error(manager, e)
  if e.req ~= 0 and manager:_answer(e) then
    return
  end
  local data = e.data and payload.decode(e.data)
  local message = e.reason or ffi.string(C.sio_strerror(e.err))
  emitter.fire(manager, "error", { { code = e.err, message = message, data = data } }, 1)
end

local function manager_event(name)
  return function(manager, e)
    emitter.fire(manager, name, { e.attempt }, 1)
  end
end

local handlers = {
  [C.SIO_EV_CONNECT] = on_connect,
  [C.SIO_EV_CONNECT_ERROR] = on_connect_error,
  [C.SIO_EV_EVENT] = on_event,
  [C.SIO_EV_ACK] = Manager._answer,
  [C.SIO_EV_DISCONNECT] = on_disconnect,
  [C.SIO_EV_ERROR] = on_error,
  [C.SIO_EV_RECONNECT_ATTEMPT] = manager_event("reconnect_attempt"),
  [C.SIO_EV_RECONNECT] = manager_event("reconnect"),
  [C.SIO_EV_RECONNECT_ERROR] = function(manager, e)
    emitter.fire(manager, "reconnect_error", { { message = e.reason } }, 1)
  end,
  [C.SIO_EV_RECONNECT_FAILED] = function(manager)
    emitter.fire(manager, "reconnect_failed", {}, 0)
  end,
}

function Manager:_dispatch(e)
  local handler = handlers[e.type]
  if handler then
    handler(self, e)
  end
  self:_free_if_done()
end

-- Returns whether a handler ran (the context logs the loss otherwise).
function Manager:_events_lost(count)
  return emitter.fire(self, "events_lost", { count }, 1)
end

return M
