-- How sio.lib finds and checks libsio, each case in a fresh LuaJIT process
-- (the library is loaded once per Lua state): the SIO_LIB override, an
-- explicit path, a library whose ABI major differs (built here from a
-- three-line C file).
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local check = require("check")
local test, equal = check.test, check.equal

local real = assert(os.getenv("SIO_LIB"), "SIO_LIB must name the libsio.so under test")
local lua_path = here .. "/../../bindings/lua/?.lua;;"

-- Runs code in a new luajit with SIO_LIB = sio_lib; returns its output.
local function run(sio_lib, code)
  local cmd = string.format("SIO_LIB='%s' LUA_PATH='%s' luajit -e '%s' 2>&1", sio_lib, lua_path, code)
  local p = assert(io.popen(cmd))
  local out = p:read("*a")
  p:close()
  return out
end

-- os.execute says 0 in Lua 5.1 style and true in 5.2 style.
local function sh(command)
  local status = os.execute(command)
  assert(status == 0 or status == true, "failed: " .. command)
end

local function contains(text, fragment, what)
  if not text:find(fragment, 1, true) then
    error(string.format("%s: %q lacks %q", what, text, fragment), 2)
  end
end

test("SIO_LIB names the library to load", function()
  equal(run(real, 'print(require("sio").library_path)'), real .. "\n", "path")
end)

test("an explicit path comes before SIO_LIB", function()
  local out = run("/nonexistent/libsio.so",
    string.format('require("sio.lib").load("%s"); print(require("sio").library_path)', real))
  equal(out, real .. "\n", "path")
end)

test("a library with another ABI major is refused", function()
  local dir = os.tmpname()
  os.remove(dir)
  sh("mkdir -p " .. dir)
  local src = dir .. "/other_major.c"
  local f = assert(io.open(src, "w"))
  f:write("unsigned sio_version(void) { return 0x7f0000; }\n")
  f:close()
  sh(string.format("cc -shared -fPIC -o %s/libsio.so %s", dir, src))
  local out = run(dir .. "/libsio.so", 'require("sio")')
  sh("rm -rf " .. dir)
  local major = require("sio.cdefs").macros.SIO_VERSION_MAJOR
  contains(out, "has ABI major 127, the binding needs " .. major, "refusal")
end)

check.finish()
