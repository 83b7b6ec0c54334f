-- Converts between Lua values and the ABI's payload form: the JSON text of the
-- argument array plus binary attachments, {"_placeholder":true,"num":N}
-- marking where attachment N goes.
--
-- Binary values travel as sio.binary(s) wrappers both ways, so a Lua string is
-- always text and a wrapper always binary. JSON null is nil at the top level
-- (handlers get it as a missing argument) and sio.null (cjson.null) inside
-- tables, which cannot hold nil.
local ffi = require("ffi")
require("sio.lib") -- declares sio_buf and sio_message

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

-- A table whose keys are all positive integers is an array, holes and all:
-- as JSON.stringify sends a sparse JavaScript array, each nil up to the
-- highest index is a null. Returns whether t is one, and its length. A table
-- with far more holes than values ({[1e9] = 1}) stays an object, so that a
-- stray key cannot make a huge message.
local function is_array(t)
  local marked = getmetatable(t) == array_mt
  local count, highest = 0, 0
  for k in pairs(t) do
    if type(k) == "number" and k >= 1 and k % 1 == 0 then
      count = count + 1
      if k > highest then
        highest = k
      end
    elseif not marked then
      return false, 0
    end
  end
  return marked or (count > 0 and highest <= 2 * count + 16), highest
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

-- Strings at least this long skip lua-cjson, which reads and writes them at
-- about 2 ns a byte: decoding cuts them out of the text (cut_long_strings)
-- and encoding copies them as they are when they need no escape.
local LONG_STRING = 128

local u64_ptr = ffi.typeof("const uint64_t *")
local u8_ptr = ffi.typeof("const uint8_t *")
local ONES = 0x0101010101010101ULL
local HIGH_BITS = 0x8080808080808080ULL
local SPACES = 0x2020202020202020ULL
local QUOTES = 0x2222222222222222ULL
local BACKSLASHES = 0x5c5c5c5c5c5c5c5cULL

-- Whether one of the 8 bytes of x is below 0x20, '"' or a backslash, all
-- tested at once (the classic "word has a byte less than n / a zero byte"
-- bit tricks): a loop over the bytes would cost about as much as lua-cjson.
local function word_needs_escape(x)
  local q, b = bit.bxor(x, QUOTES), bit.bxor(x, BACKSLASHES)
  local flags = bit.bor(bit.band(x - SPACES, bit.bnot(x)),
    bit.band(q - ONES, bit.bnot(q)), bit.band(b - ONES, bit.bnot(b)))
  return bit.band(flags, HIGH_BITS) ~= 0
end

local function byte_needs_escape(c)
  return c < 0x20 or c == 34 or c == 92
end

-- Whether JSON can carry s between two quotes as it is: JSON requires
-- escaping nothing else ('/' and DEL are optional).
local function is_plain(s)
  local len = #s
  local words = math.floor(len / 8)
  local w = ffi.cast(u64_ptr, s)
  for i = 0, words - 1 do
    if word_needs_escape(w[i]) then
      return false
    end
  end
  local p = ffi.cast(u8_ptr, s)
  for i = words * 8, len - 1 do
    if byte_needs_escape(p[i]) then
      return false
    end
  end
  return true
end

local encode_table

-- Appends the JSON of v to out, moving binary wrappers into bins.
local function encode_value(v, bins, out)
  local kind = type(v)
  if kind == "number" then
    out[#out + 1] = encode_number(v)
  elseif kind == "string" and #v >= LONG_STRING and is_plain(v) then
    -- Three pieces: joining them here would copy v once more.
    out[#out + 1] = '"'
    out[#out + 1] = v
    out[#out + 1] = '"'
  elseif kind ~= "table" then
    out[#out + 1] = json.encode(v)
  elseif getmetatable(v) == binary_mt then
    out[#out + 1] = '{"_placeholder":true,"num":' .. #bins .. "}"
    bins[#bins + 1] = v.data
  else
    encode_table(v, bins, out)
  end
end

-- An array (see is_array) or an object.
function encode_table(v, bins, out)
  local array, length = is_array(v)
  if array then
    out[#out + 1] = "["
    for i = 1, length do
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

local message_t = ffi.typeof("sio_message")
local MESSAGE_SIZE = ffi.sizeof(message_t)

-- A sio_message carrying args[1..n], and for an emit its event name, flags
-- (SIO_EMIT_*) and timeout. The message points into the second value
-- returned, which must stay referenced until the call that uses it returns.
function M.message(args, n, event, flags, timeout_ms)
  local text, bins = M.encode(args, n)
  local bufs, nbufs = M.buffers(bins)
  local msg = message_t()
  msg.size = MESSAGE_SIZE
  msg.event = event
  msg.args_json, msg.args_len = text, #text
  msg.bins, msg.nbins = bufs, nbufs
  msg.flags = flags or 0
  msg.timeout_ms = timeout_ms or 0
  return msg, { text, bins, bufs, event }
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

-- Long strings are cut out of the text before lua-cjson decodes it, each
-- replaced by a marker string the restore walk swaps back. The text comes
-- from the core, which has validated it, so every unescaped '"' opens or
-- closes a literal, and a literal with no backslash is, byte for byte, the
-- string it decodes to. Markers start with NUL like EMPTY_MARK, but are
-- exact: texts holding an escaped NUL are left whole.
local LONG_MARK = "\0sio:long-string:"
local LONG_MARK_JSON = "\\u0000sio:long-string:"
local NONE = math.huge

local function next_of(text, c, i)
  return string.find(text, c, i, true) or NONE
end

-- Whether the quote at i is escaped: preceded by an odd run of backslashes.
local function is_escaped(text, i)
  local run = 0
  while text:byte(i - 1 - run) == 92 do
    run = run + 1
  end
  return run % 2 == 1
end

-- The closing quote of a literal holding escapes, from the first quote after
-- its opening one. Hops between quotes rather than backslashes, which can be
-- many more (every line break of a text).
local function escaped_end(text, quote)
  while quote ~= NONE and is_escaped(text, quote) do
    quote = next_of(text, '"', quote + 1)
  end
  return quote
end

-- Keys stay in the text: restore only walks values.
local function is_key(text, close)
  return string.find(text, "^%s*:", close + 1) ~= nil
end

-- The last quote before i, hopping forward from an earlier one (0: none).
local function last_quote_before(text, i, earlier)
  while true do
    local q = next_of(text, '"', earlier + 1)
    if q >= i then
      return earlier
    end
    earlier = q
  end
end

-- Whether text has a run of more than LONG_STRING bytes between two quotes,
-- as each long literal has. Such a run holds an aligned block of half that
-- with no quote, and probing those blocks takes one find per block where
-- cut_long_strings makes two per literal: a text of many short strings (or
-- of escaped JSON) is spared that scan, which would add half of lua-cjson's
-- time to it.
local function may_hold_long_string(text)
  local block = LONG_STRING / 2
  local earlier = 0 -- a quote before the probed block
  for start = 1, #text - block + 1, block do
    local q = next_of(text, '"', start)
    if q == NONE then
      return false -- no closing quote left
    elseif q < start + block then
      earlier = q
    elseif q - last_quote_before(text, start, earlier) > LONG_STRING then
      return true
    end
  end
  return false
end

-- text -> shorter text and marker -> string map, or text alone when there
-- is nothing to cut.
local function cut_long_strings(text)
  local parts, longs = {}, {}
  local copied, n = 1, 0
  local first_backslash = next_of(text, "\\", 1)
  local backslash, open = first_backslash, next_of(text, '"', 1)
  while open ~= NONE do
    local close = next_of(text, '"', open + 1)
    local escaped = backslash < close
    if escaped then
      close = escaped_end(text, close)
    end
    if close == NONE then
      return text -- unterminated: cjson will say so
    end
    if escaped then
      backslash = next_of(text, "\\", close + 1)
    elseif close - open > LONG_STRING and not is_key(text, close) then
      n = n + 1
      longs[LONG_MARK .. n] = text:sub(open + 1, close - 1)
      parts[#parts + 1] = text:sub(copied, open)
      parts[#parts + 1] = LONG_MARK_JSON .. n
      copied = close
    end
    open = next_of(text, '"', close + 1)
  end
  if n == 0 or (first_backslash ~= NONE and string.find(text, "\\u0000", first_backslash, true)) then
    return text
  end
  parts[#parts + 1] = text:sub(copied)
  return table.concat(parts), longs
end

local NO_LONGS = {}

-- Puts the attachments in place of their placeholders, the long strings in
-- place of their markers and empties the marked arrays.
local function restore(v, bins, longs)
  if type(v) == "string" then
    return longs[v] or v
  elseif type(v) ~= "table" then
    return v
  end
  if v._placeholder == true and type(v.num) == "number" and bins[v.num + 1] then
    return bins[v.num + 1]
  end
  if v[1] == EMPTY_MARK and #v == 1 then
    return M.array()
  end
  for k, x in pairs(v) do
    v[k] = restore(x, bins, longs)
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
  local longs
  if #text > LONG_STRING and may_hold_long_string(text) then
    text, longs = cut_long_strings(text)
  end
  local has_empty = has_empty_array(text)
  local v = json.decode(has_empty and mark_empty_arrays(text) or text)
  local wrapped = {}
  for i = 1, bins and #bins or 0 do
    wrapped[i] = M.binary(bins[i])
  end
  if has_empty or #wrapped > 0 or longs then
    v = restore(v, wrapped, longs or NO_LONGS)
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
