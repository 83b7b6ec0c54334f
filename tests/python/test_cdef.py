"""The cffi declarations are generated from abi/include/sio/sio.h and must not drift."""
import re
import subprocess
import sys
from pathlib import Path

import cffi

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "bindings" / "python" / "tools" / "gen_cdef.py"
CDEF = ROOT / "bindings" / "python" / "src" / "sio" / "_cdef.h"
HEADER = ROOT / "abi" / "include" / "sio" / "sio.h"

sys.path.insert(0, str(GENERATOR.parent))
import gen_cdef  # noqa: E402


def test_committed_cdef_matches_the_header() -> None:
    result = subprocess.run([sys.executable, str(GENERATOR), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_cdef_declares_every_function_of_the_header() -> None:
    header = HEADER.read_text()
    cdef = CDEF.read_text()
    for name in ("sio_next_event", "sio_emit", "sio_connect_refuse", "sio_fetch_sockets",
                 "sio_free", "sio_socket_rooms", "sio_client_nsp", "sio_server_set_user"):
        assert f"{name}(" in header and f"{name}(" in cdef
    declared = re.findall(r"^SIO_EXTERN [^;]*?(sio_\w+)\(", header, re.M)
    assert len(declared) > 30
    assert declared == re.findall(r"^[^ #].*?(sio_\w+)\(", cdef, re.M)
    assert "#define SIO_EMIT_ACK ..." in cdef and "#define SIO_EVF_FINAL ..." in cdef
    assert "#include" not in cdef


def test_only_integer_macros_are_declared_and_cffi_reads_the_result() -> None:
    cdef = CDEF.read_text()
    # Not constants: the include guard and SIO_EXTERN (empty), the _INIT
    # initializers (C syntax), and the switch the generator sets.
    for name in ("SIO_SIO_H", "SIO_EXTERN", "SIO_MESSAGE_INIT", "SIO_TARGET_INIT", "SIO_CDEF"):
        assert name not in cdef
    ffi = cffi.FFI()
    ffi.cdef(cdef)
    assert ffi.sizeof("sio_message") > 0 and ffi.sizeof("sio_target") > 0


def test_sio_extern_expands_to_nothing_and_keeps_alignment() -> None:
    preprocessed = ("#define SIO_EXTERN \n#define SIO_X 0x10u\n#define SIO_INIT {1, 2}\n"
                    " int sio_f(int a,\n"
                    "                     int b);\n"
                    "typedef struct s {\n  int a;\n} s;\n")
    assert gen_cdef.cdef_from(preprocessed).splitlines()[1:] == [
        "#define SIO_X ...", "int sio_f(int a,", "          int b);",
        "typedef struct s {", "  int a;", "} s;"]


def test_installed_package_ships_the_committed_cdef() -> None:
    import sio
    shipped = Path(sio.__file__).with_name("_cdef.h")
    assert shipped.read_text() == CDEF.read_text()
