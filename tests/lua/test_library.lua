-- The binding against the real libsio, without a peer: loading, option
-- errors, refused commands, closing, servers and clients freed once closed,
-- the report of events it could not queue.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local check = require("check")
local sio = require("sio")
local lib = require("sio.lib")

local test, equal = check.test, check.equal

local function raises(fn, fragment, what)
  local ok, err = pcall(fn)
  equal(ok, false, what .. " raises")
  if not tostring(err):find(fragment, 1, true) then
    error(string.format("%s: message %q lacks %q", what, tostring(err), fragment), 2)
  end
end

test("the library loads with a matching ABI major", function()
  equal(type(sio.version), "string", "version string")
  equal(sio.version:match("^(%d+)%.") , tostring(lib.macros.SIO_VERSION_MAJOR), "major")
  equal(type(sio.library_path), "string", "where it was found")
end)

test("an unknown option names itself", function()
  raises(function() sio.server({ port = 0, no_such_option = 1 }) end, "noSuchOption", "unknown option")
end)

test("a taken port fails at creation", function()
  local first = sio.server({ host = "127.0.0.1", port = 0 })
  raises(function() sio.server({ host = "127.0.0.1", port = first.port }) end,
    "address", "second server on the same port")
  first:close()
  first:run()
end)

test("reserved event names are refused", function()
  local server = sio.server({ host = "127.0.0.1", port = 0 })
  raises(function() server:emit("connect") end, "reserved", "emit connect")
  raises(function() server:emit("disconnecting", 1) end, "reserved", "emit disconnecting")
  server:close()
  server:run()
end)

test("close ends run() and later commands fail", function()
  local server = sio.server({ host = "127.0.0.1", port = 0 })
  local closed = false
  server:on("close", function() closed = true end)
  server:close()
  server:run()
  equal(closed, true, "close handler ran")
  raises(function() server:emit("late") end, "closed", "emit after close")
end)

-- The resident set of this process, in KiB.
local function rss_kib()
  local f = assert(io.open("/proc/self/status"))
  local kib = tonumber(f:read("*a"):match("VmRSS:%s*(%d+)"))
  f:close()
  return kib
end

test("servers and clients created and closed in a loop keep memory flat", function()
  local ctx = sio.context()
  local function cycle()
    local server = sio.server({ host = "127.0.0.1", port = 0, context = ctx })
    server:close()
    server:run()
    local socket = sio.connect("http://127.0.0.1:" .. server.port .. "/", { reconnection = false, context = ctx })
    socket.io:close()
    equal(server.freed and socket.io.freed, true, "both freed")
    -- The core takes the memory back while the host pumps.
    ctx:poll(0)
  end
  local WARM, CYCLES, MAX_GROWTH_KIB = 200, 2000, 1024
  for _ = 1, WARM do
    cycle()
  end
  collectgarbage()
  local before = rss_kib()
  for _ = 1, CYCLES do
    cycle()
  end
  collectgarbage()
  local growth = rss_kib() - before
  if growth > MAX_GROWTH_KIB then
    error(string.format("RSS grew by %d KiB over %d cycles", growth, CYCLES))
  end
  equal(next(ctx.owners), nil, "the context holds no owner")
end)

test("poll returns at once with nothing pending", function()
  equal(sio.poll(0), 0, "events")
end)

test("answers past the queue's hard bound are counted and reported first", function()
  -- The hard bound of max_queued_events = 1: 1 + 65536 events. The host's
  -- own requests are answered even while it does not pump, so the answers
  -- past the bound are lost, and "events_lost" says how many.
  local bound, extra = 1 + 65536, 100
  local ctx = sio.context()
  local server = sio.server({ host = "127.0.0.1", port = 0, max_queued_events = 1, context = ctx })
  local answered, lost, order = 0, 0, {}
  server:on("events_lost", function(count)
    lost = lost + count
    order[#order + 1] = answered
  end)
  for _ = 1, bound + extra do
    server:fetch_sockets(function() answered = answered + 1 end)
  end
  -- Creating a server waits for the core to run every command queued
  -- before it, so all the answers are queued or lost by now.
  local barrier = sio.server({ host = "127.0.0.1", port = 0, context = ctx })
  while answered + lost < bound + extra and ctx:poll(1000) > 0 do end
  equal(lost, extra, "lost")
  equal(answered, bound, "answered")
  equal(#order, 1, "one report")
  equal(order[1], 0, "reported before the answers")
  server:close()
  barrier:close()
end)

check.finish()
