-- A stand-in for libsio, made of Lua functions behind the same names, so the
-- binding's routing of events and commands can be tested without the C core.
-- install() must run before anything requires sio: the binding's modules take
-- the library from sio.lib when they load.
--
-- Commands are recorded in fake.calls as { name, fields... } with C strings
-- copied; fake.push(event) queues an event for sio_next_events, tagged with
-- the host tag the binding set on its server or client. fake.rooms[sid] is
-- what sio_socket_rooms answers (a JSON array; absent: SIO_ENOTFOUND),
-- fake.client_nsp what sio_client_nsp does.
local ffi = require("ffi")
local lib = require("sio.lib")

local M = { calls = {}, queue = {}, rooms = {}, client_nsp = "/", users = {} }

local CONTEXT = ffi.cast("sio_context *", 0x1000)
local SERVER = ffi.cast("sio_server *", 0x2000)
local OPTIONS = ffi.cast("sio_options *", 0x3000)
local CLIENT = ffi.cast("sio_client *", 0x4000)

local fake = setmetatable({}, { __index = ffi.C }) -- enum constants come from ffi.C
local next_req = 100

local function str(p)
  return p ~= nil and ffi.string(p) or nil
end

local function strings(arr, n)
  local out = {}
  for i = 0, tonumber(n) - 1 do
    out[#out + 1] = ffi.string(arr[i])
  end
  return out
end

local function target(t)
  assert(t.size == ffi.sizeof("sio_target"), "sio_target.size set")
  return {
    nsp = str(t.nsp),
    sid = str(t.sid),
    rooms = strings(t.rooms, t.nrooms),
    except = strings(t.except, t.nexcept),
  }
end

local function buffers(bufs, n)
  local out = {}
  for i = 0, tonumber(n) - 1 do
    out[#out + 1] = ffi.string(bufs[i].data, bufs[i].len)
  end
  return out
end

-- Set fake.fail_next to an SIO_E* code to make the next command fail.
local function record(call)
  if M.fail_next then
    local code = M.fail_next
    M.fail_next = nil
    return code
  end
  M.calls[#M.calls + 1] = call
  return 0
end

-- A sio_message as a table, its size checked.
local function message_fields(m)
  if m == nil then
    return nil
  end
  assert(m.size == ffi.sizeof("sio_message"), "sio_message.size set")
  return { event = str(m.event), json = m.args_json ~= nil and ffi.string(m.args_json, m.args_len) or nil,
    bins = buffers(m.bins, m.nbins), flags = m.flags, timeout = m.timeout_ms }
end

-- A request id for *req_out, which may be NULL.
local function request(req_out)
  next_req = next_req + 1
  if req_out ~= nil then
    req_out[0] = next_req
  end
  return next_req
end

function fake.sio_version() return lib.macros.SIO_VERSION_NUM end
function fake.sio_version_string() return "fake" end
function fake.sio_strerror() return "fake error" end
function fake.sio_last_error() return "fake failure" end
function fake.sio_context_new(out) out[0] = CONTEXT return 0 end
function fake.sio_context_free() end
function fake.sio_context_fd() return -1 end
function fake.sio_options_new(out) out[0] = OPTIONS return 0 end
function fake.sio_options_free() end
function fake.sio_server_port() return 4242 end

function fake.sio_options_set(_, key, value)
  return record({ "option", key = ffi.string(key), value = ffi.string(value) })
end

function fake.sio_server_new(_, _, out)
  out[0] = SERVER
  return 0
end

function fake.sio_server_of(_, name, flags)
  return record({ "of", name = ffi.string(name), flags = flags })
end

function fake.sio_server_close()
  return record({ "close" })
end

function fake.sio_server_free()
  record({ "server_free" })
end

function fake.sio_server_set_user(_, user)
  M.users.server = tonumber(ffi.cast("uintptr_t", user))
  return 0
end

function fake.sio_client_set_user(_, user)
  M.users.client = tonumber(ffi.cast("uintptr_t", user))
  return 0
end

-- Strings handed out by sio_socket_rooms, by address, until sio_free.
local handed_out = {}

function fake.sio_socket_rooms(_, sid, out)
  local json = M.rooms[ffi.string(sid)]
  if not json then
    return ffi.C.SIO_ENOTFOUND
  end
  local copy = ffi.new("char[?]", #json + 1, json)
  handed_out[tonumber(ffi.cast("uintptr_t", copy))] = copy
  out[0] = copy
  record({ "rooms", sid = ffi.string(sid) })
  return 0
end

function fake.sio_socket_set_data(_, sid, json)
  return record({ "set_data", sid = ffi.string(sid), json = str(json) })
end

function fake.sio_free(p)
  local key = tonumber(ffi.cast("uintptr_t", p))
  assert(handed_out[key], "sio_free of a pointer the library did not hand out")
  handed_out[key] = nil
  record({ "free" })
end

function fake.sio_connect_accept(_, req)
  return record({ "accept", req = tonumber(req) })
end

function fake.sio_connect_refuse(_, req, message, data)
  return record({ "refuse", req = tonumber(req), message = ffi.string(message), data = str(data) })
end

-- A recorded emit or ack: the message's fields, merged into call.
local function with_message(call, m)
  for k, v in pairs(message_fields(m) or {}) do
    call[k] = v
  end
  return call
end

function fake.sio_emit(_, to, msg, req_out)
  return record(with_message({ "emit", to = target(to), req = request(req_out) }, msg))
end

function fake.sio_ack(_, sid, ack_id, msg, req_out)
  request(req_out)
  return record(with_message({ "ack", sid = ffi.string(sid), ack_id = tonumber(ack_id) }, msg))
end

function fake.sio_join(_, to, rooms, n, req_out)
  request(req_out)
  return record({ "join", to = target(to), rooms = strings(rooms, n) })
end

function fake.sio_leave(_, to, rooms, n, req_out)
  request(req_out)
  return record({ "leave", to = target(to), rooms = strings(rooms, n) })
end

function fake.sio_disconnect(_, to, flags, req_out)
  request(req_out)
  return record({ "disconnect", to = target(to), flags = flags })
end

function fake.sio_fetch_sockets(_, to, req_out)
  return record({ "fetch", to = target(to), req = request(req_out) })
end

function fake.sio_client_new(_, url, _, auth, out)
  out[0] = CLIENT
  return record({ "client_new", url = ffi.string(url), auth = str(auth) })
end

function fake.sio_client_nsp()
  return M.client_nsp
end

function fake.sio_client_socket(_, nsp, auth)
  return record({ "client_socket", nsp = ffi.string(nsp), auth = str(auth) })
end

function fake.sio_client_emit(_, nsp, msg, req_out)
  return record(with_message({ "client_emit", nsp = str(nsp), req = request(req_out) }, msg))
end

function fake.sio_client_ack(_, nsp, ack_id, msg, req_out)
  request(req_out)
  return record(with_message({ "client_ack", nsp = str(nsp), ack_id = tonumber(ack_id) }, msg))
end

function fake.sio_client_disconnect(_, nsp)
  return record({ "client_disconnect", nsp = str(nsp) })
end

function fake.sio_client_close()
  return record({ "client_close" })
end

function fake.sio_client_free()
  record({ "client_free" })
end

-- One queued event as a sio_event; keep receives what it points to.
local function make_event(e, keep)
  local ev = ffi.new("sio_event")
  local bins = e.bins and ffi.new("sio_buf[?]", #e.bins)
  for i, b in ipairs(e.bins or {}) do
    bins[i - 1].data, bins[i - 1].len = b, #b
  end
  ev.size = ffi.sizeof(ev)
  ev.type = e.type
  ev.flags = e.flags or 0
  ev.req = e.req or 0
  if e.client then
    ev.client = CLIENT
    ev.user = ffi.cast("void *", M.users.client or 0)
  elseif not e.context then
    ev.server = SERVER
    ev.user = ffi.cast("void *", M.users.server or 0)
  end
  ev.nsp, ev.sid, ev.name, ev.reason = e.nsp or "/", e.sid, e.name, e.reason
  ev.data, ev.data_len = e.data, e.data and #e.data or 0
  ev.bins, ev.nbins = bins, e.bins and #e.bins or 0
  ev.ack_id = e.ack_id or -1
  ev.err = e.err or 0
  ev.attempt = e.attempt or 0
  ev.count = e.count or 0
  keep[#keep + 1] = { ev, bins, e }
  return ev
end

function fake.sio_next_events(_, _, out, max)
  -- The events taken before are released here, as in the library: spoil
  -- them so that a binding still reading one fails loudly.
  for _, kept in ipairs(M.current_events or {}) do
    ffi.fill(kept[1], ffi.sizeof("sio_event"), 0xff)
  end
  M.current_events = {}
  local n = 0
  while n < tonumber(max) and M.queue[1] do
    out[n] = make_event(table.remove(M.queue, 1), M.current_events)
    n = n + 1
  end
  return n
end

function fake.sio_next_event(ctx, timeout, slot)
  return fake.sio_next_events(ctx, timeout, slot, 1)
end

-- Queues an event; fields as in sio_event, with strings and a list of
-- attachment strings; client = true makes it the client's instead of the
-- server's, context = true neither's (as SIO_EV_EVENTS_LOST comes).
function M.push(e)
  M.queue[#M.queue + 1] = e
end

-- The recorded commands named name, oldest first, and clears the record.
function M.take(name)
  local found, rest = {}, {}
  for _, call in ipairs(M.calls) do
    if call[1] == name then
      found[#found + 1] = call
    else
      rest[#rest + 1] = call
    end
  end
  M.calls = rest
  return found
end

function M.install()
  lib.C = fake
  lib.path = "fake"
  return M
end

return M
