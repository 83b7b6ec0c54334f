#!/usr/bin/env bash
# The Python binding's tests: makes tests/python/.venv, installs the package
# from this checkout (which builds the C core), the npm client, and runs
# pytest. Extra arguments go to pytest. Exits non-zero when a test fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q -r "$here/requirements.txt"

cd "$here"
# The Python layer alone, on a fake core: needs no build.
"$venv/bin/python" -m pytest fake_core

"$venv/bin/python" -m pip install -q "$root/bindings/python"

if [ ! -d "$here/node_modules/socket.io-client" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

exec "$venv/bin/python" -m pytest "$@"
