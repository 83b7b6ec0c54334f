-- Unit tests of the client modules' routing, against fake_core.lua instead
-- of libsio: options, connect and refusal, events and acks both ways,
-- namespaces over one connection, reconnection events, socket.active from
-- SIO_EVF_FINAL, the client freed once closed.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local ffi = require("ffi")
local fake = require("fake_core").install()
local check = require("check")
local sio = require("sio")

local C = ffi.C
local FINAL = require("sio.lib").macros.SIO_EVF_FINAL
local test, equal, same = check.test, check.equal, check.same

local function only(name)
  local calls = fake.take(name)
  equal(#calls, 1, "number of " .. name .. " calls")
  return calls[1]
end

-- The namespace is the core's (sio_client_nsp): the binding reads no URL.
fake.client_nsp = "/from-the-core"
local socket = sio.connect("http://127.0.0.1:9/chat?x=1", {
  auth = { token = "t" },
  transports = { "websocket" },
  reconnection_attempts = 3,
  extra_headers = { ["x-a"] = "1" },
  query = { b = "2 3", a = "&" },
  tls = { verify = false },
})
local manager = socket.io

local function deliver(e)
  e.client = true
  fake.push(e)
  sio.poll(0)
end

test("options and auth reach the core", function()
  local set = {}
  for _, call in ipairs(fake.take("option")) do
    set[call.key] = call.value
  end
  same(set, {
    transports = "websocket",
    reconnectionAttempts = "3",
    extraHeaders = '{"x-a":"1"}',
    query = "a=%26&b=2%203",
    ["tls.verify"] = "false",
  }, "options")
  same(only("client_new"), { "client_new", url = "http://127.0.0.1:9/chat?x=1", auth = '{"token":"t"}' },
    "creation")
end)

test("the first socket's namespace is the one the core gives", function()
  equal(socket.nsp, "/from-the-core", "namespace")
  equal(socket.connected, false, "not yet connected")
end)

test("connect sets the id and runs the connect handlers", function()
  local fired = 0
  socket:on("connect", function() fired = fired + 1 end)
  deliver({ type = C.SIO_EV_CONNECT, nsp = "/from-the-core", sid = "c1" })
  equal(fired, 1, "connect handlers")
  equal(socket.id, "c1", "id")
  equal(socket.connected, true, "connected")
end)

test("events run handlers; acks go back on the socket's namespace", function()
  local got
  socket:on("news", function(a, b, ack)
    got = { a, b.data }
    ack("thanks")
  end)
  deliver({ type = C.SIO_EV_EVENT, nsp = "/from-the-core", name = "news",
    data = '["x",{"_placeholder":true,"num":0}]', bins = { "\7" }, ack_id = 3 })
  same(got, { "x", "\7" }, "arguments")
  same(only("client_ack"), { "client_ack", nsp = "/from-the-core", ack_id = 3, json = '["thanks"]', bins = {},
    flags = 0, timeout = 0 }, "ack")
end)

test("emit with a callback waits for the server's ack", function()
  local answer
  socket:emit("q", sio.binary("b"), function(...) answer = { ... } end)
  local emit = only("client_emit")
  same({ emit.nsp, emit.event, emit.json, emit.bins[1], emit.flags, emit.timeout },
    { "/from-the-core", "q", '[{"_placeholder":true,"num":0}]', "b", 1, 0 }, "emit")
  deliver({ type = C.SIO_EV_ACK, req = emit.req, data = '[1,"two"]' })
  same(answer, { 1, "two" }, "answer")
end)

test("timeout(ms) and volatile", function()
  local results = {}
  socket:timeout(100):emit("q", function(err) results[#results + 1] = err end)
  socket.volatile:emit("v")
  local emits = fake.take("client_emit")
  same({ emits[1].timeout, emits[2].flags }, { 100, 2 }, "timeout and volatile flag")
  deliver({ type = C.SIO_EV_ACK, req = emits[1].req, err = C.SIO_ETIMEDOUT, reason = "operation has timed out" })
  same(results, { "operation has timed out" }, "timeout error first")
end)

test("another namespace over the same connection, refused", function()
  local admin = manager:socket("/admin", { auth = { key = 1 } })
  same(only("client_socket"), { "client_socket", nsp = "/admin", auth = '{"key":1}' }, "opened")
  equal(manager:socket("/admin"), admin, "one object per namespace")
  local refusal
  admin:on("connect_error", function(err) refusal = err end)
  deliver({ type = C.SIO_EV_CONNECT_ERROR, nsp = "/admin", reason = "not authorized",
    data = '{"reason":"bad"}' })
  same(refusal, { message = "not authorized", data = { reason = "bad" } }, "connect_error")
end)

test("socket.active follows SIO_EVF_FINAL, whatever the reason", function()
  local other = manager:socket("/final")
  fake.take("client_socket")
  equal(other.active, true, "active from the start")
  deliver({ type = C.SIO_EV_CONNECT_ERROR, nsp = "/final", reason = "timeout" })
  equal(other.active, true, "a failed attempt: still trying")
  deliver({ type = C.SIO_EV_CONNECT_ERROR, nsp = "/final", reason = "timeout", flags = FINAL })
  equal(other.active, false, "no further attempt")
  other:connect()
  fake.take("client_socket")
  equal(other.active, true, "connect() asks again")
  deliver({ type = C.SIO_EV_CONNECT, nsp = "/final", sid = "f1" })
  deliver({ type = C.SIO_EV_DISCONNECT, nsp = "/final", reason = "io server disconnect" })
  equal(other.active, true, "the reason alone decides nothing")
  deliver({ type = C.SIO_EV_CONNECT, nsp = "/final", sid = "f1" })
  deliver({ type = C.SIO_EV_DISCONNECT, nsp = "/final", reason = "transport close", flags = FINAL })
  equal(other.active, false, "the flag does")
end)

test("reconnection events reach the manager", function()
  local seen = {}
  manager:on("reconnect_attempt", function(n) seen[#seen + 1] = "attempt " .. n end)
  manager:on("reconnect", function(n) seen[#seen + 1] = "reconnect " .. n end)
  manager:on("reconnect_failed", function() seen[#seen + 1] = "failed" end)
  deliver({ type = C.SIO_EV_RECONNECT_ATTEMPT, attempt = 1 })
  deliver({ type = C.SIO_EV_RECONNECT, attempt = 1 })
  deliver({ type = C.SIO_EV_RECONNECT_FAILED })
  same(seen, { "attempt 1", "reconnect 1", "failed" }, "events")
end)

test("disconnect clears the id and gives the reason", function()
  local reason
  socket:on("disconnect", function(r) reason = r end)
  socket:disconnect()
  same(only("client_disconnect"), { "client_disconnect", nsp = "/from-the-core" }, "command")
  deliver({ type = C.SIO_EV_DISCONNECT, nsp = "/from-the-core", reason = "io client disconnect" })
  equal(reason, "io client disconnect", "reason")
  equal(socket.id, nil, "id cleared")
  equal(socket.connected, false, "not connected")
  socket:connect()
  same(only("client_socket"), { "client_socket", nsp = "/from-the-core", auth = '{"token":"t"}' }, "reconnect")
end)

test("close closes the manager once, and frees it when the core is done", function()
  deliver({ type = C.SIO_EV_CONNECT, nsp = "/from-the-core", sid = "c2" })
  local disconnected
  socket:emit("q", function() end)
  local emit = only("client_emit")
  socket:on("disconnect", function() disconnected = true end)
  manager:close()
  manager:close()
  equal(#fake.take("client_close"), 1, "close calls")
  equal(#fake.take("client_free"), 0, "a connected socket's disconnect is still to come")
  deliver({ type = C.SIO_EV_DISCONNECT, nsp = "/from-the-core", reason = "io client disconnect", flags = FINAL })
  equal(disconnected, true, "disconnect handed out")
  equal(#fake.take("client_free"), 0, "an ack is still to come")
  deliver({ type = C.SIO_EV_ACK, req = emit.req, err = C.SIO_EDISCONNECTED, reason = "socket has been disconnected" })
  equal(#fake.take("client_free"), 1, "freed after the last answer")
  equal(manager.context.owners[manager.id], nil, "the context forgets it")
  local ok, err = pcall(socket.emit, socket, "late")
  equal(ok, false, "a command after the free raises")
  equal(tostring(err):find("fake error", 1, true) ~= nil, true, "with the closed message: " .. tostring(err))
end)

test("a client closed with nothing pending is freed at once", function()
  local other = sio.connect("ws://h:1")
  fake.take("client_new")
  other.io:close()
  equal(#fake.take("client_free"), 1, "freed")
end)

check.finish()
