#!/bin/bash
# mutmut over the Python binding's dispatch, payload and acknowledgement
# modules (tests/mutation/mutmut.cfg), killed by the fake-core tests
# (tests/python/fake_core: no native build). Prints mutmut's survivors and
# ends with "N killed, N survived" (timeouts count as killed); exits non-zero
# when a mutant survived.
#
#   tests/mutation/python.sh            in build-mutmut/ (SIO_MUTMUT_DIR)
#   mutmut show NAME                    then, inside that folder, one diff
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv="$ROOT/tests/python/.venv"
work=${SIO_MUTMUT_DIR:-$ROOT/build-mutmut}

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q -r "$ROOT/tests/python/requirements.txt" \
  -r "$ROOT/tests/python/requirements-mutation.txt"

# mutmut names modules after their path under src/ and runs the tests from
# its copy of this folder.
rm -rf "$work"
mkdir -p "$work/tests/python" "$work/bindings/python/src/sio" "$work/abi/include/sio"
cp -r "$ROOT/bindings/python/src" "$work/src"
cp "$ROOT/bindings/python/src/sio/_cdef.h" "$work/bindings/python/src/sio/"
cp "$ROOT/abi/include/sio/sio.h" "$work/abi/include/sio/"
cp -r "$ROOT/tests/python/fake_core" "$work/tests/python/"
for helper in "$ROOT"/tests/python/*.py; do
  case "$(basename "$helper")" in test_*) ;; *) cp "$helper" "$work/tests/python/" ;; esac
done
find "$work" -name __pycache__ -prune -exec rm -rf {} +
cp "$ROOT/tests/mutation/mutmut.cfg" "$work/setup.cfg"

cd "$work"
"$venv/bin/mutmut" run --max-children "$(nproc 2>/dev/null || echo 2)" >mutmut.log 2>&1 || {
  tail -40 mutmut.log
  exit 1
}
"$venv/bin/mutmut" results
"$venv/bin/mutmut" export-cicd-stats >/dev/null
"$venv/bin/python" - mutants/mutmut-cicd-stats.json <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
killed = stats["killed"] + stats["timeout"]
survived = stats["total"] - killed
print(f"{killed} killed, {survived} survived (of {stats['total']})")
sys.exit(1 if survived else 0)
PY
