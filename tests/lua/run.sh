#!/bin/sh
# Runs every test of the Lua binding (bindings/lua) and exits non-zero when one
# fails. Installs what it needs first: Debian packages (as root), the npm
# packages of tests/lua, and libsio itself in build-lua/ unless SIO_LIB names
# a libsio.so to test.
#   run.sh            the Lua binding's own tests
#   run.sh --interop  also tests/interop's whole suite against the Lua test
#                     server (it then includes the core's own open failures)
set -eu
case "${1:-}" in
  "" | --interop) ;;
  *)
    echo "usage: $0 [--interop]" >&2
    exit 2
    ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# luajit2 is OpenResty's LuaJIT, the one Debian's nginx Lua module runs on
# (Debian's other luajit package cannot be installed beside it).
packages="lua-cjson lua-check nginx libnginx-mod-http-lua lua-resty-core lua-resty-lrucache"
command -v luajit >/dev/null 2>&1 || packages="luajit2 $packages"
missing=""
for p in $packages; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "tests/lua: missing Debian packages:$missing (install them as root)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

if [ ! -d "$here/node_modules/socket.io-client" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ -z "${SIO_LIB:-}" ]; then
  build="$root/build-lua"
  cmake -S "$root" -B "$build" -DSIO_BUILD_TESTS=OFF -DSIO_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$build" --target sio -j "$(nproc)" >/dev/null
  SIO_LIB="$build/libsio.so"
fi
export SIO_LIB

log=$(mktemp)
trap 'rm -f "$log" "$log.rc"' EXIT
passed=0
failed=0

# step COMMAND...: runs one test program and adds its counts to the totals,
# read from its closing lines ("N passed, N failed" of the Lua scripts, "# pass
# N" / "# fail N" of node's runner); a program that prints no counts counts as
# one test, and one that fails without counting a failure as one failure.
step() {
  # set +e: the status is wanted, not an exit (this group is a subshell).
  { set +e; "$@"; echo $? >"$log.rc"; } 2>&1 | tee "$log"
  rc=$(cat "$log.rc")
  p=$(sed -n -e 's/^\([0-9][0-9]*\) passed, [0-9][0-9]* failed$/\1/p' \
    -e 's/^# pass \([0-9][0-9]*\)$/\1/p' "$log" | tail -1)
  f=$(sed -n -e 's/^[0-9][0-9]* passed, \([0-9][0-9]*\) failed$/\1/p' \
    -e 's/^# fail \([0-9][0-9]*\)$/\1/p' "$log" | tail -1)
  if [ -z "$p" ]; then
    p=$((rc == 0))
    f=0
  fi
  f=${f:-0}
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
}

step "$root/bindings/lua/gen_cdefs.sh" --check
step luacheck --no-color --config "$here/luacheckrc" "$root/bindings/lua" "$here"/*.lua "$here/nginx" "$root/examples/lua"
step luajit "$here/test_payload.lua"
step luajit "$here/test_server_routing.lua"
step luajit "$here/test_client_routing.lua"
step luajit "$here/test_events_lost.lua"
step luajit "$here/test_library.lua"
step luajit "$here/test_loading.lua"
step luajit "$here/test_tls.lua"
step luajit "$here/test_api.lua"
step luajit "$here/test_catch_all.lua"
step luajit "$here/test_cluster.lua"
step luajit "$here/test_cluster_data.lua"
step node --test --test-concurrency=1 "$here"/*.test.mjs
if [ "${1:-}" = --interop ]; then
  interop="$root/tests/interop"
  [ -d "$interop/node_modules" ] || (cd "$interop" && npm ci --no-audit --no-fund --loglevel=error)
  export SIO_TEST_SERVER="luajit $here/test_server.lua"
  step node --test --test-concurrency=1 "$interop"/*.test.mjs
fi
echo "lua: $passed passed, $failed failed"
[ "$failed" = 0 ]
