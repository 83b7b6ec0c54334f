"""One exception class per SIO_E* code, carrying the core's message."""
import subprocess
import sys

import pytest

import sio
from sio import errors
from sio._native import CODE_NAMES, check, ffi, lib


def test_every_error_code_of_the_header_has_its_class() -> None:
    for value, name in CODE_NAMES.items():
        if value == 0:
            continue
        assert errors.error_class(name) is not errors.SioError, name


def test_check_raises_the_class_of_the_code_with_the_core_message() -> None:
    options = ffi.new("sio_options **")
    assert lib.sio_options_new(options) == 0
    try:
        with pytest.raises(sio.InvalidArgumentError) as caught:
            check(lib.sio_options_set(options[0], b"noSuchOption", b"1"))
        assert caught.value.code == lib.SIO_EINVAL
        assert caught.value.message == ffi.string(lib.sio_last_error()).decode()
        assert caught.value.message
    finally:
        lib.sio_options_free(options[0])


def test_a_taken_port_raises_address_in_use() -> None:
    # In a process of its own: what follows the failure (freeing the context
    # whose server could not listen) must not take the test session down.
    script = """
import gc, sio
first = sio.Server(host="127.0.0.1", port=0)
try:
    sio.Server(host="127.0.0.1", port=first.port)
except sio.AddressInUseError as error:
    assert isinstance(error, OSError) and str(first.port) in error.message, error
    print("raised")
gc.collect()
first.close()
first.run()
print("freed")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.split() == ["raised", "freed"], result.stderr
    assert result.returncode == 0, result.stderr


def test_version_matches_the_header() -> None:
    assert lib.sio_version() >> 16 == lib.SIO_VERSION_NUM >> 16
    assert (lib.sio_version() >> 8) & 0xff >= (lib.SIO_VERSION_NUM >> 8) & 0xff
    assert sio.core_version().count(".") == 2


def test_the_core_rejects_a_bad_option_value_with_its_message() -> None:
    with pytest.raises(sio.InvalidArgumentError) as caught:
        sio.Server(port=0, host="127.0.0.1", parser="yaml")
    assert caught.value.message
