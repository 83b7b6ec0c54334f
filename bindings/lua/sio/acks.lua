-- Acknowledgements both ways, the same for servers and clients: splitting
-- the callback off an emit's arguments, calling it with the answer, and the
-- reply function handed to a handler whose peer asked for one.
local ffi = require("ffi")
local lib = require("sio.lib")
local payload = require("sio.payload")

local C = lib.load()
local M = {}

-- emit arguments -> the arguments as a list, their count, and the callback
-- (a function given last) or nil.
function M.split(...)
  local n = select("#", ...)
  local args = { ... }
  if n > 0 and type(args[n]) == "function" then
    local cb = args[n]
    args[n] = nil
    return args, n - 1, cb
  end
  return args, n, nil
end

-- The handler of the SIO_EV_ACK (or SIO_EV_ERROR) answering an emit. As in
-- socket.io, a callback without timeout() gets only the peer's arguments
-- (and nothing when the socket goes away); with timeout() it gets an error
-- message or nil first; a broadcast's gets the list of responses.
function M.on_answer(cb, broadcast, with_timeout)
  return function(e)
    if e.err ~= 0 then
      local message = e.reason or ffi.string(C.sio_strerror(e.err))
      if broadcast then
        cb(message, e.data and payload.decode(e.data, e.bins) or payload.array())
      elseif with_timeout then
        cb(message)
      end
      return
    end
    if broadcast then
      cb(nil, payload.decode(e.data, e.bins))
      return
    end
    local args, n = payload.decode_args(e.data, e.bins)
    if with_timeout then
      cb(nil, unpack(args, 1, n))
    else
      cb(unpack(args, 1, n))
    end
  end
end

-- emit_with_ack: start(cb) emits with cb as the acknowledgement callback,
-- which gets (err, ...) as after timeout(); this waits for the answer and
-- returns its values, or raises the error (a timeout, a disconnect). In
-- OpenResty it waits on an ngx.semaphore (the pump's timer posts it); in
-- plain LuaJIT it yields the running coroutine, which the callback resumes
-- from the pump (sio.poll, io:run, ...). Outside a coroutine it is an error.
function M.await(start)
  local co, main = coroutine.running()
  if ngx and ngx.get_phase then
    local ok, semaphore = pcall(require, "ngx.semaphore")
    if ok then
      local sema = semaphore.new()
      local answer
      start(function(...)
        answer = { n = select("#", ...), ... }
        sema:post(1)
      end)
      while not answer do
        sema:wait(60)
      end
      if answer[1] ~= nil then
        error(answer[1], 2)
      end
      return unpack(answer, 2, answer.n)
    end
  end
  if not co or main then
    error("emit_with_ack waits for the answer: call it in a coroutine", 2)
  end
  local answer
  start(function(...)
    answer = { n = select("#", ...), ... }
    if coroutine.status(co) == "suspended" then
      local ok, failure = coroutine.resume(co)
      if not ok then
        error(failure, 0)
      end
    end
  end)
  while not answer do
    coroutine.yield()
  end
  if answer[1] ~= nil then
    error(answer[1], 2)
  end
  return unpack(answer, 2, answer.n)
end

-- The function passed last to a handler whose peer waits for an ack.
-- send(msg) makes the C call with a sio_message and returns its code; only
-- the first call is sent, and a peer that is gone by then is no error (as in
-- socket.io, nothing is sent).
function M.replier(send)
  local done = false
  return function(...)
    if done then
      return
    end
    done = true
    local msg, keep = payload.message({ ... }, select("#", ...))
    local rc = send(msg)
    -- Keeps what msg points to referenced until the call above is done.
    keep.sent = true
    if rc < 0 and rc ~= C.SIO_ENOTFOUND and rc ~= C.SIO_ECLOSED then
      lib.check(rc, "ack")
    end
  end
end

return M
