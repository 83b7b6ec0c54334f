-- A libsio context: the core's I/O thread and the event queue that the Lua
-- side pumps. Servers and clients register here under an integer id, which
-- they give the core as their host tag (sio_server_set_user,
-- sio_client_set_user), and poll() hands each event to the object whose id
-- comes back in ev.user; SIO_EV_EVENTS_LOST, which belongs to none, goes to
-- them all.
local ffi = require("ffi")
local lib = require("sio.lib")
local event = require("sio.event")

local C = lib.load()
local M = {}

local EVENTS_LOST = C.SIO_EV_EVENTS_LOST

local Context = {}
Context.__index = Context

-- Events handled per poll() call at most, so that a flood cannot hold the
-- caller (an nginx worker, say) for long; the rest wait for the next call.
local DEFAULT_BATCH = 1024
-- Events taken from the library per call: one call and one lock for them all.
local TAKE = 64

function M.new()
  local out = ffi.new("sio_context*[1]")
  lib.check(C.sio_context_new(out), "sio_context_new")
  return setmetatable({
    c = ffi.gc(out[0], C.sio_context_free),
    owners = {},
    last_id = 0,
    batch = ffi.new("const sio_event*[?]", TAKE),
    -- Events taken from the library, not yet dispatched: head..tail.
    pending = {},
    pending_owner = {},
    head = 1,
    tail = 0,
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

-- Registers owner, whose _dispatch(e) will receive the events tagged with
-- the returned host tag (a void * holding its id), and _events_lost(count)
-- every loss report.
function Context:attach(owner)
  local id = self.last_id + 1
  self.last_id = id
  self.owners[id] = owner
  return id, ffi.cast("void *", id)
end

-- Forgets the owner of id: its events still pending are dropped.
function Context:detach(id)
  self.owners[id] = nil
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

-- A warning for the host: nginx's error log in OpenResty, stderr elsewhere.
local function warn(message)
  if ngx then
    ngx.log(ngx.WARN, message)
  else
    io.stderr:write(message, "\n")
  end
end

-- Every owner's "events_lost" handlers get the count; with none, the log
-- says it, so that a loss is never silent.
function Context:_report_lost(count)
  local handled = false
  for _, owner in pairs(self.owners) do
    handled = owner:_events_lost(count) or handled
  end
  if not handled then
    warn("sio: events lost: " .. count .. " (out of memory, or more events than "
      .. "max_queued_events left unread); handle \"events_lost\" to be told")
  end
end

-- Copies up to max events from the library into the pending list; returns
-- how many (0 when the wait ended without one).
function Context:take(timeout_ms, max)
  local batch = self.batch
  local rc = C.sio_next_events(self.c, timeout_ms, batch, max)
  lib.check(rc, "sio_next_events")
  local tail = self.tail
  for i = 0, rc - 1 do
    local ev = batch[i]
    tail = tail + 1
    self.pending_owner[tail] = ev.user ~= nil and tonumber(ffi.cast("uintptr_t", ev.user)) or false
    self.pending[tail] = event.read(ev)
  end
  self.tail = tail
  return rc
end

-- Waits up to timeout_ms (0: not at all, -1: forever) for events, then runs
-- the handlers of those pending, up to max_events. Returns how many ran.
-- Events are taken from the library a batch at a time and copied into a
-- pending list first, because the next call into the library releases the
-- batch's records. A handler may poll, yield or raise: the events after it
-- stay pending, in order, for whichever poll comes next.
function Context:poll(timeout_ms, max_events)
  local limit = max_events or DEFAULT_BATCH
  local pending, pending_owner, owners = self.pending, self.pending_owner, self.owners
  local count = 0
  while count < limit do
    local head = self.head
    if head > self.tail then
      if self:take(count == 0 and timeout_ms or 0, math.min(limit - count, TAKE)) == 0 then
        break
      end
    else
      local e, owner = pending[head], pending_owner[head]
      pending[head], pending_owner[head] = nil, nil
      self.head = head + 1
      count = count + 1
      owner = owner and owners[owner]
      if owner then
        owner:_dispatch(e)
      elseif e.type == EVENTS_LOST then
        self:_report_lost(e.count)
      end
    end
  end
  return count
end

return M
