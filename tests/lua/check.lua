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

function M.equal(actual, expected, what)
  if actual ~= expected then
    error(string.format("%s: expected %s, got %s", what or "value",
      tostring(expected), tostring(actual)), 2)
  end
end

function M.finish()
  print(string.format("%d passed, %d failed", M.passed, M.failed))
  os.exit(M.failed == 0 and 0 or 1)
end

return M
