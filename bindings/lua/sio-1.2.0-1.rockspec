-- The Lua files of the binding, installed from a checkout with
--   luarocks make bindings/lua/sio-1.2.0-1.rockspec
-- run in the repository root (make does not fetch source.url). libsio.so
-- itself comes from the project's CMake build; see README.md.
rockspec_format = "3.0"
package = "sio"
version = "1.2.0-1"
source = {
  url = "git+file://.",
  tag = "v1.2.0",
}
description = {
  summary = "Socket.IO v5 server and client for LuaJIT and OpenResty over libsio",
}
supported_platforms = { "linux" }
dependencies = {
  "lua == 5.1",
  "lua-cjson",
}
build = {
  type = "builtin",
  modules = {
    ["sio"] = "bindings/lua/sio.lua",
    ["sio.acks"] = "bindings/lua/sio/acks.lua",
    ["sio.cdefs"] = "bindings/lua/sio/cdefs.lua",
    ["sio.client"] = "bindings/lua/sio/client.lua",
    ["sio.client_socket"] = "bindings/lua/sio/client_socket.lua",
    ["sio.context"] = "bindings/lua/sio/context.lua",
    ["sio.emitter"] = "bindings/lua/sio/emitter.lua",
    ["sio.event"] = "bindings/lua/sio/event.lua",
    ["sio.kept_data"] = "bindings/lua/sio/kept_data.lua",
    ["sio.lib"] = "bindings/lua/sio/lib.lua",
    ["sio.namespace"] = "bindings/lua/sio/namespace.lua",
    ["sio.ngx"] = "bindings/lua/sio/ngx.lua",
    ["sio.operator"] = "bindings/lua/sio/operator.lua",
    ["sio.options"] = "bindings/lua/sio/options.lua",
    ["sio.payload"] = "bindings/lua/sio/payload.lua",
    ["sio.server"] = "bindings/lua/sio/server.lua",
    ["sio.socket"] = "bindings/lua/sio/socket.lua",
  },
}
