-- The libsio server inside the nginx worker of nginx.test.mjs. Handlers call
-- nginx's own API, which proves they run in the worker's Lua VM.
local sio = require("sio")
local sio_ngx = require("sio.ngx")

local M = { connected = 0 }

-- port_file receives the port the server listens on, for the test to read.
function M.start(port_file)
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

return M
