-- socket.data across connection state recovery: socket.io gives a restored
-- socket the data it had; the core keeps ids and rooms but cannot hold Lua
-- values, so the binding keeps the data of the sockets whose session the
-- core keeps, at least as long as it keeps them (os.time() has whole
-- seconds: a second more).
local M = {}
M.__index = M

-- The disconnect reasons after which the core keeps a session (socket.io's
-- RECOVERABLE_DISCONNECT_REASONS, but "server shutting down": the store
-- ends with the server).
local RECOVERABLE = {
  ["transport error"] = true,
  ["transport close"] = true,
  ["forced close"] = true,
  ["ping timeout"] = true,
  ["forced server close"] = true,
}

function M.new(ms)
  return setmetatable({ seconds = math.ceil(ms / 1000) + 1, kept = {}, order = {}, first = 1 }, M)
end

function M:_expire()
  local limit = os.time() - self.seconds
  while self.first <= #self.order and self.order[self.first].at < limit do
    local entry = self.order[self.first]
    if self.kept[entry.key] == entry then
      self.kept[entry.key] = nil
    end
    self.order[self.first] = false
    self.first = self.first + 1
  end
  if self.first > #self.order then
    self.order, self.first = {}, 1
  end
end

function M:keep(nsp, sid, reason, data)
  self:_expire()
  if RECOVERABLE[reason] then
    local entry = { key = nsp .. " " .. sid, at = os.time(), data = data }
    self.kept[entry.key] = entry
    self.order[#self.order + 1] = entry
  end
end

-- The data socket sid of nsp had, or a new empty table.
function M:take(nsp, sid)
  self:_expire()
  local entry = self.kept[nsp .. " " .. sid]
  if not entry then
    return {}
  end
  self.kept[entry.key] = nil
  return entry.data
end

return M
