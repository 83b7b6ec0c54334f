-- SIGINT/SIGTERM as a flag to poll rather than a handler: the signals are
-- blocked (before libsio starts its thread, which inherits the mask) and the
-- pump loop asks whether one is pending. A signal handler written in Lua
-- would run at an arbitrary point of the VM, which LuaJIT does not allow.
local ffi = require("ffi")

ffi.cdef([[
typedef struct { unsigned long val[1024 / (8 * sizeof(unsigned long))]; } lsio_sigset;
int sigemptyset(lsio_sigset *set);
int sigaddset(lsio_sigset *set, int signum);
int sigismember(const lsio_sigset *set, int signum);
int sigpending(lsio_sigset *set);
int pthread_sigmask(int how, const lsio_sigset *set, lsio_sigset *old);
]])

local SIG_BLOCK, SIGINT, SIGTERM = 0, 2, 15

local M = {}

function M.block_termination()
  local set = ffi.new("lsio_sigset")
  ffi.C.sigemptyset(set)
  ffi.C.sigaddset(set, SIGINT)
  ffi.C.sigaddset(set, SIGTERM)
  assert(ffi.C.pthread_sigmask(SIG_BLOCK, set, nil) == 0, "pthread_sigmask failed")
end

function M.termination_pending()
  local set = ffi.new("lsio_sigset")
  ffi.C.sigpending(set)
  return ffi.C.sigismember(set, SIGTERM) == 1 or ffi.C.sigismember(set, SIGINT) == 1
end

return M
