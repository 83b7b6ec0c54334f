"""The package's build backend: scikit-build-core, except that an sdist made
from a libsio checkout also carries the C core.

The core lives two levels above this package, out of reach of an sdist of
this folder; so after scikit-build-core wrote the sdist, the files the core's
CMake build reads are added under ``libsio-core/``, where CMakeLists.txt looks
first. A wheel built from that sdist (``python -m build``'s default) then
needs nothing outside it. An sdist made from an unpacked sdist already holds
``libsio-core/`` and is left as scikit-build-core wrote it.
"""
from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path
from typing import Any, Iterator, Optional

from scikit_build_core.build import (  # noqa: F401 (the other hooks, unchanged)
    build_editable, build_wheel, get_requires_for_build_editable,
    get_requires_for_build_sdist, get_requires_for_build_wheel,
    prepare_metadata_for_build_editable, prepare_metadata_for_build_wheel)
from scikit_build_core.build import build_sdist as _scikit_build_sdist

CHECKOUT = Path(__file__).resolve().parents[3]
CORE_DIR = "libsio-core"
# What the top CMakeLists.txt reads or names in install rules, and what the
# command line sio is built from: the examples' and the benchmark's
# CMakeLists.txt name every source below (chat/ is optional there).
CORE_PATHS = ("CMakeLists.txt", "abi", "core", "bindings/lua",
              "examples/CMakeLists.txt", "examples/echo_server.c", "examples/test_server.c",
              "examples/client_example.c", "examples/common", "examples/cli",
              "bench/CMakeLists.txt", "bench/common", "bench/loadgen", "bench/bare_server")
SKIPPED_NAMES = {"__pycache__", ".git"}


def build_sdist(sdist_directory: str,
                config_settings: Optional[dict[str, Any]] = None) -> str:
    name = _scikit_build_sdist(sdist_directory, config_settings)
    if (CHECKOUT / "abi" / "include" / "sio" / "sio.h").is_file():
        _add_core(Path(sdist_directory) / name)
    return name


def _core_files() -> Iterator[Path]:
    for entry in CORE_PATHS:
        path = CHECKOUT / entry
        if path.is_file():
            yield path
            continue
        for file in sorted(path.rglob("*")):
            if file.is_file() and not SKIPPED_NAMES.intersection(file.parts):
                yield file


def _add_core(sdist: Path) -> None:
    """Rewrites the sdist with the core's files appended under
    <top folder>/libsio-core/, with the sdist's own timestamp (so that a
    reproducible sdist stays one)."""
    with tarfile.open(sdist, "r:gz") as source:
        members = [(member, source.extractfile(member).read() if member.isfile() else None)
                   for member in source.getmembers()]
    top = members[0][0].name.split("/")[0]
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", members[0][0].mtime))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as target:
        for member, data in members:
            target.addfile(member, io.BytesIO(data) if data is not None else None)
        for file in _core_files():
            content = file.read_bytes()
            info = tarfile.TarInfo(f"{top}/{CORE_DIR}/{file.relative_to(CHECKOUT).as_posix()}")
            info.size = len(content)
            info.mtime = mtime
            info.mode = 0o644
            target.addfile(info, io.BytesIO(content))
    with gzip.GzipFile(sdist, "wb", mtime=mtime) as out:
        out.write(buffer.getvalue())
