-- The test server of examples/TEST-SERVER.md written with the Lua binding, so
-- that the Node.js tests (ours and tests/interop's, through
-- SIO_TEST_SERVER="luajit tests/lua/test_server.lua") exercise it.
--   luajit tests/lua/test_server.lua [--port N] [--ping-interval MS] ...
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local ffi = require("ffi")
local signals = require("signals")
signals.block_termination()

local sio = require("sio")

local OPTIONS = {
  ["--port"] = "port",
  ["--host"] = "host",
  ["--tls-cert"] = "tls_cert",
  ["--tls-key"] = "tls_key",
  ["--ping-interval"] = "ping_interval",
  ["--ping-timeout"] = "ping_timeout",
  ["--connect-timeout"] = "connect_timeout",
  ["--max-http-buffer-size"] = "max_http_buffer_size",
  ["--cors-origin"] = "cors_origin",
  ["--transports"] = "transports",
  ["--allow-eio3"] = "allow_eio3",
  ["--parser"] = "parser",
  ["--serve-client"] = "serve_client",
  ["--max-queued-events"] = "max_queued_events",
  ["--headers-timeout"] = "headers_timeout",
  ["--request-timeout"] = "request_timeout",
  ["--allow-request"] = "allow_request",
  ["--connection-errors"] = "connection_errors",
  ["--cookie"] = "cookie",
  ["--initial-headers"] = "initial_headers",
  ["--headers"] = "headers",
  ["--recovery"] = "recovery",
  ["--per-message-deflate"] = "per_message_deflate",
  ["--per-message-deflate-threshold"] = "per_message_deflate_threshold",
  ["--http-compression"] = "http_compression",
  ["--http-compression-threshold"] = "http_compression_threshold",
}

local payload = require("sio.payload")

-- allowRequest: refused when the query has "deny" (its value is the message),
-- else accepted; "sticky" in the query adds X-Sticky to the handshake's
-- response.
local function allow_request(request)
  local query = request.query
  if query.deny then
    error(query.deny, 0)
  end
  if query.sticky then
    return { ["X-Sticky"] = query.sticky }
  end
  return true
end

local function parse_args(argv)
  local opts = { port = 3000 }
  local i = 1
  while i <= #argv do
    local key = OPTIONS[argv[i]]
    if argv[i] == "--reuse-port" then
      opts.reuse_port = true
      i = i + 1
    elseif not key or argv[i + 1] == nil then
      io.stderr:write("usage: test_server.lua [--option value]... [--reuse-port]\n")
      os.exit(2)
    else
      opts[key] = argv[i + 1]
      i = i + 2
    end
  end
  if opts.tls_cert or opts.tls_key then
    opts.tls = { cert = opts.tls_cert, key = opts.tls_key }
    opts.tls_cert, opts.tls_key = nil, nil
  end
  if opts.cors_origin then
    opts.cors = { origin = opts.cors_origin }
    opts.cors_origin = nil
  end
  opts.allow_request = opts.allow_request == "true" and allow_request or nil
  for _, key in ipairs({ "initial_headers", "headers" }) do
    if opts[key] then
      opts[key] = payload.decode(opts[key])
    end
  end
  if opts.recovery then
    opts.connection_state_recovery = { max_disconnection_duration = opts.recovery }
    opts.recovery = nil
  end
  -- A threshold is given as engine.io takes it: { threshold = bytes }.
  for _, key in ipairs({ "per_message_deflate", "http_compression" }) do
    local threshold = opts[key .. "_threshold"]
    if threshold and opts[key] ~= "false" then
      opts[key] = { threshold = tonumber(threshold) }
    end
    opts[key .. "_threshold"] = nil
  end
  return opts
end

local opts = parse_args(arg)
local record_connection_errors = opts.connection_errors == "true"
opts.connection_errors = nil
local server = sio.server(opts)

-- {code, message, context, method, url} of each connection_error, oldest first.
local connection_errors = sio.array()
if record_connection_errors then
  server:on("connection_error", function(err)
    local req = err.req or {}
    connection_errors[#connection_errors + 1] = { code = err.code, message = err.message,
      context = err.context, method = req.method, url = req.url }
  end)
end
server:on("events_lost", function(count)
  io.stderr:write("test_server: ", count, " events lost\n")
end)

-- [id, reason] pairs per namespace name, oldest first.
local disconnects = {}
-- Acks kept by hold-ack until release-ack names their key.
local held_acks = {}

-- Splits the acknowledgement callback (when the client asked for one) from
-- the arguments; returns the arguments as a list, their count, and the ack.
local function split_ack(...)
  local n = select("#", ...)
  local args = { ... }
  if n > 0 and type(args[n]) == "function" then
    local ack = args[n]
    args[n] = nil
    return args, n - 1, ack
  end
  return args, n, function() end
end

local function sorted_rooms(rooms)
  local list = sio.array()
  for room in pairs(rooms) do
    list[#list + 1] = room
  end
  table.sort(list)
  return list
end

local function rest(args, first, n)
  return unpack(args, first, n)
end

-- The arguments as a JSON array, nil kept as null.
local function list_of(...)
  local list = sio.array()
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if v == nil then
      v = sio.null
    end
    list[i] = v
  end
  return list
end

local function install_handlers(socket)
  local nsp = socket.nsp
  local function on(event, handler)
    socket:on(event, function(...)
      handler(split_ack(...))
    end)
  end

  socket:emit("auth", socket.handshake.auth or {})
  if type(socket.handshake.auth) == "table" and socket.handshake.auth.handshake == true then
    local hs = socket.handshake
    socket:emit("handshake", { query = hs.query, headers = hs.headers, url = hs.url, secure = hs.secure })
  end
  if type(socket.handshake.auth) == "table" and socket.handshake.auth.upgrades == true then
    socket.conn:on("upgrade", function(name)
      socket:emit("upgrade", name)
    end)
  end
  socket:on("disconnect", function(reason)
    disconnects[nsp.name] = disconnects[nsp.name] or sio.array()
    table.insert(disconnects[nsp.name], { socket.id, reason })
  end)

  on("echo-uncompressed", function(args, n)
    socket:compress(false):emit("echo", unpack(args, 1, n))
  end)
  on("echo", function(args, n)
    socket:emit("echo", unpack(args, 1, n))
  end)
  on("ack", function(args, n, ack)
    ack(unpack(args, 1, n))
  end)
  on("bcast", function(args, n)
    nsp:emit("bcast", unpack(args, 1, n))
  end)
  on("message", function(args, n)
    socket:emit("message-back", unpack(args, 1, n))
  end)
  on("message-with-ack", function(args, n, ack)
    ack(unpack(args, 1, n))
  end)
  -- emit(42) arrives as the name "42"
  on("42", function(args, n, ack)
    ack(unpack(args, 1, n))
  end)
  on("join", function(args, _, ack)
    socket:join(args[1])
    ack(sorted_rooms(socket.rooms))
  end)
  on("leave", function(args, _, ack)
    socket:leave(args[1])
    ack(sorted_rooms(socket.rooms))
  end)
  on("to", function(args, n)
    nsp:to(args[1]):emit(args[2], rest(args, 3, n))
  end)
  on("to-except", function(args, n)
    local target = args[1] == nil and nsp:except(args[2]) or nsp:to(args[1]):except(args[2])
    target:emit(args[3], rest(args, 4, n))
  end)
  on("broadcast", function(args, n)
    socket.broadcast:emit(args[1], rest(args, 2, n))
  end)
  on("socket-to", function(args, n)
    socket:to(args[1]):emit(args[2], rest(args, 3, n))
  end)
  on("of", function(args, n)
    server:of(args[1]):emit(args[2], rest(args, 3, n))
  end)
  on("volatile", function(args, n)
    socket.volatile:emit(args[1], rest(args, 2, n))
  end)
  on("volatile-to", function(args, n)
    nsp.volatile:to(args[1]):emit(args[2], rest(args, 3, n))
  end)
  on("hold-ack", function(args, _, ack)
    held_acks[args[1]] = ack
  end)
  on("release-ack", function(args, n)
    local ack = held_acks[args[1]]
    held_acks[args[1]] = nil
    if ack then
      ack(rest(args, 2, n))
    end
  end)
  -- socket:timeout(ms):emit(event, ...) whose result goes out as reply.
  local function server_ack(reply, args, first, n)
    local fwd = { rest(args, first + 2, n) }
    local count = n - first
    fwd[count] = function(err, ...)
      socket:emit(reply, err, list_of(...))
    end
    socket:timeout(args[first]):emit(args[first + 1], unpack(fwd, 1, count))
  end
  on("server-ack", function(args, n)
    server_ack("server-ack-result", args, 1, n)
  end)
  on("server-ack-reply", function(args, n)
    server_ack(args[1], args, 2, n)
  end)
  on("broadcast-ack", function(args, n)
    local fwd = { rest(args, 3, n) }
    fwd[n - 1] = function(err, responses)
      socket:emit("broadcast-ack-result", err, sio.array(responses))
    end
    nsp:timeout(args[1]):emit(args[2], unpack(fwd, 1, n - 1))
  end)
  on("fetch", function(_, _, ack)
    nsp:fetch_sockets(function(sockets)
      local list = sio.array()
      for i, s in ipairs(sockets) do
        list[i] = { id = s.id, rooms = sorted_rooms(s.rooms) }
      end
      table.sort(list, function(a, b) return a.id < b.id end)
      ack(list)
    end)
  end)
  on("set-data", function(args, _, ack)
    socket.data = args[1]
    ack()
  end)
  on("fetch-data", function(_, _, ack)
    nsp:fetch_sockets(function(sockets)
      local list = sio.array()
      for i, s in ipairs(sockets) do
        local data = s.data
        if data == nil then
          data = sio.null
        end
        list[i] = { id = s.id, data = data }
      end
      table.sort(list, function(a, b) return a.id < b.id end)
      ack(list)
    end)
  end)
  on("sockets-join", function(args, _, ack)
    nsp:sockets_join(args[1])
    ack()
  end)
  on("sockets-leave", function(args, _, ack)
    nsp:sockets_leave(args[1])
    ack()
  end)
  on("disconnect-room", function(args)
    nsp:to(args[1]):disconnect_sockets(args[2] == true)
  end)
  on("disconnect-me", function(args)
    socket:disconnect(args[1] == true)
  end)
  on("transport", function(_, _, ack)
    ack(socket.conn.transport)
  end)
  on("last-connection-errors", function(_, _, ack)
    ack(connection_errors)
  end)
  on("recovered", function(_, _, ack)
    ack(socket.recovered)
  end)
  on("last-disconnects", function(_, _, ack)
    ack(disconnects[nsp.name] or sio.array())
  end)
end

server:of("/"):on("connection", install_handlers)
server:of("/custom"):on("connection", install_handlers)
local private = server:of("/private")
private:use(function(socket, next)
  local auth = socket.handshake.auth
  if type(auth) == "table" and auth.token == "secret" then
    return next()
  end
  next(sio.error("not authorized", { reason = "bad token" }))
end)
private:on("connection", install_handlers)
server:of(function(name)
  return name:sub(1, 5) == "/dyn-"
end):on("connection", install_handlers)

io.stdout:write("listening on ", server.port, "\n")
io.stdout:flush()

-- Clients see "io server disconnect" first; a polling client that stopped
-- polling never lets the close finish, hence a bound on the pumps after it.
local PUMP_WAIT_MS = 50
local SHUTDOWN_PUMPS = 10

ffi.cdef("int poll(void *fds, unsigned long nfds, int timeout);")

-- SIGUSR1 stops pumping (the back-pressure tests), SIGUSR2 resumes it.
local paused = false
while not signals.termination_pending() do
  local change = signals.take_pause_signal()
  if change then
    paused = change == "pause"
  end
  if paused then
    ffi.C.poll(nil, 0, PUMP_WAIT_MS)
  else
    server:poll(PUMP_WAIT_MS)
  end
end
for _, nsp in pairs(server.nsps) do
  nsp:disconnect_sockets(false)
end
server:close()
for _ = 1, SHUTDOWN_PUMPS do
  if server.closed then
    break
  end
  server:poll(PUMP_WAIT_MS)
end
os.exit(0)
