-- Two Lua servers joined by the Redis adapter (adapter = "redis://..."), on a
-- redis-server of the test's own, and a Lua client on the second:
-- broadcasts and io["local"], server_side_emit with and without an answer,
-- adapter_down and adapter_up.  luajit test_cluster.lua
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local check = require("check")
local sio = require("sio")

if os.execute("command -v redis-server >/dev/null 2>&1") ~= 0 then
  print("skip: no redis-server (Debian package redis-server)")
  os.exit(77)
end

local test, equal, same = check.test, check.equal, check.same
local wait_for = check.waiter(sio)

-- Pumps for ms, for what must not come.
local function pump_for(ms)
  for _ = 1, ms / 10 do
    sio.poll(10)
  end
end

math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
local pidfile = os.tmpname()
local port
local function start_redis()
  for _ = 1, 20 do
    port = port or (20000 + math.random(0, 20000))
    local cmd = string.format("redis-server --port %d --bind 127.0.0.1 --save '' --appendonly no "
      .. "--daemonize yes --pidfile %s --logfile /dev/null", port, pidfile)
    if os.execute(cmd) == 0 then
      for _ = 1, 100 do
        if os.execute(string.format("redis-cli -p %d ping >/dev/null 2>&1", port)) == 0 then
          return
        end
        os.execute("sleep 0.05")
      end
    end
    port = nil
  end
  error("could not start redis-server")
end

local function kill_redis()
  os.execute(string.format("kill -9 $(cat %s) 2>/dev/null; sleep 0.1", pidfile))
end

start_redis()
local url = "redis://127.0.0.1:" .. port
local ups = { a = 0, b = 0 }
local downs = {}
local a = sio.server({ host = "127.0.0.1", port = 0, adapter = url, adapter_requests_timeout = 1000 })
local b = sio.server({ host = "127.0.0.1", port = 0, adapter = url, adapter_requests_timeout = 1000 })
a:on("adapter_up", function() ups.a = ups.a + 1 end)
b:on("adapter_up", function() ups.b = ups.b + 1 end)
a:on("adapter_down", function(reason) downs[#downs + 1] = reason end)
local heard = {}
b:on("sse", function(x, y, ack)
  heard[#heard + 1] = { x, y }
  if type(ack) == "function" then
    ack({ echo = x })
  elseif type(y) == "function" then
    y({ echo = x })
  end
end)
local b_socket
b:on("connection", function(socket) b_socket = socket end)

local client = sio.connect("http://127.0.0.1:" .. b.port, { transports = { "websocket" }, reconnection = false })
local got = {}
for _, name in ipairs({ "hello", "local-only" }) do
  client:on(name, function(v) got[#got + 1] = { name, v } end)
end

test("both nodes report their adapter up", function()
  wait_for(function() return ups.a == 1 and ups.b == 1 and b_socket end, "adapter up")
  pump_for(200)
end)

test("a broadcast to a room reaches the other node's member; io['local'] does not", function()
  b_socket:join("room")
  a:to("room"):emit("hello", 1)
  wait_for(function() return #got >= 1 end, "hello")
  same(got[1], { "hello", 1 })
  a["local"]:emit("local-only", 2)
  pump_for(200)
  equal(#got, 1, "events")
end)

test("fetch_sockets lists the other node's socket, and reaches it", function()
  local found
  a:fetch_sockets(function(list) found = list end)
  wait_for(function() return found end, "fetch_sockets")
  equal(#found, 1, "sockets")
  local remote = found[1]
  equal(remote.id, b_socket.id, "id")
  equal(remote.remote, true, "remote")
  equal(remote.rooms.room, true, "its rooms")
  remote:emit("hello", 4)
  wait_for(function() return #got >= 2 end, "hello through the remote socket")
  same(got[2], { "hello", 4 })
  table.remove(got, 2)
end)

test("server_side_emit with and without an answer", function()
  a:server_side_emit("sse", "plain", 1)
  wait_for(function() return #heard >= 1 end, "plain server-side event")
  same(heard[1], { "plain", 1 })
  local err, responses
  a:server_side_emit("sse", "asked", function(e, r) err, responses = e, r or {} end)
  wait_for(function() return responses end, "the answers")
  equal(err, nil, "error")
  same(responses, { { echo = "asked" } })
end)

-- Runs fn in a plain coroutine, pumping until it ends; its outcome.
local function in_coroutine(fn)
  local outcome
  assert(coroutine.resume(coroutine.create(function() outcome = { pcall(fn) } end)))
  wait_for(function() return outcome end, "the coroutine")
  return outcome[1], outcome[2]
end

test("server_side_emit_with_ack yields for every answer; a timeout raises those that came", function()
  local ok, responses = in_coroutine(function() return a:server_side_emit_with_ack("sse", "co") end)
  equal(ok, true, "no error")
  same(responses, { { echo = "co" } })
  local silent = sio.server({ host = "127.0.0.1", port = 0, adapter = url,
    adapter_requests_timeout = 1000 })
  local up = false
  silent:on("adapter_up", function() up = true end)
  wait_for(function() return up end, "the third node's adapter")
  pump_for(200)
  local failed, err = in_coroutine(function() return a:server_side_emit_with_ack("sse", "late") end)
  silent:close()
  equal(failed, false, "raised")
  equal(tostring(err), "timeout reached: only 1 responses received out of 2", "message")
  same(err.responses, { { echo = "late" } })
  local outside = pcall(a.server_side_emit_with_ack, a, "sse", "x")
  equal(outside, false, "outside a coroutine")
end)

-- The connections listening to a shard channel.
local function shard_listeners(channel)
  local f = io.popen(string.format("redis-cli -p %d PUBSUB SHARDNUMSUB '%s'", port, channel))
  local out = f:read("*a")
  f:close()
  return tonumber(out:match("\n(%d+)"))
end

test("adapter_sharded: a room broadcast and server_side_emit_with_ack cross the shard channels", function()
  local opts = { host = "127.0.0.1", port = 0, adapter = url, adapter_requests_timeout = 1000,
    adapter_sharded = true, adapter_subscription_mode = "dynamic" }
  local sa, sb = sio.server(opts), sio.server(opts)
  local up, joined, delivered = 0, false, nil
  for _, s in ipairs({ sa, sb }) do s:on("adapter_up", function() up = up + 1 end) end
  sb:on("connection", function(socket)
    socket:join("sharded-room")
    joined = true
  end)
  sb:on("sse", function(x, ack) ack({ echo = x }) end)
  local c = sio.connect("http://127.0.0.1:" .. sb.port, { transports = { "websocket" }, reconnection = false })
  c:on("sharded-hello", function(v) delivered = v end)
  wait_for(function() return up == 2 and joined end, "the sharded nodes")
  pump_for(300)
  equal(shard_listeners("socket.io#/#sharded-room#"), 1, "listeners of the room's channel")
  equal(shard_listeners("socket.io#/#"), 2, "listeners of the namespace's channel")
  sa:to("sharded-room"):emit("sharded-hello", 5)
  wait_for(function() return delivered end, "sharded-hello")
  equal(delivered, 5, "the broadcast")
  local ok, responses = in_coroutine(function() return sa:server_side_emit_with_ack("sse", "sh") end)
  equal(ok, true, "no error")
  same(responses, { { echo = "sh" } })
  c:close()
  sa:close()
  sb:close()
  pump_for(100)
end)

test("Redis goes: adapter_down, local traffic goes on; back: adapter_up", function()
  kill_redis()
  wait_for(function() return #downs >= 1 end, "adapter_down")
  assert(downs[1]:find("redis 127.0.0.1", 1, true), downs[1])
  b:emit("hello", 3)
  wait_for(function() return #got >= 2 end, "local hello")
  same(got[2], { "hello", 3 })
  start_redis()
  wait_for(function() return ups.a == 2 and ups.b == 2 end, "adapter up again")
end)

client:close()
a:close()
b:close()
pump_for(100)
kill_redis()
os.remove(pidfile)
check.finish()
