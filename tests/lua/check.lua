-- A minimal test harness for plain LuaJIT scripts: test(name, fn) runs fn
-- and records a failure when it raises; finish() prints the count line and
-- exits non-zero when anything failed.
local M = { passed = 0, failed = 0 }

function M.test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    M.passed = M.passed + 1
    print("ok - " .. name)
  else
    M.failed = M.failed + 1
    print("not ok - " .. name .. "\n  " .. tostring(err))
  end
end

-- wait_for(ready, what) for a script that pumps libsio: polls until ready()
-- is true, at most 500 times 10 ms, else raises naming what.
function M.waiter(sio)
  return function(ready, what)
    for _ = 1, 500 do
      if ready() then
        return
      end
      sio.poll(10)
    end
    error("gave up waiting for " .. what, 2)
  end
end

function M.equal(actual, expected, what)
  if actual ~= expected then
    error(string.format("%s: expected %s, got %s", what or "value",
      tostring(expected), tostring(actual)), 2)
  end
end

local function describe(v)
  if type(v) ~= "table" then
    return type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  local keys = {}
  for k in pairs(v) do
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do
    parts[#parts + 1] = tostring(k) .. "=" .. describe(v[k])
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- Deep equality of plain values and tables, whatever the order of keys.
function M.same(actual, expected, what)
  local a, e = describe(actual), describe(expected)
  if a ~= e then
    error(string.format("%s: expected %s, got %s", what or "value", e, a), 2)
  end
end

function M.finish()
  print(string.format("%d passed, %d failed", M.passed, M.failed))
  os.exit(M.failed == 0 and 0 or 1)
end

return M
