-- A namespace (io:of(name)): its sockets, middleware and "connection"
-- handlers, and the broadcast operations on all of it.
--
-- A parent namespace (io:of(fn)) stands for every name fn(name, handshake)
-- accepts; each name becomes a child namespace when a client first asks for
-- it, which shares the parent's middleware and connection handlers.
local emitter = require("sio.emitter")
local operator = require("sio.operator")

local Namespace = {}
emitter.mixin(Namespace)

function Namespace.__index(nsp, k)
  if k == "volatile" or k == "local" then
    return nsp.all[k]
  end
  return Namespace[k]
end

local M = { Namespace = Namespace }

-- matcher: nil for a plain namespace, the function of a parent namespace.
function M.new(server, name, matcher, parent)
  local nsp = setmetatable({
    server = server,
    name = name,
    matcher = matcher,
    parent = parent,
    sockets = {},
    pending = {},
    middlewares = parent and parent.middlewares or {},
    _handlers = {},
  }, Namespace)
  nsp.all = operator.new({ nsp = nsp })
  return nsp
end

-- fn(socket, next): call next() to let the socket in, next(err) to refuse it,
-- err being a message or sio.error(message, data). next may be called later,
-- from another handler, to decide asynchronously.
function Namespace:use(fn)
  self.middlewares[#self.middlewares + 1] = fn
  self.server:_declare(self)
  return self
end

-- A parent namespace (io:of(fn)) emits to the sockets of every child.
function Namespace:emit(name, ...)
  if self.matcher then
    for _, child in pairs(self.server.nsps) do
      if child.parent == self then
        child.all:emit(name, ...)
      end
    end
    return true
  end
  return self.all:emit(name, ...)
end

function Namespace:to(rooms)
  return self.all:to(rooms)
end
Namespace["in"] = Namespace.to

function Namespace:except(rooms)
  return self.all:except(rooms)
end

function Namespace:timeout(ms)
  return self.all:timeout(ms)
end

function Namespace:compress(value)
  return self.all:compress(value)
end

function Namespace:fetch_sockets(cb)
  return self.all:fetch_sockets(cb)
end

function Namespace:disconnect_sockets(close)
  return self.all:disconnect_sockets(close)
end

function Namespace:sockets_join(rooms)
  return self.all:sockets_join(rooms)
end

function Namespace:sockets_leave(rooms)
  return self.all:sockets_leave(rooms)
end

-- Runs the middleware chain for socket; done(err) gets the first refusal or
-- nil once every function called next().
function Namespace:_admit(socket, done)
  local list = self.middlewares
  local i = 0
  local finished = false
  local function step(err)
    if finished then
      return
    end
    if err ~= nil then
      finished = true
      return done(err)
    end
    i = i + 1
    local fn = list[i]
    if not fn then
      finished = true
      return done(nil)
    end
    local called = false
    local ok, failure = pcall(fn, socket, function(e)
      if called then
        return
      end
      called = true
      step(e)
    end)
    -- A failing middleware refuses the socket (so the client is not left
    -- waiting), then the error goes on to whoever pumps.
    if not ok then
      if not finished then
        finished = true
        done(tostring(failure))
      end
      error(failure, 0)
    end
  end
  step(nil)
end

-- The "connection" handlers of this namespace, then its parent's.
function Namespace:_connected(socket)
  local nsp = self
  while nsp do
    emitter.fire(nsp, "connection", { socket }, 1)
    emitter.fire(nsp, "connect", { socket }, 1)
    nsp = nsp.parent
  end
end

return M
