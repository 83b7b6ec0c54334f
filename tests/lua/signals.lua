-- SIGINT/SIGTERM (stop) and SIGUSR1/SIGUSR2 (pause and resume pumping) as
-- flags to poll rather than handlers: the signals are blocked (before libsio
-- starts its thread, which inherits the mask) and the pump loop asks whether
-- one is pending. A signal handler written in Lua would run at an arbitrary
-- point of the VM, which LuaJIT does not allow.
local ffi = require("ffi")

ffi.cdef([[
typedef struct { unsigned long val[1024 / (8 * sizeof(unsigned long))]; } lsio_sigset;
int sigemptyset(lsio_sigset *set);
int sigaddset(lsio_sigset *set, int signum);
int sigismember(const lsio_sigset *set, int signum);
int sigpending(lsio_sigset *set);
int pthread_sigmask(int how, const lsio_sigset *set, lsio_sigset *old);
typedef struct { long tv_sec; long tv_nsec; } lsio_sig_timespec;
int sigtimedwait(const lsio_sigset *set, void *info, const lsio_sig_timespec *timeout);
]])

local SIG_BLOCK, SIGINT, SIGUSR1, SIGUSR2, SIGTERM = 0, 2, 10, 12, 15

local M = {}

local function set_of(...)
  local set = ffi.new("lsio_sigset")
  ffi.C.sigemptyset(set)
  for _, signum in ipairs({ ... }) do
    ffi.C.sigaddset(set, signum)
  end
  return set
end

local PAUSE_SIGNALS = set_of(SIGUSR1, SIGUSR2)
local NO_WAIT = ffi.new("lsio_sig_timespec")

function M.block_termination()
  assert(ffi.C.pthread_sigmask(SIG_BLOCK, set_of(SIGINT, SIGTERM, SIGUSR1, SIGUSR2), nil) == 0,
    "pthread_sigmask failed")
end

-- Takes a pending SIGUSR1 ("pause") or SIGUSR2 ("resume"); nil when none.
function M.take_pause_signal()
  local signum = ffi.C.sigtimedwait(PAUSE_SIGNALS, nil, NO_WAIT)
  if signum == SIGUSR1 then
    return "pause"
  elseif signum == SIGUSR2 then
    return "resume"
  end
  return nil
end

function M.termination_pending()
  local set = ffi.new("lsio_sigset")
  ffi.C.sigpending(set)
  return ffi.C.sigismember(set, SIGTERM) == 1 or ffi.C.sigismember(set, SIGINT) == 1
end

return M
