-- A Socket.IO client in plain LuaJIT, for echo_server.lua (or any server with
-- its events): acknowledgements, binary, an ack with a timeout, answering
-- the server's own ack request, and the reconnection events.
--   luajit examples/lua/client.lua [url]     (default http://127.0.0.1:3000)
local sio = require("sio")

local socket = sio.connect(arg[1] or "http://127.0.0.1:3000", {
  auth = { name = "lua" },
  reconnection_attempts = 3, -- then "reconnect_failed"
  reconnection_delay = 500, -- ms
})
local finished, failed = false, false

socket:on("welcome", function(text)
  print("welcome: " .. text)
end)

-- The server's socket:timeout(ms):emit("are-you-there", cb) waits for this.
socket:on("are-you-there", function(ack)
  ack("yes")
end)

-- Closes once the four answers below have come.
local waiting = 4
local function answered(what)
  print(what)
  waiting = waiting - 1
  if waiting == 0 then
    socket.io:close() -- leaves every namespace; "disconnect" follows
  end
end

socket:on("connect", function()
  print("connected as " .. socket.id)
  socket:emit("sum", { 1, 2, 3 }, function(total)
    answered("sum: " .. total)
  end)
  socket:emit("reverse", sio.binary("\1\2\3"), function(blob)
    answered("reversed: " .. table.concat({ blob.data:byte(1, -1) }, " "))
  end)
  socket:emit("call-me", function(reply)
    answered("call-me: " .. reply)
  end)
  -- With timeout(), the callback gets an error (or nil) first.
  socket:timeout(2000):emit("who", function(err, names)
    answered("who: " .. (err or table.concat(names, ", ")))
  end)
end)

socket:on("connect_error", function(err)
  print("connect_error: " .. err.message)
end)

socket:on("disconnect", function(reason)
  print("disconnected: " .. reason)
  finished = not socket.active -- no further attempt (SIO_EVF_FINAL)
end)

-- socket.io is the Manager: the connection and its reconnection.
socket.io:on("reconnect_attempt", function(attempt)
  print("reconnect_attempt " .. attempt)
end)
socket.io:on("reconnect_error", function(err)
  print("reconnect_error: " .. err.message)
end)
socket.io:on("reconnect", function(attempt)
  print("reconnected after " .. attempt .. " attempt(s)")
end)
socket.io:on("reconnect_failed", function()
  print("reconnect_failed")
  finished, failed = true, true
end)

while not finished do
  sio.poll(-1) -- runs the handlers of this process's servers and clients
end
os.exit(failed and 1 or 0)
