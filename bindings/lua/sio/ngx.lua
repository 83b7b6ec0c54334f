-- Pumping from OpenResty: an ngx.timer.every that runs the pending handlers
-- with a zero timeout, so the nginx event loop never blocks on libsio.
--
--   init_worker_by_lua_block {
--     local sio = require("sio")
--     local io = sio.server{ port = 3001 }
--     io:on("connection", function(socket) ... end)
--     require("sio.ngx").pump{ interval = 0.005 }
--   }
--
-- Create servers in init_worker (each worker runs its own core thread; with
-- several workers, start a server in one, e.g. when ngx.worker.id() == 0),
-- never in init_by_lua, which runs before the workers fork.
local context = require("sio.context")

local M = {}

-- opts.interval: seconds between pumps (default 0.005); opts.context: the
-- context to pump (default: the shared one); opts.max_events per tick.
function M.pump(opts)
  opts = opts or {}
  local ctx = opts.context or context.default()
  local ok, err = ngx.timer.every(opts.interval or 0.005, function(premature)
    if premature then
      -- The worker is exiting: free the ports for its successor, end the
      -- connections of its clients.
      ctx:close_all()
      return
    end
    local pumped, failure = pcall(ctx.poll, ctx, 0, opts.max_events)
    if not pumped then
      ngx.log(ngx.ERR, "sio handler failed: ", failure)
    end
  end)
  if not ok then
    error("sio: cannot start the pump timer: " .. tostring(err), 2)
  end
end

return M
