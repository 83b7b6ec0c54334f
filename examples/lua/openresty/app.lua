-- The application of nginx.conf: a libsio server in one nginx worker, whose
-- handlers keep counters in a shared dictionary that every worker's HTTP
-- handlers can read.
local sio = require("sio")
local cjson = require("cjson")

local M = {}

-- From init_worker_by_lua: the Socket.IO server on 127.0.0.1:port (clients
-- come in through nginx's /socket.io/ location, or straight to the port),
-- pumped by a timer of this worker.
function M.start(port)
  local stats = ngx.shared.sio_stats
  local io = sio.server({ host = "127.0.0.1", port = port })
  io:on("connection", function(socket)
    stats:incr("connected", 1, 0)
    socket:on("hello", function(name, ack)
      stats:incr("greetings", 1, 0)
      stats:set("last_name", name)
      -- Handlers run in the worker's Lua VM: nginx's API is at hand.
      ack("hello " .. name .. " from nginx worker " .. ngx.worker.pid())
    end)
    socket:on("disconnect", function()
      stats:incr("connected", -1, 0)
    end)
  end)
  require("sio.ngx").pump({ interval = 0.005 }) -- seconds between pumps
end

-- The /stats location, in whichever worker takes the request.
function M.stats()
  local stats = ngx.shared.sio_stats
  ngx.say(cjson.encode({
    connected = stats:get("connected") or 0,
    greetings = stats:get("greetings") or 0,
    last_name = stats:get("last_name") or cjson.null,
  }))
end

return M
