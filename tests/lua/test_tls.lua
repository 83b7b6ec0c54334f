-- sio.server{ host =, reuse_port =, tls = { cert =, key = } }: the Lua client
-- (tls = { ca = }) over HTTPS on each transport, handshake.secure, files that
-- do not load, names and IPv6, two servers on one port:  luajit test_tls.lua
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local check = require("check")
local sio = require("sio")

local test, equal = check.test, check.equal
local wait_for = check.waiter(sio)

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p " .. dir))
local cert, key = dir .. "/cert.pem", dir .. "/key.pem"
assert(os.execute("openssl req -x509 -newkey rsa:2048 -nodes -keyout " .. key .. " -out " .. cert
  .. " -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1"))

local server = sio.server({ host = "127.0.0.1", port = 0, tls = { cert = cert, key = key } })
local secure = {}
server:on("connection", function(socket)
  secure[#secure + 1] = socket.handshake.secure
  socket:on("echo", function(text) socket:emit("echo", text) end)
end)

for _, transport in ipairs({ "polling", "websocket" }) do
  test(transport .. ": the Lua client connects over TLS, handshake.secure is true", function()
    local client = sio.connect("https://localhost:" .. server.port,
      { transports = { transport }, reconnection = false, tls = { ca = cert } })
    local refused
    client:on("connect_error", function(err) refused = err.message end)
    wait_for(function() return client.connected or refused end, "connect")
    equal(refused, nil, "connect_error")
    wait_for(function() return #secure > 0 end, "the connection")
    equal(table.remove(secure), true, "handshake.secure")
    local echoed
    client:on("echo", function(text) echoed = text end)
    client:emit("echo", "over tls")
    wait_for(function() return echoed end, "the echo")
    equal(echoed, "over tls", "echo")
    client.io:close()
  end)
end

test("certificate files that do not load fail with the reason", function()
  local ok, err = pcall(sio.server, { host = "127.0.0.1", port = 0, tls = { cert = "/nonexistent.pem", key = key } })
  equal(ok, false, "created")
  equal(tostring(err):find("tls.cert: cannot load /nonexistent.pem", 1, true) ~= nil, true, tostring(err))
  ok, err = pcall(sio.server, { host = "127.0.0.1", port = 0, tls = { cert = cert } })
  equal(ok, false, "created without a key")
  equal(tostring(err):find("tls.cert and tls.key go together", 1, true) ~= nil, true, tostring(err))
end)

test("host names and IPv6", function()
  for _, host in ipairs({ "localhost", "::1" }) do
    local s = sio.server({ host = host, port = 0 })
    equal(s.port > 0, true, host)
    s:close()
  end
  local ok, err = pcall(sio.server, { host = "no-such-host.invalid", port = 0 })
  equal(ok, false, "created")
  equal(tostring(err):find("getaddrinfo ENOTFOUND no-such-host.invalid", 1, true) ~= nil, true, tostring(err))
end)

test("reuse_port: two servers on one port; without it EADDRINUSE", function()
  local a = sio.server({ host = "127.0.0.1", port = 0, reuse_port = true })
  local b = sio.server({ host = "127.0.0.1", port = a.port, reuse_port = true })
  equal(b.port, a.port, "port")
  local ok, err = pcall(sio.server, { host = "127.0.0.1", port = a.port })
  equal(ok, false, "created")
  local want = "listen EADDRINUSE: address already in use 127.0.0.1:" .. a.port
  equal(tostring(err):find(want, 1, true) ~= nil, true, tostring(err))
  a:close()
  b:close()
end)

server:close()
os.execute("rm -rf " .. dir)
check.finish()
