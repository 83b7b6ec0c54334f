-- How sio.lib finds and checks libsio, each case in a fresh LuaJIT process
-- (the library is loaded once per Lua state): the SIO_LIB override, an
-- explicit path, a library whose ABI major differs or whose minor is older
-- than the header's (built here from a one-line C file), a newer minor.
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

local macros = require("sio.cdefs").macros
local MAJOR, MINOR = macros.SIO_VERSION_MAJOR, macros.SIO_VERSION_MINOR
local NEEDS = string.format("the binding needs %d.%d or a later %d.x", MAJOR, MINOR, MAJOR)

-- Loads, in a new luajit, a library whose sio_version() returns version;
-- before, prelude runs (it may change the header's macros the binding saw).
local function load_version(version, prelude)
  local dir = os.tmpname()
  os.remove(dir)
  sh("mkdir -p " .. dir)
  local src = dir .. "/version.c"
  local f = assert(io.open(src, "w"))
  f:write(string.format("unsigned sio_version(void) { return 0x%06x; }\n", version))
  f:close()
  sh(string.format("cc -shared -fPIC -o %s/libsio.so %s", dir, src))
  local out = run(dir .. "/libsio.so", (prelude or "") .. 'require("sio.lib").load(); print("loaded")')
  sh("rm -rf " .. dir)
  return out
end

test("a library with another ABI major is refused", function()
  contains(load_version(0x7f0000), "has ABI 127.0, " .. NEEDS, "refusal")
  contains(load_version((MAJOR + 1) * 65536 + MINOR * 256), "has ABI " .. (MAJOR + 1), "next major")
end)

test("a library older than the header's minor is refused, a newer one loads", function()
  -- The header of a later minor, as if cdefs.lua came from it.
  local later = 'require("sio.cdefs").macros.SIO_VERSION_MINOR = ' .. (MINOR + 1) .. "; "
  local out = load_version(MAJOR * 65536 + MINOR * 256 + 9, later)
  contains(out, string.format("has ABI %d.%d, the binding needs %d.%d", MAJOR, MINOR, MAJOR, MINOR + 1),
    "older minor")
  equal(load_version(MAJOR * 65536 + (MINOR + 1) * 256), "loaded\n", "newer minor")
  equal(load_version(MAJOR * 65536 + MINOR * 256 + 3), "loaded\n", "same minor, any patch")
end)

check.finish()
