-- Unit tests of the server module's routing, against fake_core.lua instead
-- of libsio: options, events to handlers, acknowledgements both ways,
-- targets of emits, middleware, dynamic namespaces, rooms asked of the core,
-- the server freed once closed.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local ffi = require("ffi")
local fake = require("fake_core").install()
local check = require("check")
local sio = require("sio")

local C = ffi.C
local macros = require("sio.lib").macros
local test, equal, same = check.test, check.equal, check.same

local function only(name)
  local calls = fake.take(name)
  equal(#calls, 1, "number of " .. name .. " calls")
  return calls[1]
end

local server = sio.server({
  port = 0,
  ping_interval = 100,
  max_http_buffer_size = 1000,
  allow_upgrades = false,
  allow_eio3 = true,
  cors = { origin = { "http://a", "http://b" }, credentials = true },
})

local connected = {}
server:on("connection", function(socket)
  connected[#connected + 1] = socket
end)

local function connect(sid, nsp)
  fake.rooms[sid] = '["' .. sid .. '"]'
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = nsp or "/", sid = sid,
    data = '{"auth":{"k":1},"query":{}}' })
  server:poll(0)
  return connected[#connected]
end

test("options become the core's camelCase keys", function()
  local set = {}
  for _, call in ipairs(fake.take("option")) do
    set[call.key] = call.value
  end
  same(set, {
    port = "0",
    pingInterval = "100",
    maxHttpBufferSize = "1000",
    allowUpgrades = "false",
    allowEIO3 = "true",
    ["cors.origin"] = "http://a,http://b",
    ["cors.credentials"] = "true",
    -- The binding hears of refused requests in full (io:on("connection_error")).
    connectionErrorEvents = "true",
  }, "options")
  equal(server.port, 4242, "port")
  same(only("of"), { "of", name = "/", flags = 0 }, "main namespace declared")
end)

test("a connection reaches the connection handlers with its handshake", function()
  local socket = connect("s1")
  equal(socket.id, "s1", "id")
  equal(socket.handshake.auth.k, 1, "auth")
  equal(socket.connected, true, "connected")
  same(socket.rooms, { s1 = true }, "own room, from the core")
  equal(#fake.take("rooms"), 1, "asked the core")
  equal(#fake.take("free"), 1, "released its answer")
  equal(server.sockets.sockets.s1, socket, "listed in its namespace")
end)

test("events run the socket's handlers, with an ack when asked", function()
  local socket = connect("s2")
  local got
  socket:on("hi", function(a, b, c, ack)
    got = { a, b, c }
    ack("back", sio.binary("\1"))
  end)
  local any
  socket:on_any(function(name) any = name end)
  fake.push({ type = C.SIO_EV_EVENT, sid = "s2", name = "hi",
    data = '[1,null,{"_placeholder":true,"num":0}]', bins = { "\0\255" }, ack_id = 7 })
  server:poll(0)
  equal(got[1], 1, "first")
  equal(got[2], nil, "null")
  equal(got[3].data, "\0\255", "binary")
  equal(any, "hi", "on_any")
  local ack = only("ack")
  same({ ack.sid, ack.ack_id, ack.json, ack.bins[1] },
    { "s2", 7, '["back",{"_placeholder":true,"num":0}]', "\1" }, "ack")
end)

test("socket:emit targets the socket; its callback gets the ack", function()
  local socket = connect("s3")
  local answer
  socket:emit("q", "x", function(...) answer = { ... } end)
  local emit = only("emit")
  same(emit.to, { nsp = "/", sid = "s3", rooms = {}, except = {} }, "target")
  equal(emit.json, '["x"]', "arguments")
  equal(emit.event, "q", "event name")
  equal(emit.flags, 1, "ack flag")
  equal(emit.timeout, 0, "no timeout")
  fake.push({ type = C.SIO_EV_ACK, sid = "s3", req = emit.req, data = '[42,"y"]' })
  server:poll(0)
  same(answer, { 42, "y" }, "ack arguments")
end)

test("handlers run in the coroutine that polls, which they may yield", function()
  local socket = connect("co")
  local ran_in
  socket:on("work", function()
    ran_in = coroutine.running()
    coroutine.yield("paused")
  end)
  fake.push({ type = C.SIO_EV_EVENT, sid = "co", name = "work", data = "[]" })
  local pump = coroutine.create(function() return server:poll(0) end)
  local _, first = coroutine.resume(pump)
  equal(first, "paused", "the handler yielded through poll")
  equal(ran_in, pump, "ran in the polling coroutine")
  local _, count = coroutine.resume(pump)
  equal(count, 1, "poll finished after the resume")
end)

test("events taken in one batch survive a handler that raises or polls", function()
  local socket = connect("batch")
  local seen = {}
  socket:on("n", function(n)
    seen[#seen + 1] = n
    if n == 1 then
      error("handler 1 fails")
    elseif n == 3 then
      -- A nested poll runs the rest of the batch first, in order.
      server:poll(0)
    end
  end)
  for n = 1, 6 do
    fake.push({ type = C.SIO_EV_EVENT, sid = "batch", name = "n", data = "[" .. n .. "]" })
  end
  local ok, err = pcall(server.poll, server, 0)
  equal(ok, false, "the error went up through poll")
  equal(tostring(err):find("handler 1 fails", 1, true) ~= nil, true, "its message")
  same(seen, { 1 }, "events after the failing handler wait")
  equal(#fake.queue, 0, "all six were taken in one batch")
  server:poll(0)
  same(seen, { 1, 2, 3, 4, 5, 6 }, "each event once, in order")
end)

-- socket.io runs a connection listener before the socket's next packet, so
-- that the handlers it adds hear the client's first packets even when they
-- arrive with the connection: here in the same batch as it.
test("a connection handler runs before the socket's first event of its batch", function()
  local first = server:of("/first")
  local heard = {}
  first:on("connection", function(socket)
    socket:on("hello", function(n, ack)
      heard[#heard + 1] = n
      ack(n * 2)
    end)
  end)
  for n = 1, 20 do
    local sid = "first" .. n
    fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/first", sid = sid, data = "{}" })
    fake.push({ type = C.SIO_EV_EVENT, nsp = "/first", sid = sid, name = "hello",
      data = "[" .. n .. "]", ack_id = n })
  end
  server:poll(0)
  equal(#fake.queue, 0, "all taken")
  equal(#heard, 20, "every first event heard")
  local acks = fake.take("ack")
  equal(#acks, 20, "every first event answered")
  for n = 1, 20 do
    same({ acks[n].sid, acks[n].ack_id, acks[n].json }, { "first" .. n, n, "[" .. n * 2 .. "]" }, "ack " .. n)
  end
end)

test("a connection handler that yields has added its handlers for the next event", function()
  local paused = server:of("/paused")
  local heard = {}
  paused:on("connection", function(socket)
    socket:on("hello", function(n) heard[#heard + 1] = n end)
    coroutine.yield("connecting")
  end)
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/paused", sid = "p1", data = "{}" })
  fake.push({ type = C.SIO_EV_EVENT, nsp = "/paused", sid = "p1", name = "hello", data = "[1]" })
  local pump = coroutine.create(function() return server:poll(0) end)
  local _, first = coroutine.resume(pump)
  equal(first, "connecting", "the connection handler yielded through poll")
  same(heard, {}, "the event waits while it is paused")
  server:poll(0)
  same(heard, { 1 }, "the next poll gives the event to the handler it added")
  coroutine.resume(pump)
end)

test("timeout(ms):emit callbacks get an error first", function()
  local socket = connect("s4")
  local results = {}
  socket:timeout(50):emit("q", function(err, v) results[#results + 1] = { err or false, v } end)
  socket:timeout(50):emit("q", function(err, v) results[#results + 1] = { err or false, v } end)
  local emits = fake.take("emit")
  equal(emits[1].timeout, 50, "timeout")
  fake.push({ type = C.SIO_EV_ACK, req = emits[1].req, data = "[1]" })
  fake.push({ type = C.SIO_EV_ACK, req = emits[2].req, err = C.SIO_ETIMEDOUT,
    reason = "operation has timed out" })
  server:poll(0)
  same(results, { { false, 1 }, { "operation has timed out" } }, "results")
end)

test("broadcast selections become targets", function()
  local socket = connect("s5")
  server:to("r1"):to({ "r2" }):except("x"):emit("a")
  socket.broadcast:emit("b")
  socket:to("r3"):emit("c")
  server:of("/other").volatile:emit("d")
  local emits = fake.take("emit")
  same(emits[1].to, { nsp = "/", rooms = { "r1", "r2" }, except = { "x" } }, "to/except")
  same(emits[2].to, { nsp = "/", rooms = {}, except = { "s5" } }, "broadcast")
  same(emits[3].to, { nsp = "/", rooms = { "r3" }, except = { "s5" } }, "socket:to")
  same({ emits[4].to.nsp, emits[4].flags }, { "/other", 2 }, "volatile in a namespace")
  fake.take("of")
end)

test("a socket's flags then to/except/broadcast leave the sender out", function()
  local socket = connect("s6")
  socket:timeout(100):to("r"):except("x"):emit("a", function() end)
  socket.volatile:to("r"):emit("b")
  socket.volatile:timeout(100).broadcast:emit("c")
  socket:timeout(100):emit("d", function() end)
  local emits = fake.take("emit")
  same(emits[1].to, { nsp = "/", rooms = { "r" }, except = { "s6", "x" } }, "timeout:to:except")
  equal(emits[1].timeout, 100, "timeout kept")
  same(emits[2].to, { nsp = "/", rooms = { "r" }, except = { "s6" } }, "volatile:to")
  equal(emits[2].flags, macros.SIO_EMIT_VOLATILE, "volatile kept")
  same(emits[3].to, { nsp = "/", rooms = {}, except = { "s6" } }, "volatile:timeout.broadcast")
  same(emits[4].to, { nsp = "/", sid = "s6", rooms = {}, except = {} }, "timeout alone: the socket")
end)

test("a broadcast's acks need a timeout and arrive as a list", function()
  equal(pcall(server.emit, server, "e", function() end), false, "refused without timeout")
  local got
  server:timeout(100):emit("e", function(err, responses) got = { err or false, responses } end)
  local emit = only("emit")
  fake.push({ type = C.SIO_EV_ACK, req = emit.req, flags = 2, data = '["a","b"]' })
  server:poll(0)
  same(got, { false, { "a", "b" } }, "responses")
end)

test("middleware refuses with message and data, or lets in", function()
  local private = server:of("/p")
  private:use(function(socket, next)
    if socket.handshake.auth.token == "ok" then
      socket.data.user = "u"
      return next()
    end
    next(sio.error("not authorized", { reason = "bad token" }))
  end)
  local declared = fake.take("of")
  same(declared[#declared], { "of", name = "/p", flags = 1 }, "declared with middleware")
  fake.push({ type = C.SIO_EV_CONNECT_REQUEST, req = 9, nsp = "/p", sid = "m1",
    data = '{"auth":{}}' })
  fake.push({ type = C.SIO_EV_CONNECT_REQUEST, req = 10, nsp = "/p", sid = "m2",
    data = '{"auth":{"token":"ok"}}' })
  server:poll(0)
  same(only("refuse"), { "refuse", req = 9, message = "not authorized",
    data = '{"reason":"bad token"}' }, "refusal")
  same(only("accept"), { "accept", req = 10 }, "acceptance")
  local entered
  private:on("connection", function(socket) entered = socket end)
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/p", sid = "m2", data = '{"auth":{"token":"ok"}}' })
  server:poll(0)
  equal(entered.data.user, "u", "the middleware's socket object connects")
end)

test("middleware may decide later", function()
  local pending
  server:of("/later"):use(function(_, next) pending = next end)
  fake.take("of")
  fake.push({ type = C.SIO_EV_CONNECT_REQUEST, req = 11, nsp = "/later", sid = "l1", data = "{}" })
  server:poll(0)
  equal(#fake.take("accept"), 0, "not yet")
  pending()
  pending()
  equal(#fake.take("accept"), 1, "accepted once")
end)

test("dynamic namespaces are created when the matcher accepts", function()
  local dyn = server:of(function(name) return name:sub(1, 5) == "/dyn-" end)
  same(only("of"), { "of", name = "*", flags = 1 }, "every other name asks")
  local joined, announced = nil, {}
  dyn:on("connection", function(socket) joined = socket.nsp.name end)
  server:on("new_namespace", function(nsp) announced[#announced + 1] = nsp end)
  fake.push({ type = C.SIO_EV_CONNECT_REQUEST, req = 12, nsp = "/dyn-1", sid = "d1",
    data = "{}", flags = 1 })
  fake.push({ type = C.SIO_EV_CONNECT_REQUEST, req = 13, nsp = "/nope", sid = "d2",
    data = "{}", flags = 1 })
  server:poll(0)
  same(only("of"), { "of", name = "/dyn-1", flags = 0 }, "child declared")
  same(only("accept"), { "accept", req = 12 }, "child accepted")
  equal(only("refuse").message, "Invalid namespace", "unknown refused")
  equal(#announced, 1, "new_namespace once, for the child only")
  equal(announced[1], server.nsps["/dyn-1"], "new_namespace hands the child")
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/dyn-1", sid = "d1", data = "{}" })
  server:poll(0)
  equal(joined, "/dyn-1", "parent's connection handler")
  equal(#announced, 1, "a known namespace is not announced again")
  local declared = server:of("/declared")
  only("of")
  equal(announced[2], declared, "io:of announces a new namespace too")
  server:of("/declared")
  equal(#announced, 2, "but not one it knows")
end)

test("a matcher may answer later with next(err, ok); a parent's emit reaches its children", function()
  local later
  local team = server:of(function(name, handshake, next)
    later = function() next(nil, name == "/team-a" and handshake.auth.ok == 1) end
  end)
  fake.take("of")
  fake.push({ type = C.SIO_EV_CONNECT_REQUEST, req = 20, nsp = "/team-a", sid = "t1",
    data = '{"auth":{"ok":1}}', flags = 1 })
  server:poll(0)
  equal(#fake.take("accept") + #fake.take("refuse"), 0, "no answer before next()")
  later()
  same(only("accept"), { "accept", req = 20 }, "accepted by next(nil, true)")
  same(only("of"), { "of", name = "/team-a", flags = 0 }, "child declared")
  fake.push({ type = C.SIO_EV_CONNECT_REQUEST, req = 21, nsp = "/team-b", sid = "t2",
    data = '{"auth":{}}', flags = 1 })
  server:poll(0)
  later()
  equal(only("refuse").message, "Invalid namespace", "refused by next(nil, false)")
  team:emit("hello", 1)
  same(only("emit").to, { nsp = "/team-a", rooms = {}, except = {} }, "the child's sockets")
end)

test("rooms: joins go to the core, socket.rooms asks it each time", function()
  local a = connect("ra")
  connect("rb")
  a:join("x")
  same(only("join"), { "join", to = { nsp = "/", sid = "ra", rooms = {}, except = {} },
    rooms = { "x" } }, "join command")
  equal(a.rooms.x, nil, "no copy: the core has not said so")
  fake.rooms.ra = '["ra","x"]'
  same(a.rooms, { ra = true, x = true }, "the core's answer")
  server:to("x"):sockets_join({ "y", "z" })
  same(only("join"), { "join", to = { nsp = "/", rooms = { "x" }, except = {} },
    rooms = { "y", "z" } }, "sockets_join command")
  a:leave("x")
  same(only("leave").rooms, { "x" }, "leave command")
  fake.rooms.ra = nil
  same(a.rooms, {}, "a socket the core no longer has is in no room")
  fake.take("rooms")
  equal(#fake.take("free"), 2, "every answer released")
end)

test("disconnecting then disconnect, with reasons", function()
  local socket = connect("dc")
  local seen = {}
  socket:on("disconnecting", function(reason) seen[#seen + 1] = { reason, socket.rooms.lobby } end)
  socket:on("disconnect", function(reason) seen[#seen + 1] = { reason } end)
  socket:disconnect(true)
  same(only("disconnect"), { "disconnect", to = { nsp = "/", sid = "dc", rooms = {}, except = {} },
    flags = macros.SIO_DISCONNECT_CLOSE }, "disconnect command")
  socket:disconnect()
  equal(only("disconnect").flags, 0, "without closing")
  -- By now the core has taken the socket out of its rooms.
  fake.rooms.dc = nil
  fake.push({ type = C.SIO_EV_DISCONNECTING, sid = "dc", reason = "server namespace disconnect",
    data = '["dc","lobby"]' })
  fake.push({ type = C.SIO_EV_DISCONNECT, sid = "dc", reason = "server namespace disconnect" })
  server:poll(0)
  same(seen, { { "server namespace disconnect", true }, { "server namespace disconnect" } }, "reasons")
  same(socket.rooms, {}, "no rooms once gone")
  equal(socket.connected, false, "not connected")
  equal(server.sockets.sockets.dc, nil, "removed")
end)

test("fetch_sockets answers with socket objects", function()
  local socket = connect("f1")
  local list
  server:fetch_sockets(function(sockets) list = sockets end)
  local fetch = only("fetch")
  fake.push({ type = C.SIO_EV_SOCKETS, req = fetch.req,
    data = '[{"id":"f1","nsp":"/","rooms":["f1","k"],"handshake":{}}]' })
  server:poll(0)
  equal(list[1], socket, "the live object")
end)

test("a refused command raises the library's message", function()
  local socket = connect("e1")
  fake.fail_next = C.SIO_ERESERVED
  local ok, err = pcall(socket.emit, socket, "connect")
  equal(ok, false, "raised")
  equal(err:find("fake failure", 1, true) ~= nil, true, "message: " .. tostring(err))
end)

test("server errors reach io:on('error'); close ends run()", function()
  local errors, closed = {}, false
  server:on("error", function(err) errors[#errors + 1] = err end)
  server:on("close", function() closed = true end)
  fake.push({ type = C.SIO_EV_ERROR, err = C.SIO_EPROTO, reason = "bad request",
    data = '{"code":3,"message":"Bad request"}' })
  server:poll(0)
  same({ errors[1].message, errors[1].data.code }, { "bad request", 3 }, "error")
  local socket = server.sockets.sockets.s1
  server:close()
  only("close")
  equal(#fake.take("server_free"), 0, "not freed before the core is done")
  fake.push({ type = C.SIO_EV_SERVER_CLOSED })
  server:run()
  equal(closed, true, "close handler")
  equal(#fake.take("server_free"), 1, "freed once closed")
  equal(server.context.owners[server.id], nil, "the context forgets it")
  local ok, err = pcall(server.emit, server, "late")
  equal(ok, false, "a command after the free raises")
  equal(tostring(err):find("fake error", 1, true) ~= nil, true, "with the closed message: " .. tostring(err))
  same(socket.rooms, {}, "rooms of a freed server's socket")
  equal(#fake.take("rooms"), 0, "not asked of a freed server")
end)

test("connection_state_recovery: its keys, and on even when empty", function()
  local function options_of(recovery)
    fake.take("option")
    sio.server({ port = 0, connection_state_recovery = recovery })
    local set = {}
    for _, call in ipairs(fake.take("option")) do
      set[call.key] = call.value
    end
    -- Only the recovery keys: the binding sets others for every server.
    for key in pairs(set) do
      if not key:find("^connectionStateRecovery%.") then
        set[key] = nil
      end
    end
    return set
  end
  same(options_of({ max_disconnection_duration = 1500, skip_middlewares = false }), {
    ["connectionStateRecovery.maxDisconnectionDuration"] = "1500",
    ["connectionStateRecovery.skipMiddlewares"] = "false",
  }, "both keys")
  same(options_of({}), { ["connectionStateRecovery.maxDisconnectionDuration"] = "120000" },
    "socket.io's default turns it on")
end)

test("a restored socket gets back the data it had; middlewares see it", function()
  fake.take("option")
  local io = sio.server({ port = 0, connection_state_recovery = { max_disconnection_duration = 5000 } })
  local sockets = {}
  io:on("connection", function(socket) sockets[#sockets + 1] = socket end)
  local seen
  local guarded = io:of("/g")
  guarded:use(function(socket, next)
    seen = { socket.recovered, socket.data.user }
    next()
  end)
  guarded:on("connection", function(socket) sockets[#sockets + 1] = socket end)
  local RECOVERED = macros.SIO_EVF_RECOVERED
  local function leave(nsp, sid, reason)
    fake.push({ type = C.SIO_EV_DISCONNECT, nsp = nsp, sid = sid, reason = reason })
  end
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/", sid = "r1", data = "{}" })
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/", sid = "r2", data = "{}" })
  io:poll(0)
  sockets[1].data.user = "ada"
  sockets[2].data.user = "bob"
  leave("/", "r1", "transport close")
  leave("/", "r2", "client namespace disconnect")
  io:poll(0)
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/", sid = "r1", data = "{}", flags = RECOVERED })
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/", sid = "r2", data = "{}", flags = RECOVERED })
  io:poll(0)
  equal(sockets[3].recovered, true, "recovered")
  equal(sockets[3].data.user, "ada", "its data again")
  same(sockets[4].data, {}, "nothing kept after a disconnect the client asked for")
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/g", sid = "g1", data = "{}" })
  io:poll(0)
  sockets[5].data.user = "eve"
  leave("/g", "g1", "ping timeout")
  fake.push({ type = C.SIO_EV_CONNECT_REQUEST, req = 77, nsp = "/g", sid = "g1", data = "{}",
    flags = RECOVERED })
  io:poll(0)
  same(seen, { true, "eve" }, "the middleware sees the restored socket")
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/g", sid = "g1", data = "{}", flags = RECOVERED })
  io:poll(0)
  equal(sockets[6].data.user, "eve", "the middleware's socket object connects")
end)

-- The JSON texts handed to the core for socket sid, oldest first.
local function pushed(sid)
  local out = {}
  for _, call in ipairs(fake.take("set_data")) do
    equal(call.sid, sid, "the socket")
    out[#out + 1] = call.json
  end
  return out
end

test("socket.data goes to the core when assigned and when a handler changed it", function()
  fake.take("set_data")
  local io = sio.server({ port = 0 })
  local socket
  io:on("connection", function(s)
    socket = s
    s.data.user = "ann" -- a change inside the connection handler
    s:on("add", function(item)
      s.data.items = s.data.items or sio.array()
      s.data.items[#s.data.items + 1] = item
    end)
    s:on("same", function() s.data.user = "ann" end)
    s:on("replace", function(v) s.data = v end)
  end)
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/", sid = "d1", data = "{}" })
  io:poll(0)
  same(pushed("d1"), { '{"user":"ann"}' }, "after the connection handlers")
  fake.push({ type = C.SIO_EV_EVENT, sid = "d1", name = "add", data = "[1]" })
  io:poll(0)
  local texts = pushed("d1")
  equal(#texts, 1, "one push")
  assert(texts[1] == '{"user":"ann","items":[1]}' or texts[1] == '{"items":[1],"user":"ann"}',
    texts[1])
  fake.push({ type = C.SIO_EV_EVENT, sid = "d1", name = "same", data = "[]" })
  io:poll(0)
  same(pushed("d1"), {}, "unchanged: nothing")
  fake.push({ type = C.SIO_EV_EVENT, sid = "d1", name = "replace", data = '[["x",null,2]]' })
  io:poll(0)
  same(pushed("d1"), { '["x",null,2]' }, "assigned in a handler: once")
  -- Outside handlers: at the next event, or at once by assigning.
  socket.data[4] = true
  same(pushed("d1"), {}, "not yet")
  fake.push({ type = C.SIO_EV_EVENT, sid = "d1", name = "other", data = "[]" })
  io:poll(0)
  same(pushed("d1"), { '["x",null,2,true]' }, "at the next event")
  socket.data = { n = 1 }
  same(pushed("d1"), { '{"n":1}' }, "assigned outside handlers")
  -- What cannot be sent stays in Lua.
  socket.data = { f = function() end }
  socket.data = { b = sio.binary("\1") }
  same(pushed("d1"), {}, "no function or binary")
  socket.data = nil
  same(pushed("d1"), { "null" }, "nil is null")
  fake.push({ type = C.SIO_EV_DISCONNECT, nsp = "/", sid = "d1", reason = "transport close" })
  io:poll(0)
  socket.data = { late = 1 }
  same(pushed("d1"), {}, "gone: nothing")
end)

test("middleware data goes once connected; a recovered socket's data again", function()
  fake.take("set_data")
  local io = sio.server({ port = 0, connection_state_recovery = { max_disconnection_duration = 5000 } })
  local g = io:of("/m")
  g:use(function(socket, next)
    socket.data = { from = "middleware" }
    next()
  end)
  local sockets = {}
  g:on("connection", function(s) sockets[#sockets + 1] = s end)
  fake.push({ type = C.SIO_EV_CONNECT_REQUEST, req = 5, nsp = "/m", sid = "m1", data = "{}" })
  io:poll(0)
  same(pushed("m1"), {}, "not while the core has no such socket")
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/m", sid = "m1", data = "{}" })
  io:poll(0)
  same(pushed("m1"), { '{"from":"middleware"}' }, "once connected")
  io:on("connection", function(s) sockets[#sockets + 1] = s end)
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/", sid = "m2", data = "{}" })
  io:poll(0)
  sockets[#sockets].data = { cart = sio.array({ 1 }) }
  same(pushed("m2"), { '{"cart":[1]}' }, "assigned")
  fake.push({ type = C.SIO_EV_DISCONNECT, nsp = "/", sid = "m2", reason = "transport close" })
  fake.push({ type = C.SIO_EV_CONNECTION, nsp = "/", sid = "m2", data = "{}",
    flags = macros.SIO_EVF_RECOVERED })
  io:poll(0)
  same(pushed("m2"), { '{"cart":[1]}' }, "the kept data, pushed again")
end)

check.finish()
