-- A Lua server and a Lua client in one process and one context, the way an
-- nginx worker may hold both:  luajit test_loopback.lua websocket|polling
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local check = require("check")
local sio = require("sio")
local lib = require("sio.lib")

if not pcall(function() return lib.C.sio_client_new end) then
  print("skip: the loaded libsio has no client yet")
  os.exit(77)
end

local test, equal = check.test, check.equal
local transport = arg[1] or "websocket"
local MAX_PUMPS = 500

-- Pumps (10 ms at most each time) until ready() is true.
local function wait_for(ready, what)
  for _ = 1, MAX_PUMPS do
    if ready() then
      return
    end
    sio.poll(10)
  end
  error("gave up waiting for " .. what, 2)
end

local server = sio.server({ host = "127.0.0.1", port = 0 })
server:on("connection", function(socket)
  socket:on("double", function(x, ack) ack(x * 2, sio.binary("b")) end)
  socket:on("shout", function(text) socket:emit("shouted", text:upper()) end)
end)

local client = sio.connect("http://127.0.0.1:" .. server.port, { transports = { transport }, reconnection = false })
local refused
client:on("connect_error", function(err) refused = err.message end)

test("the client connects to the server of the same context", function()
  wait_for(function() return client.connected or refused end, "connect")
  equal(refused, nil, "connect_error")
  equal(server.sockets.sockets[client.id] ~= nil, true, "the server knows the socket")
end)

test("acks and events go both ways", function()
  local answer, shouted
  client:on("shouted", function(text) shouted = text end)
  client:emit("double", 21, function(x, b) answer = { x, b.data } end)
  client:emit("shout", "hi")
  wait_for(function() return answer and shouted end, "answers")
  equal(answer[1], 42, "ack")
  equal(answer[2], "b", "binary in the ack")
  equal(shouted, "HI", "event")
end)

client.io:close()
check.finish()
