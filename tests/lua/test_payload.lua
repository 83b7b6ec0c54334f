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

check.finish()
