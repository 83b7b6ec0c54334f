-- socket.data across two Lua servers joined by the Redis adapter, on a
-- redis-server of the test's own: what a node's handlers set and change
-- inside socket.data is the data the other node's fetch_sockets() reports for
-- that socket (a RemoteSocket's data).  luajit test_cluster_data.lua
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

math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
local pidfile = os.tmpname()
local port
for _ = 1, 20 do
  port = 20000 + math.random(0, 20000)
  local cmd = string.format("redis-server --port %d --bind 127.0.0.1 --save '' --appendonly no "
    .. "--daemonize yes --pidfile %s --logfile /dev/null", port, pidfile)
  if os.execute(cmd) == 0 then
    local up = false
    for _ = 1, 100 do
      if os.execute(string.format("redis-cli -p %d ping >/dev/null 2>&1", port)) == 0 then
        up = true
        break
      end
      os.execute("sleep 0.05")
    end
    if up then break end
  end
  port = nil
end
assert(port, "could not start redis-server")

local url = "redis://127.0.0.1:" .. port
local ups = 0
local a = sio.server({ host = "127.0.0.1", port = 0, adapter = url })
local b = sio.server({ host = "127.0.0.1", port = 0, adapter = url })
a:on("adapter_up", function() ups = ups + 1 end)
b:on("adapter_up", function() ups = ups + 1 end)

local on_a, on_b
a:on("connection", function(socket)
  on_a = socket
  socket.data = { user = "ann", seen = sio.array() }
  socket:on("seen", function(item, ack)
    socket.data.seen[#socket.data.seen + 1] = item -- a change, no assignment
    ack("ok")
  end)
end)
b:on("connection", function(socket)
  on_b = socket
  socket.data.node = "b"
end)

local opts = { transports = { "websocket" }, reconnection = false }
local ca = sio.connect("http://127.0.0.1:" .. a.port, opts)
local cb = sio.connect("http://127.0.0.1:" .. b.port, opts)

-- The data and remote flag server's fetch_sockets reports for socket id.
local function data_of(server, id)
  local found
  server:fetch_sockets(function(list) found = list end)
  wait_for(function() return found end, "fetch_sockets")
  for _, s in ipairs(found) do
    if s.id == id then
      return s.data, s.remote
    end
  end
  error("no socket " .. id)
end

test("both nodes are up, with a client each", function()
  wait_for(function() return ups == 2 and on_a and on_b end, "adapters and connections")
end)

test("each node sees the data the other's handlers set", function()
  local data, remote = data_of(b, on_a.id)
  equal(remote, true, "remote")
  same(data, { user = "ann", seen = {} }, "a's socket from b")
  data, remote = data_of(a, on_b.id)
  equal(remote, true, "remote")
  same(data, { node = "b" }, "b's socket from a")
end)

test("a change inside a handler reaches the other node", function()
  local answer
  ca:emit("seen", "x", function(v) answer = v end)
  wait_for(function() return answer end, "the ack")
  equal(answer, "ok", "ack")
  local data = data_of(b, on_a.id)
  same(data.seen, { "x" }, "the list as changed")
end)

test("an assignment outside handlers goes at once", function()
  on_b.data = { "replaced", 1.5 }
  local data = data_of(a, on_b.id)
  same(data, { "replaced", 1.5 }, "replaced")
end)

ca:close()
cb:close()
a:close()
b:close()
for _ = 1, 10 do sio.poll(10) end
os.execute(string.format("kill -9 $(cat %s) 2>/dev/null", pidfile))
os.remove(pidfile)
check.finish()
