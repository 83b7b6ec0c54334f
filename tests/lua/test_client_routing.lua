-- Unit tests of the client modules' routing, against fake_core.lua instead
-- of libsio: options, connect and refusal, events and acks both ways,
-- namespaces over one connection, reconnection events.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local ffi = require("ffi")
local fake = require("fake_core").install()
local check = require("check")
local sio = require("sio")

local C = ffi.C
local test, equal, same = check.test, check.equal, check.same

local function only(name)
  local calls = fake.take(name)
  equal(#calls, 1, "number of " .. name .. " calls")
  return calls[1]
end

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

test("the URL's path names the first socket's namespace", function()
  equal(socket.nsp, "/chat", "namespace")
  equal(socket.connected, false, "not yet connected")
end)

test("connect sets the id and runs the connect handlers", function()
  local fired = 0
  socket:on("connect", function() fired = fired + 1 end)
  deliver({ type = C.SIO_EV_CONNECT, nsp = "/chat", sid = "c1" })
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
  deliver({ type = C.SIO_EV_EVENT, nsp = "/chat", name = "news",
    data = '["x",{"_placeholder":true,"num":0}]', bins = { "\7" }, ack_id = 3 })
  same(got, { "x", "\7" }, "arguments")
  same(only("client_ack"), { "client_ack", nsp = "/chat", ack_id = 3, json = '["thanks"]', bins = {} }, "ack")
end)

test("emit with a callback waits for the server's ack", function()
  local answer
  socket:emit("q", sio.binary("b"), function(...) answer = { ... } end)
  local emit = only("client_emit")
  same({ emit.nsp, emit.event, emit.json, emit.bins[1], emit.flags, emit.timeout },
    { "/chat", "q", '[{"_placeholder":true,"num":0}]', "b", 1, 0 }, "emit")
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

test("reconnection events reach the manager", function()
  local seen = {}
  manager:on("reconnect_attempt", function(n) seen[#seen + 1] = "attempt " .. n end)
  manager:on("reconnect", function(n) seen[#seen + 1] = "reconnect " .. n end)
  manager:on("reconnect_failed", function() seen[#seen + 1] = "failed" end)
  deliver({ type = C.SIO_EV_RECONNECT_ATTEMPT, ack_id = 1 })
  deliver({ type = C.SIO_EV_RECONNECT, ack_id = 1 })
  deliver({ type = C.SIO_EV_RECONNECT_FAILED })
  same(seen, { "attempt 1", "reconnect 1", "failed" }, "events")
end)

test("disconnect clears the id and gives the reason", function()
  local reason
  socket:on("disconnect", function(r) reason = r end)
  socket:disconnect()
  same(only("client_disconnect"), { "client_disconnect", nsp = "/chat" }, "command")
  deliver({ type = C.SIO_EV_DISCONNECT, nsp = "/chat", reason = "io client disconnect" })
  equal(reason, "io client disconnect", "reason")
  equal(socket.id, nil, "id cleared")
  equal(socket.connected, false, "not connected")
  socket:connect()
  same(only("client_socket"), { "client_socket", nsp = "/chat", auth = '{"token":"t"}' }, "reconnect")
end)

test("close closes the manager once", function()
  manager:close()
  manager:close()
  equal(#fake.take("client_close"), 1, "close calls")
end)

test("a URL without a path opens the main namespace", function()
  equal(sio.connect("ws://h:1").nsp, "/", "no path")
  equal(sio.connect("http://h:1/?a=b").nsp, "/", "root path")
end)

check.finish()
