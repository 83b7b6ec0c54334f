-- Named handler lists, the on/off part of every object that fires events.
local M = {}

function M.on(self, name, fn)
  if type(fn) ~= "function" then
    error("handler for '" .. tostring(name) .. "' must be a function", 2)
  end
  local list = self._handlers[name]
  if not list then
    list = {}
    self._handlers[name] = list
  end
  list[#list + 1] = fn
  return self
end

-- The handler that once() registered in fn's place -> fn, so that off(name,
-- fn) finds it.
local original = setmetatable({}, { __mode = "k" })

-- As on, for the next time name fires only.
function M.once(self, name, fn)
  if type(fn) ~= "function" then
    error("handler for '" .. tostring(name) .. "' must be a function", 2)
  end
  local function wrapper(...)
    M.off(self, name, wrapper)
    return fn(...)
  end
  original[wrapper] = fn
  return M.on(self, name, wrapper)
end

-- Without fn, removes every handler of name.
function M.off(self, name, fn)
  local list = self._handlers[name]
  if not list then
    return self
  end
  if not fn then
    self._handlers[name] = nil
    return self
  end
  for i = #list, 1, -1 do
    if list[i] == fn or original[list[i]] == fn then
      table.remove(list, i)
    end
  end
  return self
end

-- Calls the handlers of name with args[1..n] (n counts them, so that nil
-- arguments keep their place). Returns whether any handler ran.
function M.fire(self, name, args, n)
  local list = self._handlers[name]
  if not list or #list == 0 then
    return false
  end
  -- A copy: a handler may add or remove handlers while they run.
  local copy = { unpack(list) }
  for i = 1, #copy do
    copy[i](unpack(args, 1, n))
  end
  return true
end

-- Adds on, once and off to a class table.
function M.mixin(class)
  class.on = M.on
  class.once = M.once
  class.off = M.off
end

-- Removes fn from a list of catch-all handlers, or every one without fn.
function M.remove(list, fn)
  for i = #list, 1, -1 do
    if fn == nil or list[i] == fn then
      table.remove(list, i)
    end
  end
end

-- Adds the catch-all handler methods to a socket class whose objects keep
-- the lists in _any (events that come) and _any_outgoing (emits, before
-- they are sent): on_any(fn(event, ...)), prepend_any (called before those
-- already there), off_any (every one without fn), listeners_any (a copy of
-- the list), and the same with _outgoing, as socket.io's sockets have.
function M.catch_all(class)
  for _, kind in ipairs({ "", "_outgoing" }) do
    local field = "_any" .. kind
    class["on_any" .. kind] = function(self, fn)
      local list = self[field]
      list[#list + 1] = fn
      return self
    end
    class["prepend_any" .. kind] = function(self, fn)
      table.insert(self[field], 1, fn)
      return self
    end
    class["off_any" .. kind] = function(self, fn)
      M.remove(self[field], fn)
      return self
    end
    class["listeners_any" .. kind] = function(self)
      return { unpack(self[field]) }
    end
  end
end

return M
