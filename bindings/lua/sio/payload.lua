-- Converts between Lua values and the ABI's payload form: the JSON text of the
-- argument array plus binary attachments, {"_placeholder":true,"num":N}
-- marking where attachment N goes.
--
-- Binary values travel as sio.binary(s) wrappers both ways, so a Lua string is
-- always text and a wrapper always binary. JSON null is nil at the top level
-- (handlers get it as a missing argument) and sio.null (cjson.null) inside
-- tables, which cannot hold nil.
local ffi = require("ffi")
require("sio.lib") -- declares sio_buf

-- A private instance: the application's cjson settings do not leak in.
local json = require("cjson").new()

local M = {}

M.null = json.null

local binary_mt = { __name = "sio.binary" }
binary_mt.__index = binary_mt
function binary_mt.__len(b)
  return #b.data
end
function binary_mt.__eq(a, b)
  return a.data == b.data
end
function binary_mt.__tostring(b)
  return "sio.binary(" .. #b.data .. " bytes)"
end

-- Wraps a Lua string so that it is sent as binary; .data is the string.
function M.binary(s)
  if type(s) ~= "string" then
    error("sio.binary expects a string, got " .. type(s), 2)
  end
  return setmetatable({ data = s }, binary_mt)
end

function M.is_binary(v)
  return getmetatable(v) == binary_mt
end

-- Marks a table as a JSON array, which matters only when it is empty (an
-- empty plain table is sent as {}).
local array_mt = { __name = "sio.array" }
function M.array(t)
  return setmetatable(t or {}, array_mt)
end

local function is_array(t)
  if getmetatable(t) == array_mt then
    return true
  end
  local n = #t
  if n == 0 then
    return false
  end
  local count = 0
  for _ in pairs(t) do
    count = count + 1
  end
  return count == n
end

local MAX_EXACT_INTEGER = 2 ^ 53

-- The shortest text that reads back as the same double (lua-cjson keeps only
-- 14 digits); like JavaScript's JSON.stringify, null for NaN and infinities.
local function encode_number(v)
  if v ~= v or v == math.huge or v == -math.huge then
    return "null"
  end
  if v == math.floor(v) and math.abs(v) < MAX_EXACT_INTEGER then
    return string.format("%d", v)
  end
  local short = string.format("%.15g", v)
  if tonumber(short) == v then
    return short
  end
  return string.format("%.17g", v)
end

-- Appends the JSON of v to out, moving binary wrappers into bins.
local function encode_value(v, bins, out)
  local kind = type(v)
  if kind == "number" then
    out[#out + 1] = encode_number(v)
  elseif kind ~= "table" then
    out[#out + 1] = json.encode(v)
  elseif getmetatable(v) == binary_mt then
    out[#out + 1] = '{"_placeholder":true,"num":' .. #bins .. "}"
    bins[#bins + 1] = v.data
  elseif is_array(v) then
    out[#out + 1] = "["
    for i = 1, #v do
      if i > 1 then
        out[#out + 1] = ","
      end
      encode_value(v[i], bins, out)
    end
    out[#out + 1] = "]"
  else
    out[#out + 1] = "{"
    local first = true
    for k, x in pairs(v) do
      if not first then
        out[#out + 1] = ","
      end
      first = false
      out[#out + 1] = json.encode(tostring(k))
      out[#out + 1] = ":"
      encode_value(x, bins, out)
    end
    out[#out + 1] = "}"
  end
end

-- args[1..n] (nil allowed) -> JSON array text, list of attachment strings.
function M.encode(args, n)
  local out, bins = { "[" }, {}
  for i = 1, n do
    if i > 1 then
      out[#out + 1] = ","
    end
    local v = args[i]
    if v == nil then
      out[#out + 1] = "null"
    else
      encode_value(v, bins, out)
    end
  end
  out[#out + 1] = "]"
  return table.concat(out), bins
end

-- The JSON text of one value (connect-error data, for instance), where no
-- attachments can travel.
function M.json(v)
  local out, bins = {}, {}
  encode_value(v, bins, out)
  if #bins > 0 then
    error("binary values cannot be sent here", 3)
  end
  return table.concat(out)
end

-- A list of attachment strings -> sio_buf array (or nil) and its count. The
-- strings must stay referenced until the call that uses the array returns.
function M.buffers(bins)
  local n = #bins
  if n == 0 then
    return nil, 0
  end
  local bufs = ffi.new("sio_buf[?]", n)
  for i = 1, n do
    bufs[i - 1].data = bins[i]
    bufs[i - 1].len = #bins[i]
  end
  return bufs, n
end

-- lua-cjson decodes [] and {} alike into an empty table. So that an empty
-- array comes back as one (sio.array()), each [] outside strings is rewritten
-- to an array holding a marker string before decoding, and the marked arrays
-- are emptied again afterwards. The marker starts with NUL, which JSON text
-- can only carry escaped, so no ordinary string is mistaken for it except one
-- crafted for the purpose, which then becomes an empty array: harmless.
local EMPTY_MARK = "\0sio:empty-array"
local EMPTY_MARK_JSON = '["\\u0000sio:empty-array"]'

local function mark_empty_arrays(text)
  local out, copied, i = {}, 1, 1
  while true do
    local at = text:find('["%[]', i)
    if not at then
      break
    end
    if text:byte(at) == 34 then
      -- Skip the string, escapes included.
      local j = at + 1
      while true do
        local q = text:find('["\\]', j)
        if not q then
          return text -- unterminated: cjson will say so
        end
        if text:byte(q) == 92 then
          j = q + 2
        else
          i = q + 1
          break
        end
      end
    else
      local after = text:match("^%[%s*%]()", at)
      if after then
        out[#out + 1] = text:sub(copied, at - 1)
        out[#out + 1] = EMPTY_MARK_JSON
        copied = after
        i = after
      else
        i = at + 1
      end
    end
  end
  out[#out + 1] = text:sub(copied)
  return table.concat(out)
end

-- Puts the attachments in place of their placeholders and empties the
-- marked arrays.
local function restore(v, bins)
  if type(v) ~= "table" then
    return v
  end
  if v._placeholder == true and type(v.num) == "number" and bins[v.num + 1] then
    return bins[v.num + 1]
  end
  if v[1] == EMPTY_MARK and #v == 1 then
    return M.array()
  end
  for k, x in pairs(v) do
    v[k] = restore(x, bins)
  end
  return v
end

-- Whether text holds a "[" followed by optional spaces and "]" (inside a
-- string too: a false positive only costs the marking pass). A plain find per
-- "[" instead of one pattern over the whole text: the pattern matcher tries
-- every byte, which on a 16 KiB string took longer than decoding it.
local function has_empty_array(text)
  local i = 1
  while true do
    local at = text:find("[", i, true)
    if not at then
      return false
    end
    if text:find("^%s*%]", at + 1) then
      return true
    end
    i = at + 1
  end
end

-- JSON text plus attachment strings -> decoded value with binaries wrapped
-- and empty arrays as sio.array().
function M.decode(text, bins)
  local has_empty = has_empty_array(text)
  local v = json.decode(has_empty and mark_empty_arrays(text) or text)
  local wrapped = {}
  for i = 1, bins and #bins or 0 do
    wrapped[i] = M.binary(bins[i])
  end
  if has_empty or #wrapped > 0 then
    v = restore(v, wrapped)
  end
  return v
end

-- Like decode for an argument array: returns the list and its length, with
-- top-level nulls turned into nil.
function M.decode_args(text, bins)
  local list = M.decode(text, bins)
  local n = #list
  for i = 1, n do
    if list[i] == json.null then
      list[i] = nil
    end
  end
  return list, n
end

return M
