-- Copies a borrowed sio_event into a Lua table, so handlers may pump again
-- (which invalidates the C record) and keep whatever they were given.
local ffi = require("ffi")

local M = {}

local function str(p)
  if p == nil then
    return nil
  end
  return ffi.string(p)
end

function M.read(ev)
  local e = {
    type = ev.type,
    flags = ev.flags,
    req = tonumber(ev.req),
    nsp = str(ev.nsp),
    sid = str(ev.sid),
    name = str(ev.name),
    ack_id = tonumber(ev.ack_id),
    err = ev.err,
    reason = str(ev.reason),
    attempt = ev.attempt,
    count = tonumber(ev.count),
  }
  if ev.data ~= nil then
    e.data = ffi.string(ev.data, ev.data_len)
  end
  if ev.nbins > 0 then
    local bins = {}
    for i = 0, tonumber(ev.nbins) - 1 do
      bins[i + 1] = ffi.string(ev.bins[i].data, ev.bins[i].len)
    end
    e.bins = bins
  end
  return e
end

return M
