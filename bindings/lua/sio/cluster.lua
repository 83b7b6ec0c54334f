-- What a server adds in a cluster (opts.adapter = "redis://host:port",
-- adapter_key, adapter_requests_timeout in ms; adapter_sharded = true and
-- adapter_subscription_mode for createShardedAdapter's protocol): io:server_side_emit and
-- io:server_side_emit_with_ack, the
-- other nodes' server-side events as io:on(name) handlers, io["local"], and
-- the adapter going down and up (io:on("adapter_down", fn(reason)),
-- io:on("adapter_up", fn())).
local ffi = require("ffi")
local lib = require("sio.lib")
local payload = require("sio.payload")
local acks = require("sio.acks")
local emitter = require("sio.emitter")

local C = lib.load()
local macros = lib.macros
local M = {}

-- io:server_side_emit(name, ...): to every other node of the cluster. A
-- function as the last argument waits for their answers:
-- cb(err, responses), err the message ("timeout reached: only N responses
-- received out of M") when some did not answer in adapter_requests_timeout,
-- responses those that came. JSON values only.
local function send(server, name, args, n, cb)
  local msg, keep = payload.message(args, n, name, cb and macros.SIO_EMIT_ACK or 0)
  local req = ffi.new("uint64_t[1]")
  local what = "server_side_emit '" .. tostring(name) .. "'"
  lib.check(C.sio_server_side_emit(server:_handle(what), msg, req), what)
  keep.sent = true
  if cb then
    server:_expect(req[0], acks.on_answer(cb, true, true))
  end
  return true
end

local function server_side_emit(server, name, ...)
  local args, n, cb = acks.split(...)
  return send(server, name, args, n, cb)
end

-- What server_side_emit_with_ack raises when some nodes did not answer in
-- time: message (as the callback's err) and the responses that came.
local AckTimeout = {}
AckTimeout.__index = AckTimeout
AckTimeout.__tostring = function(e) return e.message end

-- io:server_side_emit_with_ack(name, ...): in a coroutine (or an OpenResty
-- light thread), waits for every other node's answer and returns the list of
-- them (Node's serverSideEmitWithAck). When some did not answer in
-- adapter_requests_timeout, raises { message = "timeout reached: ...",
-- responses = those that came } (tostring gives the message).
local function server_side_emit_with_ack(server, name, ...)
  local args, n = { ... }, select("#", ...)
  return acks.await(function(cb)
    send(server, name, args, n, function(err, responses)
      if err then
        cb(setmetatable({ message = err, responses = responses }, AckTimeout))
      else
        cb(nil, responses)
      end
    end)
  end)
end

-- A server-side event of another node: io:of(nsp):on(name, fn(..., ack))
-- handlers, ack(value) being last when the sender waits for an answer (only
-- its first argument goes back).
local function on_server_side_event(server, e)
  local nsp = server.nsps[e.nsp]
  if not nsp then
    return
  end
  local args, n = payload.decode_args(e.data, e.bins)
  if e.ack_id >= 0 then
    n = n + 1
    local ack_id = e.ack_id
    args[n] = acks.replier(function(msg)
      return C.sio_server_side_ack(server.c, ack_id, msg, nil)
    end)
  end
  emitter.fire(nsp, e.name, args, n)
end

local function on_adapter_down(server, e)
  if not emitter.fire(server.sockets, "adapter_down", { e.reason }, 1) then
    io.stderr:write("libsio: the adapter is down: " .. tostring(e.reason) .. "\n")
  end
end

local function on_adapter_up(server)
  emitter.fire(server.sockets, "adapter_up", {}, 0)
end

-- A socket of another node as fetch_sockets reports it: id, nsp, handshake,
-- rooms (a set, as that node sent them), data, remote = true; emit, join,
-- leave and disconnect reach it through the room of its id, cluster-wide, as
-- Node's RemoteSocket does.
local RemoteSocket = {}
RemoteSocket.__index = RemoteSocket

function RemoteSocket:emit(name, ...)
  return self._to:emit(name, ...)
end

function RemoteSocket:join(rooms)
  self._to:sockets_join(rooms)
end

function RemoteSocket:leave(rooms)
  self._to:sockets_leave(rooms)
end

function RemoteSocket:disconnect(close)
  self._to:disconnect_sockets(close)
end

function M.remote_socket(nsp, info)
  local rooms = {}
  for _, room in ipairs(info.rooms or {}) do
    rooms[room] = true
  end
  return setmetatable({ id = info.id, nsp = nsp, handshake = info.handshake, rooms = rooms,
    data = info.data, remote = true, _to = nsp:to(info.id) }, RemoteSocket)
end

-- Adds the methods to Server and the event handlers to its dispatch table.
function M.install(Server, handlers)
  Server.server_side_emit = server_side_emit
  Server.server_side_emit_with_ack = server_side_emit_with_ack
  handlers[C.SIO_EV_SERVER_SIDE_EVENT] = on_server_side_event
  handlers[C.SIO_EV_ADAPTER_DOWN] = on_adapter_down
  handlers[C.SIO_EV_ADAPTER_UP] = on_adapter_up
end

return M
