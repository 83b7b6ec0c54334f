-- A Socket.IO server in plain LuaJIT: events, acknowledgements, binary,
-- rooms and broadcasts, a middleware that refuses, acks with a timeout,
-- fetch_sockets and disconnect_sockets.
--   luajit examples/lua/echo_server.lua [port]     (default 3000, 0: any free port)
-- A browser or Node.js client:
--   const socket = io("http://localhost:3000", { auth: { name: "ada" } });
--   socket.emit("sum", [1, 2, 3], (total) => console.log(total));   // 6
local sio = require("sio")

local io = sio.server({ port = tonumber(arg[1]) or 3000, cors = { origin = "*" } })

-- Runs before a socket joins "/". next(err) refuses it: the client's
-- connect_error carries the message, and err.data the table.
io:use(function(socket, next)
  local name = socket.handshake.auth.name
  if type(name) ~= "string" or name == "" then
    return next(sio.error("a name is required", { field = "auth.name" }))
  end
  socket.data.name = name -- socket.data is the application's
  next()
end)

io:on("connection", function(socket)
  local name = socket.data.name
  socket:join("lobby")
  socket:emit("welcome", "hello " .. name, socket.id)
  socket.broadcast:emit("joined", name) -- everyone else

  -- Sends back whatever came, binary included (it arrives as sio.binary).
  socket:on("echo", function(...)
    socket:emit("echo", ...)
  end)

  -- A client that passed a callback gets `ack` as the last argument.
  socket:on("sum", function(numbers, ack)
    local total = 0
    for _, n in ipairs(numbers) do
      total = total + n
    end
    ack(total)
  end)

  socket:on("reverse", function(blob, ack)
    ack(sio.binary(blob.data:reverse()))
  end)

  -- To the room, except the sender.
  socket:on("chat", function(text)
    socket:to("lobby"):emit("chat", name, text)
  end)

  -- Asks every client and collects the answers that come within a second;
  -- err is set when some did not answer in time.
  socket:on("survey", function(question, ack)
    io:timeout(1000):emit("question", question, function(err, answers)
      ack(err, answers)
    end)
  end)

  -- Asks this client; err is "operation has timed out" past 500 ms.
  socket:on("call-me", function(ack)
    socket:timeout(500):emit("are-you-there", function(err, reply)
      ack(err or reply)
    end)
  end)

  socket:on("who", function(ack)
    io:fetch_sockets(function(sockets)
      local names = {}
      for _, s in ipairs(sockets) do
        names[#names + 1] = s.data.name
      end
      table.sort(names)
      ack(names)
    end)
  end)

  -- Disconnects everyone in the lobby but the sender.
  socket:on("kick-others", function()
    io:to("lobby"):except(socket.id):disconnect_sockets(true)
  end)

  socket:on("disconnect", function(reason)
    print(name .. " left: " .. reason)
  end)
end)

print("listening on " .. io.port)
io:run()
