-- Loads libsio.so once per Lua state and checks that it implements the ABI of
-- the header the FFI declarations were generated from: the same major, and at
-- least that minor (a minor only adds to the ABI).
--
-- Where it looks, first match wins:
--   1. the path given to load(path), called before require("sio");
--   2. the SIO_LIB environment variable;
--   3. libsio.so in every package.cpath folder (where `make install` of a Lua
--      package would put it);
--   4. the dynamic linker's own search (LD_LIBRARY_PATH, ld.so.conf);
--   5. /usr/local/lib, where `cmake --install` puts it, for when ldconfig has
--      not run since.
local ffi = require("ffi")
local cdefs = require("sio.cdefs")

local M = { macros = cdefs.macros }

ffi.cdef(cdefs.cdef)

local function file_exists(path)
  local f = io.open(path, "rb")
  if f then
    f:close()
    return true
  end
  return false
end

local function candidates(path)
  local list = {}
  if path then
    list[#list + 1] = path
  end
  local env = os.getenv("SIO_LIB")
  if env and env ~= "" then
    list[#list + 1] = env
  end
  for template in package.cpath:gmatch("[^;]+") do
    local file = template:gsub("%?", "libsio")
    if file_exists(file) then
      list[#list + 1] = file
    end
  end
  local soname = "libsio.so." .. cdefs.macros.SIO_VERSION_MAJOR
  list[#list + 1] = soname
  list[#list + 1] = "sio"
  list[#list + 1] = "/usr/local/lib/" .. soname
  return list
end

-- nil when a library of version found (0xMMmmpp, as sio_version() gives it)
-- has what the header needs; otherwise why not.
function M.incompatibility(found)
  local major = math.floor(found / 65536)
  local minor = math.floor(found / 256) % 256
  local need_major, need_minor = cdefs.macros.SIO_VERSION_MAJOR, cdefs.macros.SIO_VERSION_MINOR
  if major ~= need_major or minor < need_minor then
    return string.format("has ABI %d.%d, the binding needs %d.%d or a later %d.x",
      major, minor, need_major, need_minor, need_major)
  end
  return nil
end

local function check_version(C, where)
  local why = M.incompatibility(C.sio_version())
  if why then
    error(string.format("libsio at %s %s", where, why), 3)
  end
end

-- Returns the loaded library (an FFI namespace); later calls return the same
-- one whatever path they pass.
function M.load(path)
  if M.C then
    return M.C
  end
  local failures = {}
  for _, where in ipairs(candidates(path)) do
    local ok, C = pcall(ffi.load, where)
    if ok then
      check_version(C, where)
      M.C = C
      M.path = where
      return C
    end
    failures[#failures + 1] = "  " .. where .. ": " .. tostring(C)
  end
  error("libsio not found; set SIO_LIB to the path of libsio.so. Tried:\n"
    .. table.concat(failures, "\n"), 2)
end

-- Raises a Lua error for a negative return code, with the library's message
-- for the failed call; returns rc otherwise.
function M.check(rc, what)
  if rc < 0 then
    local C = M.C
    error(string.format("%s: %s (%s)", what, ffi.string(C.sio_last_error()),
      ffi.string(C.sio_strerror(rc))), 3)
  end
  return rc
end

return M
