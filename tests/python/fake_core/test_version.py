"""The ABI check at import: the loaded library must have the header's major
and at least its minor (sio._native)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import fake_lib
import sio
from sio._native import check_version, lib

BUILT = lib.SIO_VERSION_NUM
MAJOR, MINOR = 0x10000, 0x100


def test_the_same_version_or_a_newer_minor_or_patch_loads() -> None:
    for loaded in (BUILT, BUILT + 1, BUILT + MINOR, BUILT + 5 * MINOR + 7):
        check_version(loaded, BUILT, "x")


def test_another_major_is_refused() -> None:
    for loaded in (BUILT + MAJOR, BUILT - MAJOR, BUILT - MAJOR + 9 * MINOR):
        with pytest.raises(ImportError, match="does not fit"):
            check_version(loaded, BUILT, "x")


def test_an_older_minor_is_refused() -> None:
    built = BUILT + 3 * MINOR
    check_version(built, built, "x")
    older = built - MINOR
    named = rf"\({older >> 16}\.{(older >> 8) & 0xff}\).*x >= {(built >> 8) & 0xff}"
    with pytest.raises(ImportError, match=named):
        check_version(older, built, "1.2.0")
    with pytest.raises(ImportError):
        check_version(built - MINOR + 0xff, built, "1.2.255")


def import_with_library_version(version: int) -> subprocess.CompletedProcess[str]:
    """Imports sio in a fresh process whose fake core reports version."""
    script = (
        "import sys\n"
        f"sys.path[:0] = [{str(Path(fake_lib.__file__).parent)!r}, "
        f"{str(Path(sio.__file__).resolve().parents[1])!r}]\n"
        "import fake_lib\n"
        f"fake_lib.lib.version = {version}\n"
        "sys.modules['sio._sio_cffi'] = fake_lib.module\n"
        "import sio\n")
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)


def test_import_refuses_a_library_of_another_major() -> None:
    result = import_with_library_version(BUILT + MAJOR)
    assert result.returncode != 0 and "ImportError" in result.stderr
    assert f"{(BUILT + MAJOR) >> 16}.{(BUILT >> 8) & 0xff}.{BUILT & 0xff}" in result.stderr


def test_import_takes_a_library_of_a_newer_minor() -> None:
    result = import_with_library_version(BUILT + MINOR)
    assert result.returncode == 0, result.stderr
