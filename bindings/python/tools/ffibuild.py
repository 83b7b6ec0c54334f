"""Writes the C source of the cffi extension sio._sio_cffi (API mode).

Called by CMakeLists.txt at build time with the output path. The declarations
come from src/sio/_cdef.h, itself generated from abi/include/sio/sio.h (gen_cdef.py).
"""
from __future__ import annotations

import sys
from pathlib import Path

import cffi

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def make_ffi() -> cffi.FFI:
    ffi = cffi.FFI()
    ffi.cdef((PACKAGE_DIR / "src" / "sio" / "_cdef.h").read_text())
    ffi.set_source("sio._sio_cffi", '#include <sio/sio.h>')
    return ffi


def main() -> int:
    make_ffi().emit_c_code(sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
