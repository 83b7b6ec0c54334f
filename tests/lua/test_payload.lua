-- Unit tests of bindings/lua/sio/payload.lua: Lua values <-> the ABI's JSON
-- text plus binary attachments. Needs no libsio.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. here .. "/?.lua;" .. package.path

local ffi = require("ffi")
local check = require("check")
local payload = require("sio.payload")
local cjson = require("cjson")

local test, equal = check.test, check.equal

test("scalars, nil and nested tables encode as a JSON array", function()
  local text, bins = payload.encode({ 1, nil, "x", true, { 2, 3 } }, 5)
  equal(text, '[1,null,"x",true,[2,3]]', "json")
  equal(#bins, 0, "attachments")
end)

test("numbers keep every digit; NaN and infinities become null", function()
  local big = 2 ^ 53 - 1
  local text = payload.encode({ 1234567890123456, 0.1 + 0.2, -1.5, 1e21, big, 0 / 0, math.huge }, 7)
  equal(text, "[1234567890123456,0.30000000000000004,-1.5,1e+21,9007199254740991,null,null]", "json")
  local back = cjson.decode(text)
  equal(back[2], 0.1 + 0.2, "double round trip")
end)

test("no arguments give an empty array", function()
  equal(payload.encode({}, 0), "[]", "json")
end)

test("empty tables are objects unless marked with sio.array", function()
  equal(payload.encode({ {}, payload.array() }, 2), "[{},[]]", "json")
end)

test("a table with holes is an array, as JavaScript sends a sparse one", function()
  local holes = {}
  holes[1], holes[3] = "a", "c"
  local late = {}
  late[4] = true
  equal(payload.encode({ holes, late, { nil, 2 } }, 3), '[["a",null,"c"],[null,null,null,true],[null,2]]',
    "json")
  equal(payload.encode({ payload.array({ [2] = 1 }) }, 1), "[[null,1]]", "marked")
  equal(payload.encode({ { [1e9] = 1 } }, 1), '[{"1000000000":1}]', "far more holes than values")
  equal(payload.encode({ { [1] = 1, x = 2 } }, 1):sub(1, 2), "[{", "other keys make an object")
end)

test("objects keep their keys", function()
  local text = payload.encode({ { a = { b = "c" } } }, 1)
  equal(text, '[{"a":{"b":"c"}}]', "json")
end)

test("binary values become numbered placeholders and attachments", function()
  local text, bins = payload.encode({ payload.binary("\0\1"), { k = payload.binary("z") } }, 2)
  local decoded = cjson.decode(text)
  equal(decoded[1]._placeholder, true, "first placeholder")
  equal(decoded[1].num, 0, "first index")
  equal(decoded[2].k.num, 1, "second index")
  equal(bins[1], "\0\1", "first attachment")
  equal(bins[2], "z", "second attachment")
end)

test("decode_args restores binaries as wrappers and nulls as nil", function()
  local text = '[null,"t",{"_placeholder":true,"num":0},[{"_placeholder":true,"num":1}]]'
  local args, n = payload.decode_args(text, { "\255\0", "b" })
  equal(n, 4, "count")
  equal(args[1], nil, "top-level null")
  equal(args[2], "t", "text stays a string")
  equal(payload.is_binary(args[3]), true, "binary wrapped")
  equal(args[3].data, "\255\0", "binary bytes")
  equal(args[4][1].data, "b", "nested binary")
end)

test("empty arrays come back as arrays, strings untouched", function()
  local text = '[[],{},[ ],"[]","a\\"[]",{"k":[]},[[],[1]]]'
  local args, n = payload.decode_args(text)
  equal(n, 7, "count")
  equal(payload.encode(args, n), '[[],{},[],"[]","a\\"[]",{"k":[]},[[],[1]]]', "round trip")
  equal(select(2, payload.decode_args("[]")), 0, "no arguments")
end)

test("nested nulls stay sio.null", function()
  local args = payload.decode_args('[[1,null,3]]')
  equal(args[1][2], payload.null, "nested null")
  equal(payload.encode(args, 1), "[[1,null,3]]", "round trip")
end)

test("text and binary survive a round trip", function()
  local text, bins = payload.encode({ "abc", payload.binary("abc") }, 2)
  local args = payload.decode_args(text, bins)
  equal(type(args[1]), "string", "text")
  equal(payload.is_binary(args[2]), true, "binary")
  equal(args[2], payload.binary("abc"), "binary equality")
end)

test("buffers point at the attachment strings", function()
  local bins = { "hello", "\0\0\0" }
  local bufs, n = payload.buffers(bins)
  equal(n, 2, "count")
  equal(ffi.string(bufs[0].data, bufs[0].len), "hello", "first")
  equal(tonumber(bufs[1].len), 3, "second length")
  equal(payload.buffers({}), nil, "none")
end)

test("json of one value refuses binaries", function()
  equal(payload.json({ reason = "x" }), '{"reason":"x"}', "json")
  equal(pcall(payload.json, { payload.binary("x") }), false, "binary refused")
end)

test("sio.binary needs a string", function()
  equal(pcall(payload.binary, 5), false, "number refused")
end)

-- Long strings skip lua-cjson both ways; these cover the lengths around where
-- that starts, strings with and without escapes, and where they sit.
local LENGTHS = { 1, 63, 64, 65, 127, 128, 129, 130, 255, 256, 257, 1000, 70000 }

-- A string of n bytes, plain or holding what JSON must escape, cycling
-- through ASCII, a 2-byte and a 3-byte UTF-8 character.
local function long(n, escaped)
  local unit = escaped and 'a"b\\c\nd\0e/\127f' or "abcdefgh/\127é€ "
  return (unit:rep(math.ceil(n / #unit))):sub(1, n)
end

-- lua-cjson's decoder lets raw control bytes through; JSON does not.
local function no_raw_control(text, what)
  equal(text:find("[%z\1-\31]"), nil, what .. ": raw control byte")
end

local function round_trip(args, n, what)
  local text, bins = payload.encode(args, n)
  no_raw_control(text, what)
  check.same(cjson.decode(text), cjson.decode(cjson.encode(args)), what .. ": valid JSON")
  local back, count = payload.decode_args(text, bins)
  equal(count, n, what .. ": count")
  check.same(back, args, what)
end

test("strings of every length survive a round trip, plain or escaped", function()
  for _, n in ipairs(LENGTHS) do
    for _, escaped in ipairs({ false, true }) do
      local s = long(n, escaped)
      round_trip({ s }, 1, n .. (escaped and " escaped" or " plain") .. " alone")
      round_trip({ "echo", s, 7 }, 3, n .. " in the middle")
    end
  end
end)

test("long strings at the start, middle and end of nested tables", function()
  local a, b, c = long(300), long(5000, true), long(129)
  round_trip({ { a, { b, c }, { k = a, l = { b, c } } }, c }, 2, "arrays in arrays")
  round_trip({ { x = { a, b }, y = c, z = { { w = b } } } }, 1, "objects")
  round_trip({ { a, "short", b, 1.5, c } }, 1, "mixed with short values")
end)

test("long strings beside binaries, empty arrays and nulls", function()
  local s = long(2000)
  local args = { s, payload.binary(s), payload.array(), { s, payload.null, payload.array() } }
  local text, bins = payload.encode(args, 4)
  equal(text, '["' .. s .. '",{"_placeholder":true,"num":0},[],["' .. s .. '",null,[]]]', "json")
  local back = payload.decode_args(text, bins)
  equal(back[1], s, "text")
  equal(back[2], payload.binary(s), "binary")
  equal(payload.encode(back, 4), text, "round trip")
end)

test("a long plain string is sent as it is, an escaped one escaped", function()
  local plain = long(205) -- 25 words of 8 bytes and 5 bytes more
  equal(payload.encode({ plain }, 1), '["' .. plain .. '"]', "plain")
  for _, c in ipairs({ "\0", "\31", '"', "\\" }) do
    for _, at in ipairs({ 1, 8, 9, 100, 200, 201, 203, 205 }) do
      local s = plain:sub(1, at - 1) .. c .. plain:sub(at + 1)
      local text = payload.encode({ s }, 1)
      local what = string.format("byte %d at %d", c:byte(), at)
      no_raw_control(text, what)
      equal(cjson.decode(text)[1], s, what)
    end
  end
end)

test("long keys stay keys, spaces before the colon included", function()
  local key = long(500)
  round_trip({ { [key] = long(300), [long(200, true)] = 1 } }, 1, "long keys")
  local args = payload.decode_args('[{"' .. key .. '" \n :"' .. long(400) .. '"}]')
  equal(args[1][key], long(400), "value under the key")
end)

local function numbers(n)
  local list = {}
  for i = 1, n do
    list[i] = i
  end
  return list
end

test("strings ending in backslashes and escaped quotes find their end", function()
  for _, tail in ipairs({ "\\", "\\\\", '"', '\\"', '"\\' }) do
    local s = long(300) .. tail
    round_trip({ s, long(300), { s } }, 3, "ending in " .. tail)
    -- Mistaken ends of the first s and the second would pair the quotes
    -- between them the other way round, the numbers becoming a long string.
    round_trip({ s, "x", numbers(300), "y", s }, 5, "ending in " .. tail .. ", numbers between")
  end
end)

test("a string holding the marker text itself comes back as itself", function()
  local mark = "\0sio:long-string:1"
  round_trip({ long(400), mark, { long(400) .. mark } }, 3, "marker")
  round_trip({ long(400), "\\u0000sio:long-string:1" }, 2, "marker's JSON")
end)

test("a long stretch without quotes outside strings", function()
  round_trip({ numbers(300), long(300), "x" }, 3, "numbers then strings")
  equal(payload.decode(string.format('"%s"', long(1000))), long(1000), "a long string alone")
end)

check.finish()
