-- What the nginx worker of nginx.test.mjs runs: a libsio server or a libsio
-- client, pumped from a timer. Handlers call nginx's own API, which proves
-- they run in the worker's Lua VM.
local sio = require("sio")
local sio_ngx = require("sio.ngx")

-- connected: sockets on the server; client: what the client saw so far.
local M = { connected = 0, client = {} }

-- A server on a free port, written to port_file for the test to read.
function M.start_server(port_file)
  local server = sio.server({ host = "127.0.0.1", port = 0 })
  server:on("connection", function(socket)
    M.connected = M.connected + 1
    socket:emit("welcome", { pid = ngx.worker.pid(), nginx = ngx.config.nginx_version })
    socket:on("echo", function(...)
      socket:emit("echo", ...)
    end)
    socket:on("hello", function(name, ack)
      ack("hello " .. name .. " from worker " .. ngx.worker.pid())
    end)
    socket:on("ask-me", function(question)
      socket:timeout(2000):emit("question", question, function(err, answer)
        socket:emit("answer-was", err, answer)
      end)
    end)
    -- emit_with_ack from a handler: it waits on a semaphore that a later
    -- tick of the pump's timer posts.
    socket:on("ask-await", function(question)
      local op = socket:timeout(2000)
      local ok, answer = pcall(op.emit_with_ack, op, "question", question)
      socket:emit("awaited", ok, answer)
    end)
    socket:on("disconnect", function()
      M.connected = M.connected - 1
    end)
  end)
  sio_ngx.pump({ interval = 0.005 })
  local f = assert(io.open(port_file .. ".tmp", "w"))
  f:write(server.port, "\n")
  f:close()
  assert(os.rename(port_file .. ".tmp", port_file))
end

-- A server on a fixed port through sio.ngx.serve, which outlives a reload;
-- each socket's "disconnect" is logged with its reason (the test reads
-- nginx's error log).
function M.serve(port)
  sio_ngx.serve({ host = "127.0.0.1", port = port }, function(server)
    server:on("connection", function(socket)
      socket:emit("welcome", { pid = ngx.worker.pid() })
      socket:on("disconnect", function(reason)
        ngx.log(ngx.NOTICE, "sio disconnect of ", ngx.worker.pid(), ": ", reason)
      end)
    end)
  end)
end

-- A client of the server at url (node_server.mjs) that greets it and records
-- the answers in M.client.
function M.start_client(url)
  local socket = sio.connect(url, { auth = { from = "nginx" }, transports = { "websocket" } })
  socket:on("auth", function(auth)
    M.client.auth = auth
  end)
  socket:on("connect", function()
    M.client.id = socket.id
    socket:emit("ack", "from nginx", ngx.worker.pid(), function(text, pid)
      M.client.ack = { text, pid }
    end)
  end)
  socket:on("connect_error", function(err)
    M.client.error = err.message
  end)
  sio_ngx.pump({ interval = 0.005 })
end

return M
