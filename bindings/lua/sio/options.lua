-- Lua option tables -> a core sio_options builder. The core's keys are the
-- JavaScript option names: snake_case keys become camelCase, nested tables
-- dotted keys (cors = { origin = ... } -> "cors.origin"), lists
-- comma-separated values, booleans "true"/"false" (allow_eio3 becomes
-- "allowEIO3").
local ffi = require("ffi")
local lib = require("sio.lib")

local C = lib.load()
local M = {}

-- Keys whose JavaScript name is no plain camelCase of theirs.
local RENAMED = { allow_eio3 = "allowEIO3", adapter_key = "adapter.key",
  adapter_requests_timeout = "adapter.requestsTimeout", adapter_sharded = "adapter.sharded",
  adapter_subscription_mode = "adapter.subscriptionMode" }

local function camel_case(key)
  return RENAMED[key] or (key:gsub("_(%l)", string.upper))
end

-- encoders: optional { [lua_key] = function(value) -> string } for values
-- that the core takes in another form (a JSON object, say).
local function flatten(opts, prefix, encoders, out)
  for k, v in pairs(opts) do
    local key = prefix .. camel_case(k)
    local encode = prefix == "" and encoders[k]
    if encode then
      out[key] = encode(v)
    elseif type(v) == "table" then
      if #v > 0 then
        out[key] = table.concat(v, ",")
      else
        flatten(v, key .. ".", encoders, out)
      end
    elseif type(v) == "boolean" then
      out[key] = v and "true" or "false"
    else
      out[key] = tostring(v)
    end
  end
  return out
end

-- The core's key/value strings for a Lua option table.
function M.strings(opts, encoders)
  return flatten(opts, "", encoders or {}, {})
end

-- Sets one core key of a sio_options; a bad value raises an error naming it.
function M.set(o, key, value)
  if C.sio_options_set(o, key, value) < 0 then
    error(string.format("option %s = %q: %s", key, value,
      ffi.string(C.sio_last_error())), 3)
  end
end

-- A sio_options (freed by the GC) holding opts; an unknown key or a bad value
-- raises an error that names it.
function M.build(opts, encoders)
  local out = ffi.new("sio_options*[1]")
  lib.check(C.sio_options_new(out), "sio_options_new")
  local o = ffi.gc(out[0], C.sio_options_free)
  for key, value in pairs(M.strings(opts, encoders)) do
    M.set(o, key, value)
  end
  return o
end

-- Whether the loaded core takes key (a core key such as "reusePort") with
-- value: keys added in later minor versions may be missing from this one.
function M.known(key, value)
  local out = ffi.new("sio_options*[1]")
  lib.check(C.sio_options_new(out), "sio_options_new")
  local ok = C.sio_options_set(out[0], key, value) == 0
  C.sio_options_free(out[0])
  return ok
end

return M
