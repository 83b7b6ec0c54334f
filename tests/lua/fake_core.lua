-- A stand-in for libsio, made of Lua functions behind the same names, so the
-- binding's routing of events and commands can be tested without the C core.
-- install() must run before anything requires sio: the binding's modules take
-- the library from sio.lib when they load.
--
-- Commands are recorded in fake.calls as { name, fields... } with C strings
-- copied; fake.push(event) queues an event for sio_next_events.
local ffi = require("ffi")
local lib = require("sio.lib")

local M = { calls = {}, queue = {} }

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

function fake.sio_connect_accept(_, req)
  return record({ "accept", req = tonumber(req) })
end

function fake.sio_connect_refuse(_, req, message, data)
  return record({ "refuse", req = tonumber(req), message = ffi.string(message), data = str(data) })
end

function fake.sio_emit(_, to, event, json, len, bufs, nbufs, flags, timeout, req_out)
  next_req = next_req + 1
  req_out[0] = next_req
  return record({ "emit", to = target(to), event = ffi.string(event), json = ffi.string(json, len),
    bins = buffers(bufs, nbufs), flags = flags, timeout = timeout, req = next_req })
end

function fake.sio_ack(_, sid, ack_id, json, len, bufs, nbufs)
  return record({ "ack", sid = ffi.string(sid), ack_id = tonumber(ack_id),
    json = ffi.string(json, len), bins = buffers(bufs, nbufs) })
end

function fake.sio_join(_, to, rooms, n)
  return record({ "join", to = target(to), rooms = strings(rooms, n) })
end

function fake.sio_leave(_, to, rooms, n)
  return record({ "leave", to = target(to), rooms = strings(rooms, n) })
end

function fake.sio_disconnect(_, to, close)
  return record({ "disconnect", to = target(to), close = close })
end

function fake.sio_fetch_sockets(_, to, req_out)
  next_req = next_req + 1
  req_out[0] = next_req
  return record({ "fetch", to = target(to), req = next_req })
end

function fake.sio_client_new(_, url, _, auth, out)
  out[0] = CLIENT
  return record({ "client_new", url = ffi.string(url), auth = str(auth) })
end

function fake.sio_client_socket(_, nsp, auth)
  return record({ "client_socket", nsp = ffi.string(nsp), auth = str(auth) })
end

function fake.sio_client_emit(_, nsp, event, json, len, bufs, nbufs, flags, timeout, req_out)
  next_req = next_req + 1
  req_out[0] = next_req
  return record({ "client_emit", nsp = str(nsp), event = ffi.string(event), json = ffi.string(json, len),
    bins = buffers(bufs, nbufs), flags = flags, timeout = timeout, req = next_req })
end

function fake.sio_client_ack(_, nsp, ack_id, json, len, bufs, nbufs)
  return record({ "client_ack", nsp = str(nsp), ack_id = tonumber(ack_id),
    json = ffi.string(json, len), bins = buffers(bufs, nbufs) })
end

function fake.sio_client_disconnect(_, nsp)
  return record({ "client_disconnect", nsp = str(nsp) })
end

function fake.sio_client_close()
  return record({ "client_close" })
end

-- One queued event as a sio_event; keep receives what it points to.
local function make_event(e, keep)
  local ev = ffi.new("sio_event")
  local bins = e.bins and ffi.new("sio_buf[?]", #e.bins)
  for i, b in ipairs(e.bins or {}) do
    bins[i - 1].data, bins[i - 1].len = b, #b
  end
  ev.type = e.type
  ev.flags = e.flags or 0
  ev.req = e.req or 0
  if e.client then
    ev.client = CLIENT
  elseif not e.context then
    ev.server = SERVER
  end
  ev.nsp, ev.sid, ev.name, ev.reason = e.nsp or "/", e.sid, e.name, e.reason
  ev.data, ev.data_len = e.data, e.data and #e.data or 0
  ev.bins, ev.nbins = bins, e.bins and #e.bins or 0
  ev.ack_id = e.ack_id or -1
  ev.err = e.err or 0
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
