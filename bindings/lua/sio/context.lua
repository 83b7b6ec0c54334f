-- A libsio context: the core's I/O thread and the event queue that the Lua
-- side pumps. Servers (and later clients) register here by their C handle,
-- and poll() hands each event to the object it belongs to.
local ffi = require("ffi")
local lib = require("sio.lib")
local event = require("sio.event")

local C = lib.load()
local M = {}

local Context = {}
Context.__index = Context

-- Events handled per poll() call at most, so that a flood cannot hold the
-- caller (an nginx worker, say) for long; the rest wait for the next call.
local DEFAULT_BATCH = 1024

local function key(ptr)
  return tonumber(ffi.cast("uintptr_t", ptr))
end

function M.new()
  local out = ffi.new("sio_context*[1]")
  lib.check(C.sio_context_new(out), "sio_context_new")
  return setmetatable({
    c = ffi.gc(out[0], C.sio_context_free),
    owners = {},
    slot = ffi.new("const sio_event*[1]"),
  }, Context)
end

local default
-- The context shared by every server and client that names none. It is
-- created on first use, so in nginx it belongs to the worker that uses it
-- (never create it before the workers fork, e.g. in init_by_lua).
function M.default()
  default = default or M.new()
  return default
end

-- owner:_dispatch(e) receives the events whose server or client is ptr.
function Context:attach(ptr, owner)
  self.owners[key(ptr)] = owner
end

function Context:fd()
  return C.sio_context_fd(self.c)
end

-- Any thread may call it through the C function; here, for symmetry.
function Context:wakeup()
  lib.check(C.sio_context_wakeup(self.c), "sio_context_wakeup")
end

-- Closes every server and client of the context that is still open.
function Context:close_all()
  for _, owner in pairs(self.owners) do
    if owner.close then
      owner:close()
    end
  end
end

-- Waits up to timeout_ms (0: not at all, -1: forever) for events, then runs
-- the handlers of those pending, up to max_events. Returns how many ran.
function Context:poll(timeout_ms, max_events)
  local limit = max_events or DEFAULT_BATCH
  local slot = self.slot
  local rc = C.sio_next_event(self.c, timeout_ms or 0, slot)
  local count = 0
  while rc == 1 do
    local ev = slot[0]
    local handle = ev.server ~= nil and ev.server or ev.client
    local owner = handle ~= nil and self.owners[key(handle)]
    local e = event.read(ev)
    count = count + 1
    if owner then
      owner:_dispatch(e)
    end
    if count >= limit then
      break
    end
    rc = C.sio_next_event(self.c, 0, slot)
  end
  lib.check(rc, "sio_next_event")
  return count
end

return M
