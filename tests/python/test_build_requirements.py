"""Building the package on a machine that lacks Debian packages: the build
names each missing one, with the apt-get command, before compiling anything."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "bindings" / "python"


def configure(tmp_path: Path, *defines: str, **environment: str) -> str:
    result = subprocess.run(["cmake", "-S", str(PACKAGE), "-B", str(tmp_path / "build"), *defines],
                            capture_output=True, text=True, env={**os.environ, **environment})
    assert result.returncode != 0
    return result.stdout + result.stderr


def test_names_each_missing_debian_package(tmp_path: Path) -> None:
    # pkg-config finds no .pc file, and llhttp's sources are not where
    # node-llhttp puts them: five packages look missing.
    output = configure(tmp_path, "-DLLHTTP_SRC_DIR=/nonexistent", PKG_CONFIG_LIBDIR="/nonexistent")
    needs = [line.strip() for line in output.splitlines() if "libsio needs" in line]
    assert needs == [f"libsio needs the Debian package {name} (apt-get install {name})"
                     for name in ("libuv1-dev", "libmsgpack-dev", "libhiredis-dev", "nettle-dev", "node-llhttp")], output
