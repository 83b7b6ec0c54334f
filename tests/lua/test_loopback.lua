-- A Lua server and a Lua client in one process and one context, the way an
-- nginx worker may hold both:  luajit test_loopback.lua websocket|polling
-- Also what only the core knows: rooms right after a join, the namespace of
-- a URL with a trailing "/", a final disconnect.
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
-- Pumps (10 ms at most each time) until ready() is true.
local wait_for = check.waiter(sio)

local function sorted(set)
  local list = {}
  for room in pairs(set) do
    list[#list + 1] = room
  end
  table.sort(list)
  return table.concat(list, ",")
end

local server = sio.server({ host = "127.0.0.1", port = 0 })
local server_side
server:on("connection", function(socket)
  server_side = socket
  socket:on("double", function(x, ack) ack(x * 2, sio.binary("b")) end)
  socket:on("shout", function(text) socket:emit("shouted", text:upper()) end)
  socket:on("join", function(room, ack)
    socket:join(room)
    ack(sorted(socket.rooms))
  end)
end)
local slash_side
server:of("/chat/"):on("connection", function(socket) slash_side = socket end)

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

test("rooms come from the core, right after a join", function()
  local rooms
  client:emit("join", "lobby", function(r) rooms = r end)
  wait_for(function() return rooms end, "the join's answer")
  equal(rooms, sorted({ lobby = true, [client.id] = true }), "rooms in the join handler")
  server:to("lobby"):sockets_join("hall")
  equal(server_side.rooms.hall, true, "sockets_join, read back at once")
  server:except("lobby"):sockets_join("nobody")
  equal(server_side.rooms.nobody, nil, "a selection that leaves it out")
  server_side:leave("lobby")
  equal(server_side.rooms.lobby, nil, "left")
  equal(server_side.rooms[client.id], true, "its own room")
end)

test("a URL ending in / names that namespace, as socket.io-client reads it", function()
  local chat = sio.connect("http://127.0.0.1:" .. server.port .. "/chat/",
    { transports = { transport }, reconnection = false })
  equal(chat.nsp, "/chat/", "namespace")
  local failed
  chat:on("connect_error", function(err) failed = err.message end)
  wait_for(function() return chat.connected or failed end, "connect to /chat/")
  equal(failed, nil, "connect_error")
  equal(slash_side and slash_side.id, chat.id, "the server's /chat/ got it")
  chat.io:close()
end)

test("a server-side disconnect is final: socket.active turns false", function()
  local reason
  client:on("disconnect", function(r) reason = r end)
  equal(client.active, true, "active while connected")
  server_side:disconnect()
  wait_for(function() return reason end, "disconnect")
  equal(reason, "io server disconnect", "reason")
  equal(client.active, false, "active")
end)

client.io:close()
check.finish()
