-- The catch-all handlers of both kinds of socket, as socket.io's: on_any,
-- prepend_any (runs first), listeners_any (a copy), off_any, and the same
-- for outgoing emits; a Lua server and client over real libsio.
--   luajit test_catch_all.lua
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local check = require("check")
local sio = require("sio")
local lib = require("sio.lib")

if not pcall(function() return lib.C.sio_client_new end) then
  print("skip: the loaded libsio has no client yet")
  os.exit(77)
end

local test, equal, same = check.test, check.equal, check.same
local wait_for = check.waiter(sio)

local server = sio.server({ host = "127.0.0.1", port = 0 })
local server_side
server:on("connection", function(socket) server_side = socket end)
local client = sio.connect("http://127.0.0.1:" .. server.port,
  { transports = { "polling" }, reconnection = false })
wait_for(function() return client.connected and server_side end, "the connection")

-- Checks one socket's catch-all methods of one kind: `deliver(name)` makes
-- an event reach that socket's handlers of the kind.
local checked = 0
local function check_kind(socket, kind, deliver)
  checked = checked + 1
  -- An event of this check's own: one of an earlier check may still come.
  local name = "event" .. checked
  local order = {}
  local function first(event)
    if event == name then order[#order + 1] = "first" end
  end
  local function second(event)
    if event == name then order[#order + 1] = "second" end
  end
  equal(socket["on_any" .. kind](socket, second), socket, "on_any returns the socket")
  equal(socket["prepend_any" .. kind](socket, first), socket, "prepend_any returns the socket")
  local listeners = socket["listeners_any" .. kind](socket)
  same(listeners, { first, second }, "listeners_any, in calling order")
  listeners[1] = nil
  equal(#socket["listeners_any" .. kind](socket), 2, "listeners_any is a copy")
  deliver(name)
  wait_for(function() return #order >= 2 end, "the catch-alls")
  same(order, { "first", "second" }, "prepended first")
  socket["off_any" .. kind](socket, first)
  same(socket["listeners_any" .. kind](socket), { second }, "off_any(fn)")
  socket["off_any" .. kind](socket)
  same(socket["listeners_any" .. kind](socket), {}, "off_any()")
end

test("server socket: incoming", function()
  check_kind(server_side, "", function(name) client:emit(name) end)
end)

test("server socket: outgoing", function()
  check_kind(server_side, "_outgoing", function(name) server_side:emit(name) end)
end)

test("client socket: incoming", function()
  check_kind(client, "", function(name) server_side:emit(name) end)
end)

test("client socket: outgoing", function()
  check_kind(client, "_outgoing", function(name) client:emit(name) end)
end)

client:close()
server:close()
for _ = 1, 5 do
  sio.poll(10)
end
check.finish()
