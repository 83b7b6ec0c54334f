"""The cffi declarations are generated from abi/include/sio/sio.h and must not drift."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "bindings" / "python" / "tools" / "gen_cdef.py"
CDEF = ROOT / "bindings" / "python" / "src" / "sio" / "_cdef.h"


def test_committed_cdef_matches_the_header() -> None:
    result = subprocess.run([sys.executable, str(GENERATOR), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_cdef_declares_every_function_of_the_header() -> None:
    header = (ROOT / "abi" / "include" / "sio" / "sio.h").read_text()
    cdef = CDEF.read_text()
    for name in ("sio_next_event", "sio_emit", "sio_connect_refuse", "sio_fetch_sockets"):
        assert f"{name}(" in header and f"{name}(" in cdef
    assert "#define SIO_EMIT_ACK ..." in cdef
    assert "#include" not in cdef


def test_installed_package_ships_the_committed_cdef() -> None:
    import sio
    shipped = Path(sio.__file__).with_name("_cdef.h")
    assert shipped.read_text() == CDEF.read_text()
