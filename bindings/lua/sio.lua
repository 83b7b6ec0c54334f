-- libsio for LuaJIT and OpenResty: a Socket.IO v5 server and client over the
-- C core, through the FFI. Nothing runs behind the host's back:
-- handlers run inside io:poll() / io:run() / sio.poll(), in the caller's
-- coroutine, or from the nginx timer that sio.ngx starts.
--
--   local sio = require("sio")
--   local io = sio.server{ port = 3000, cors = { origin = "*" } }
--   io:on("connection", function(socket)
--     socket:on("echo", function(msg, ack) ack(msg) end)
--   end)
--   io:run()
--
--   local socket = sio.connect("http://127.0.0.1:3000/", { auth = { token = "t" } })
--   socket:on("connect", function() socket:emit("echo", "hi", print) end)
--   while true do sio.poll(-1) end
local ffi = require("ffi")
local lib = require("sio.lib")
local payload = require("sio.payload")
local context = require("sio.context")
local server = require("sio.server")
local client = require("sio.client")

local C = lib.load()

local M = {
  version = ffi.string(C.sio_version_string()),
  library_path = lib.path,

  binary = payload.binary,
  is_binary = payload.is_binary,
  array = payload.array,
  null = payload.null,

  server = server.new,
  connect = client.connect,
  context = context.new,
}

-- A middleware refusal with data: next(sio.error("not authorized", {...})).
function M.error(message, data)
  return { message = message, data = data }
end

-- Pumps the shared default context: every server and client that was created
-- without a context of its own.
function M.poll(timeout_ms, max_events)
  return context.default():poll(timeout_ms or 0, max_events)
end

return M
