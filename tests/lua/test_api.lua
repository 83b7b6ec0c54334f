-- The socket.io API of the Lua binding against the real libsio: a Lua
-- server and Lua clients in one process, over HTTP long-polling (see
-- client.test.mjs for why not WebSocket on one context). What each client
-- received is what crossed the wire.
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

local test, equal, same = check.test, check.equal, check.same
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } lsio_timespec;
int clock_gettime(int clock, lsio_timespec *ts);
int poll(void *fds, unsigned long nfds, int timeout);
]])
local CLOCK_MONOTONIC = 1

local function now_ms()
  local ts = ffi.new("lsio_timespec")
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- Pumps (10 ms at most each time) until ready() is true.
local wait_for = check.waiter(sio)

-- Pumps for ms milliseconds: long enough for what was sent to arrive.
local function settle(ms)
  local stop = now_ms() + ms
  repeat
    sio.poll(10)
  until now_ms() >= stop
end

local server = sio.server({ host = "127.0.0.1", port = 0 })
local url = "http://127.0.0.1:" .. server.port
local sockets = {}
server:on("connection", function(socket)
  sockets[socket.id] = socket
end)

-- A client that records every event it gets, in order.
local function client()
  local c = sio.connect(url, { transports = { "polling" }, reconnection = false })
  c.got = {}
  c:on_any(function(name, ...)
    local args = { ... }
    local ack = args[select("#", ...)]
    if type(ack) == "function" then
      ack("from " .. name)
    end
    c.got[#c.got + 1] = name
  end)
  wait_for(function() return c.connected and sockets[c.id] end, "a client's connect")
  c.server_side = sockets[c.id]
  return c
end

local function got(c)
  local list = c.got
  c.got = {}
  return table.concat(list, ",")
end

local a, b, c = client(), client(), client()
for _, x in ipairs({ a, b, c }) do
  x.server_side:join("room")
end
c.server_side:join("quiet")

test("a socket's timeout/volatile then to/except leave the sender out", function()
  local answer
  a.server_side:timeout(2000):to("room"):except("quiet"):emit("vote", function(err, responses)
    answer = { err or false, responses }
  end)
  wait_for(function() return answer end, "the broadcast's acks")
  same(answer, { false, { "from vote" } }, "only b answered")
  -- A volatile packet is dropped while a polling client has no request
  -- waiting: the clients are left to poll again first.
  settle(100)
  a.server_side.volatile:to("room"):emit("v")
  settle(100)
  a.server_side.volatile:timeout(2000).broadcast:emit("w")
  settle(100)
  equal(got(a), "", "the sender")
  equal(got(b), "vote,v,w", "b")
  equal(got(c), "v,w", "c (in quiet)")
  a.server_side:timeout(2000):emit("self", function(err, reply) answer = { err or false, reply } end)
  wait_for(function() return answer[2] == "from self" end, "the socket's own ack")
  equal(got(a) .. "|" .. got(b), "self|", "timeout alone: the socket itself")
end)

test("once runs for the next event only; off removes it unrun", function()
  local seen = {}
  local function record(n) seen[#seen + 1] = n end
  b.server_side:once("tick", record)
  b.server_side:once("never", record)
  b.server_side:off("never", record)
  a:once("tock", record)
  b:emit("tick", 1)
  b:emit("tick", 2)
  b:emit("never", 3)
  a.server_side:emit("tock", 4)
  a.server_side:emit("tock", 5)
  settle(150)
  same(seen, { 1, 4 }, "once only")
  got(a)
end)

test("off_any and on_any_outgoing on both sides", function()
  local out, incoming = {}, {}
  local function count(name) incoming[#incoming + 1] = name end
  a.server_side:on_any(count)
  a.server_side:on_any_outgoing(function(name, x) out[#out + 1] = "server " .. name .. " " .. tostring(x) end)
  a:on_any_outgoing(function(name, x) out[#out + 1] = "client " .. name .. " " .. tostring(x) end)
  a:emit("up", 1)
  a.server_side:emit("down", 2)
  a.server_side:timeout(1000):emit("down", 3, function() end)
  settle(150)
  equal(got(a), "down,down", "the client's catch-all")
  a.server_side:off_any(count)
  a:off_any()
  a:emit("up", 4)
  settle(150)
  same(incoming, { "up" }, "server catch-all until off_any")
  same(out, { "client up 1", "server down 2", "server down 3", "client up 4" }, "outgoing")
  a.server_side:off_any_outgoing()
  a:off_any_outgoing()
  equal(got(a), "", "the client's catch-alls removed")
end)

test("socket:use runs per packet; next(err) reaches the 'error' handlers", function()
  local seen = {}
  local side = c.server_side
  side:use(function(packet, next)
    if packet[1] == "forbidden" then
      return next({ message = "not allowed" })
    end
    packet[#packet + 1] = "checked"
    next()
  end)
  side:on("error", function(err) seen[#seen + 1] = "error " .. err.message end)
  side:on("allowed", function(x, mark) seen[#seen + 1] = x .. " " .. mark end)
  side:on("forbidden", function() seen[#seen + 1] = "forbidden ran" end)
  c:emit("forbidden")
  c:emit("allowed", "x")
  settle(150)
  same(seen, { "error not allowed", "x checked" }, "seen")
end)

-- socket.io runs a connection listener before the socket's next packet, so
-- that the handlers it adds hear what the client sent as it connected. The
-- server's context is not pumped while the client (on a context of its own,
-- whose core sends what was emitted before the connection) connects and
-- emits: the connection and the first event come in one batch.
test("a connection handler's handlers hear the client's first packets", function()
  local heard = {}
  server:of("/first"):on("connection", function(socket)
    socket:on("hello", function(n, ack)
      heard[#heard + 1] = n
      ack(n * 2)
    end)
  end)
  local client_ctx = sio.context()
  for n = 1, 5 do
    local early = sio.connect(url .. "/first", { context = client_ctx, reconnection = false })
    local answer
    early:emit("hello", n, function(x) answer = x end)
    ffi.C.poll(nil, 0, 200)
    wait_for(function()
      client_ctx:poll(0)
      return answer
    end, "the first packet's ack")
    equal(answer, n * 2, "ack " .. n)
    early.io:close()
  end
  same(heard, { 1, 2, 3, 4, 5 }, "every first packet heard")
end)

test("emit_with_ack yields a coroutine until the answer, on both sides", function()
  local results = {}
  b.server_side:on("double", function(x, ack) ack(x * 2) end)
  coroutine.wrap(function()
    results.client = b:timeout(2000):emit_with_ack("double", 21)
    results.plain = b:emit_with_ack("double", 1)
    local quick = b:timeout(100)
    local ok, err = pcall(quick.emit_with_ack, quick, "nobody", 1)
    results.timeout = not ok and tostring(err)
  end)()
  coroutine.wrap(function()
    results.server = b.server_side:timeout(2000):emit_with_ack("question")
    results.broadcast = server:to("room"):except({ "quiet", a.id }):timeout(2000):emit_with_ack("poll")
  end)()
  wait_for(function() return results.timeout and results.broadcast end, "the answers")
  equal(results.client, 42, "client -> server")
  equal(results.plain, 2, "without timeout")
  equal(results.server, "from question", "server -> client")
  same(results.broadcast, { "from poll" }, "a broadcast's responses")
  equal(results.timeout and results.timeout:find("timed out", 1, true) ~= nil, true, results.timeout)
  local ok, err = pcall(b.emit_with_ack, b, "double", 1)
  equal(ok, false, "outside a coroutine")
  equal(tostring(err):find("coroutine", 1, true) ~= nil, true, "says why")
  got(a)
  got(b)
end)

for _, x in ipairs({ a, b, c }) do
  x.io:close()
end
settle(50)
check.finish()
