-- Running in OpenResty: an ngx.timer.every that runs the pending handlers
-- with a zero timeout, so the nginx event loop never blocks on libsio, and a
-- server that survives `nginx -s reload`.
--
--   init_worker_by_lua_block {
--     require("sio.ngx").serve({ port = 3001 }, function(io)
--       io:on("connection", function(socket) ... end)
--     end)
--   }
--
-- Create servers in init_worker (each worker runs its own core thread; with
-- several workers, start a server in one, e.g. when ngx.worker.id() == 0),
-- never in init_by_lua, which runs before the workers fork.
--
-- When the worker exits (a reload, a stop), every server and client of the
-- pumped context is closed and their handlers run until the core reported
-- them closed: the sockets' "disconnect" handlers get "server shutting down"
-- before the worker's Lua VM goes.
local context = require("sio.context")
local server = require("sio.server")
local options = require("sio.options")
local lib = require("sio.lib")

local C = lib.load()
local M = {}

-- How long an exiting worker waits for its servers and clients to close.
local SHUTDOWN_MS = 2000
local RETRY_INTERVAL = 0.1

local function now_ms()
  ngx.update_time()
  return ngx.now() * 1000
end

-- Closes every server and client of ctx and runs their handlers until each
-- is closed and released (it leaves ctx.owners then), or ms pass.
local function shut_down(ctx, ms)
  ctx:close_all()
  local deadline = now_ms() + ms
  while next(ctx.owners) and now_ms() < deadline do
    local pumped, failure = pcall(ctx.poll, ctx, 10)
    if not pumped then
      ngx.log(ngx.ERR, "sio handler failed: ", failure)
    end
  end
  if next(ctx.owners) then
    ngx.log(ngx.WARN, "sio: the worker exits before every server and client closed")
  end
end

local pumping = setmetatable({}, { __mode = "k" })

-- opts.interval: seconds between pumps (default 0.005); opts.context: the
-- context to pump (default: the shared one); opts.max_events per tick;
-- opts.shutdown_timeout: seconds an exiting worker waits for the closing
-- handlers (default 2). A context already pumped is left as it is.
function M.pump(opts)
  opts = opts or {}
  local ctx = opts.context or context.default()
  if pumping[ctx] then
    return
  end
  local shutdown_ms = (opts.shutdown_timeout or SHUTDOWN_MS / 1000) * 1000
  local ok, err = ngx.timer.every(opts.interval or 0.005, function(premature)
    if premature then
      -- The worker is exiting: run the disconnect handlers, free the ports
      -- for its successor, end the connections of its clients.
      shut_down(ctx, shutdown_ms)
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
  pumping[ctx] = true
end

-- serve(server_opts, setup, opts): sio.server(server_opts), then setup(io),
-- and its context pumped (opts as for pump). After `nginx -s reload` the
-- previous worker may still hold the port while it closes: the listen is
-- tried again every opts.retry_interval seconds (default 0.1) while the
-- port is taken, with a log line, and setup runs once it listens. When the
-- loaded core knows the "reusePort" option, it is on unless server_opts
-- says otherwise, so that both workers listen at once. Returns the server,
-- or nil while it waits for the port.
function M.serve(server_opts, setup, opts)
  opts = opts or {}
  local with = {}
  for k, v in pairs(server_opts or {}) do
    with[k] = v
  end
  if with.reuse_port == nil and options.known("reusePort", "true") then
    with.reuse_port = true
  end
  M.pump({ context = with.context, interval = opts.interval, max_events = opts.max_events,
    shutdown_timeout = opts.shutdown_timeout })
  local interval = opts.retry_interval or RETRY_INTERVAL
  local io, message, rc = server.open(with)
  if io then
    setup(io)
    return io
  end
  if rc ~= C.SIO_EADDRINUSE then
    error(message, 2)
  end
  ngx.log(ngx.WARN, "sio: ", message, "; trying again every ", interval * 1000, " ms")
  local function retry(premature)
    if premature then
      return
    end
    io, message, rc = server.open(with)
    if io then
      ngx.log(ngx.NOTICE, "sio: listening on port ", io.port)
      local ok, failure = pcall(setup, io)
      if not ok then
        ngx.log(ngx.ERR, "sio: setup failed: ", failure)
      end
    elseif rc ~= C.SIO_EADDRINUSE then
      ngx.log(ngx.ERR, "sio: ", message)
    else
      local ok, err = ngx.timer.at(interval, retry)
      if not ok then
        ngx.log(ngx.ERR, "sio: cannot retry the listen: ", err)
      end
    end
  end
  local ok, err = ngx.timer.at(interval, retry)
  if not ok then
    error("sio: cannot start the listen retry timer: " .. tostring(err), 2)
  end
  return nil
end

return M
