-- The msgpack parser: a server and a client in one program, both created
-- with parser = "msgpack" (the two sides must agree). The handlers are the
-- same as with JSON: only the bytes on the wire differ.
--   luajit examples/lua/msgpack.lua
local sio = require("sio")

local io = sio.server({ host = "127.0.0.1", port = 0, parser = "msgpack" })
io:on("connection", function(socket)
  socket:on("echo", function(text, blob, ack)
    ack(text:upper(), sio.binary(blob.data:reverse()))
  end)
end)

local socket = sio.connect("http://127.0.0.1:" .. io.port, { parser = "msgpack" })
socket:on("connect", function()
  socket:emit("echo", "hello", sio.binary("\1\2\3"), function(text, blob)
    print(text, table.concat({ blob.data:byte(1, -1) }, " ")) -- HELLO   3 2 1
    socket.io:close()
    io:close()
  end)
end)

io:run() -- pumps the server and the client: they share the default context
