-- The Lua client against a server that has the handlers of node_server.mjs
-- (the official Node.js server, or test_server.lua):
--   luajit test_client.lua URL [websocket|polling]
-- Exits 77 when the loaded libsio has no client yet.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local ffi = require("ffi")
local check = require("check")
local sio = require("sio")
local lib = require("sio.lib")

if not pcall(function() return lib.C.sio_client_new end) then
  print("skip: the loaded libsio has no client yet")
  os.exit(77)
end

ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } lsio_timespec;
int clock_gettime(int clock, lsio_timespec *ts);
]])
local CLOCK_MONOTONIC = 1
local WAIT_MS = 5000

local function now_ms()
  local ts = ffi.new("lsio_timespec")
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- Pumps until ready() is true; raises after WAIT_MS.
local function wait_for(ready, what)
  local deadline = now_ms() + WAIT_MS
  while not ready() do
    if now_ms() > deadline then
      error("timed out waiting for " .. what, 2)
    end
    sio.poll(10)
  end
end

local test, equal, same = check.test, check.equal, check.same
local url, transport = assert(arg[1], "usage: test_client.lua URL [transport]"), arg[2] or "websocket"
local opts = { transports = { transport }, reconnection = false }

local function connect(path, auth)
  local o = { auth = auth }
  for k, v in pairs(opts) do
    o[k] = v
  end
  return sio.connect(url .. path, o)
end

-- Every non-reserved event of socket, by name, oldest first.
local function inbox_of(socket)
  local inbox = {}
  socket:on_any(function(name, ...)
    inbox[name] = inbox[name] or {}
    table.insert(inbox[name], { n = select("#", ...), ... })
  end)
  return function(name)
    wait_for(function() return inbox[name] and #inbox[name] > 0 end, name)
    return table.remove(inbox[name], 1)
  end
end

-- Emits with an ack callback; returns the ack's arguments (and their count n).
local function call(socket, ...)
  local n = select("#", ...)
  local args = { ... }
  local answer
  args[n + 1] = function(...) answer = { n = select("#", ...), ... } end
  socket:emit(unpack(args, 1, n + 1))
  wait_for(function() return answer end, "ack of " .. args[1])
  return answer
end

local socket = connect("/", { token = "lua" })
local next_event = inbox_of(socket)

test("connects and gets its auth payload back", function()
  wait_for(function() return socket.connected end, "connect")
  equal(type(socket.id), "string", "id")
  equal(next_event("auth")[1].token, "lua", "auth")
end)

test("text, binary, nested values and empty arrays survive an echo", function()
  socket:emit("echo", "text", sio.binary("\0\1\255"), { list = { 1, sio.binary("b") }, empty = sio.array() })
  local got = next_event("echo")
  equal(got[1], "text", "text")
  equal(sio.is_binary(got[2]) and got[2].data, "\0\1\255", "binary")
  equal(got[3].list[2].data, "b", "nested binary")
  equal(getmetatable(got[3].empty), getmetatable(sio.array()), "empty array stays an array")
end)

test("3 KiB strings survive an echo, deflated or with compress(false)", function()
  local big = string.rep("x", 1500) .. string.rep("y", 1500)
  socket:emit("echo", big)
  equal(next_event("echo")[1], big, "deflated")
  socket:compress(false):emit("echo", big, 2)
  local got = next_event("echo")
  equal(got[1], big, "uncompressed")
  equal(got[2], 2, "second argument")
end)

test("the server's ack carries every argument", function()
  local answer = call(socket, "ack", 1, "two", { three = 3 })
  same({ answer.n, answer[1], answer[2], answer[3].three }, { 3, 1, "two", 3 }, "answer")
end)

test("answers the server's own ack request", function()
  socket:on("question", function(x, ack) ack(x * 2, "ok") end)
  socket:emit("server-ack", 2000, "question", 21)
  local result = next_event("server-ack-result")
  equal(result[1], nil, "no error")
  same(result[2], { 42, "ok" }, "answers")
end)

test("joins a room and receives what is sent to it", function()
  local rooms = call(socket, "join", "lua-room")[1]
  local expected = { socket.id, "lua-room" }
  table.sort(expected)
  same(rooms, expected, "rooms")
  socket:emit("to", "lua-room", "in-room", 5)
  equal(next_event("in-room")[1], 5, "room event")
end)

test("timeout(ms) reports a server that does not acknowledge", function()
  local err
  socket:timeout(200):emit("nobody-listens", function(e) err = e end)
  wait_for(function() return err end, "the timeout")
  equal(err, "operation has timed out", "error")
end)

test("a namespace refused by middleware gives message and data", function()
  local private = socket.io:socket("/private", { auth = { token = "wrong" } })
  local refusal
  private:on("connect_error", function(e) refusal = e end)
  wait_for(function() return refusal end, "connect_error")
  same(refusal, { message = "not authorized", data = { reason = "bad token" } }, "refusal")
  equal(private.active, false, "a refusal is final")
end)

test("another namespace over the same connection", function()
  local custom = socket.io:socket("/custom")
  wait_for(function() return custom.connected end, "/custom connect")
  equal(call(custom, "ack", "c")[1], "c", "ack on /custom")
end)

test("a server-side disconnect gives io server disconnect", function()
  local reason
  socket:on("disconnect", function(r) reason = r end)
  socket:emit("disconnect-me", false)
  wait_for(function() return reason end, "disconnect")
  equal(reason, "io server disconnect", "reason")
  equal(socket.connected, false, "not connected")
  equal(socket.active, false, "the core flags it final")
end)

socket.io:close()
check.finish()
