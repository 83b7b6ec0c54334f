-- Unit tests of SIO_EV_EVENTS_LOST, against fake_core.lua instead of libsio:
-- the event names neither a server nor a client, so every server and client
-- of the context gets it as "events_lost" (the count), and when none has a
-- handler the loss is logged: nginx's error log in OpenResty, stderr
-- elsewhere.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local ffi = require("ffi")
local fake = require("fake_core").install()
local check = require("check")
local sio = require("sio")

local C = ffi.C
local test, equal, same = check.test, check.equal, check.same

-- Both on the shared default context.
local server = sio.server({ port = 0 })
local socket = sio.connect("http://127.0.0.1:9/")
local manager = socket.io

local function lost(count)
  fake.push({ type = C.SIO_EV_EVENTS_LOST, context = true, count = count })
end

-- Runs fn with io.stderr replaced; returns what was written to it.
local function stderr_of(fn)
  local written = {}
  local real = io.stderr
  rawset(io, "stderr", { write = function(_, ...)
    for _, piece in ipairs({ ... }) do
      written[#written + 1] = piece
    end
  end })
  local ok, err = pcall(fn)
  rawset(io, "stderr", real)
  assert(ok, err)
  return table.concat(written)
end

test("the server's and the client's handlers both get the count, in order", function()
  local seen = {}
  local function on_server(count) seen[#seen + 1] = "server " .. count end
  local function on_client(count) seen[#seen + 1] = "client " .. count end
  server:on("events_lost", on_server)
  manager:on("events_lost", on_client)
  server:on("connection", function(s) seen[#seen + 1] = "connection " .. s.id end)
  local written = stderr_of(function()
    lost(7)
    fake.push({ type = C.SIO_EV_CONNECTION, sid = "s1", data = "{}" })
    sio.poll(0)
  end)
  server:off("events_lost", on_server)
  manager:off("events_lost", on_client)
  equal(#seen, 3, "handler calls: " .. table.concat(seen, ", "))
  equal(seen[3], "connection s1", "the connection after the report")
  seen[3] = nil
  table.sort(seen)
  same(seen, { "client 7", "server 7" }, "every owner")
  equal(written, "", "nothing logged")
end)

test("one handler on the context is enough: no warning", function()
  local got
  local function on_client(count) got = count end
  manager:on("events_lost", on_client)
  local written = stderr_of(function()
    lost(65536)
    sio.poll(0)
  end)
  manager:off("events_lost", on_client)
  equal(got, 65536, "count")
  equal(written, "", "nothing logged")
end)

test("with no handler the loss goes to stderr", function()
  local written = stderr_of(function()
    lost(3)
    sio.poll(0)
  end)
  equal(written:find("sio: events lost: 3 ", 1, true), 1, "warning: " .. written)
  equal(select(2, written:gsub("events lost", "")), 1, "one warning: " .. written)
end)

test("with no handler in OpenResty the loss goes to ngx.log at WARN", function()
  local logged = {}
  rawset(_G, "ngx", { WARN = 5, log = function(level, message)
    logged[#logged + 1] = { level, message }
  end })
  local ok, err = pcall(function()
    lost(2)
    sio.poll(0)
  end)
  rawset(_G, "ngx", nil)
  assert(ok, err)
  equal(#logged, 1, "one log line")
  equal(logged[1][1], 5, "level")
  equal(logged[1][2]:find("sio: events lost: 2 ", 1, true), 1, "message: " .. logged[1][2])
end)

check.finish()
