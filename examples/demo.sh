#!/usr/bin/env bash
# The libsio demo in one command: installs what is missing (Debian packages,
# the browser's socket.io-client bundle from npm), builds the library and the
# chat server, and starts it. PORT (default 3000) and HOST (default 0.0.0.0)
# choose where it listens.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${PORT:-3000}"
host="${HOST:-0.0.0.0}"
say() { printf '==> %s\n' "$*"; }

# ---- Debian packages ---------------------------------------------------
packages=(build-essential cmake pkg-config libuv1-dev libwslay-dev
          libmsgpack-dev node-llhttp libssl-dev zlib1g-dev libhiredis-dev nettle-dev
          nodejs npm)
installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
missing=()
for p in "${packages[@]}"; do
  case "$p" in
    # A Node.js from elsewhere (with its own npm) is as good as Debian's, and
    # Debian's npm package would conflict with it.
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  installed "$p" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
      echo "demo.sh: missing packages: ${missing[*]}; run as root or install them" >&2
      exit 1
    }
    sudo=(sudo)
  fi
  say "installing ${missing[*]}"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

# ---- the client bundle the page loads -----------------------------------
chat="$root/examples/chat"
if [ ! -f "$chat/node_modules/.package-lock.json" ] ||
   [ "$chat/package-lock.json" -nt "$chat/node_modules/.package-lock.json" ]; then
  say "npm ci (socket.io-client for the page)"
  (cd "$chat" && npm ci --no-audit --no-fund)
fi

# ---- build ---------------------------------------------------------------
say "building into build/ (Release)"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" --target sio_chat_server -j "$(nproc)"

# ---- run -----------------------------------------------------------------
shown="$host"
[ "$host" = "0.0.0.0" ] && shown=localhost
say "starting the chat server: open http://$shown:$port/ in a browser (Ctrl-C stops)"
exec "$root/build/examples/sio_chat_server" --port "$port" --host "$host" \
  --public "$chat/public" --client "$chat/node_modules/socket.io-client/dist"
