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


@pytest.mark.parametrize("options", [{"ping_interval": "25"}, {"ping_timeout": [1]},
                                     {"connect_timeout": True}])
def test_a_duration_that_is_not_a_number_is_a_type_error(options) -> None:
    with pytest.raises(TypeError, match="number of seconds"):
        sio.Server(host="127.0.0.1", port=0, **options)
    with pytest.raises(TypeError, match="number of seconds"):
        sio.Client("http://127.0.0.1:1", reconnection_delay=next(iter(options.values())))


@pytest.mark.parametrize("kind", ["blocking", "asyncio"])
def test_an_event_name_that_is_not_a_str_is_a_type_error(kind) -> None:
    server_class, client_class = ((sio.Server, sio.Client) if kind == "blocking"
                                  else (sio.AsyncServer, sio.AsyncClient))
    io = server_class(host="127.0.0.1", port=0)
    client = client_class(f"http://127.0.0.1:{io.port}", reconnection=False)
    try:
        for name in (123, None, b"bytes", ["list"]):
            with pytest.raises(TypeError, match="event name is a str"):
                io.emit(name, 1)
            with pytest.raises(TypeError, match="event name is a str"):
                io.to("room").emit(name)
            with pytest.raises(TypeError, match="event name is a str"):
                client.emit(name)
    finally:
        client.close()
        io.close()


def test_a_second_close_does_nothing() -> None:
    import asyncio

    io = sio.Server(host="127.0.0.1", port=0)
    client = sio.Client(f"http://127.0.0.1:{io.port}", reconnection=False)
    client.close()
    client.close()
    client.wait()
    client.close()
    io.close()
    io.close()
    io.run()
    io.close()

    async def main() -> None:
        aio = sio.AsyncServer(host="127.0.0.1", port=0)
        aclient = sio.AsyncClient(f"http://127.0.0.1:{aio.port}", reconnection=False)
        await aclient.wait_connected(10)
        aclient.close()
        aclient.close()
        await asyncio.wait_for(aclient.wait(), 10)
        aclient.close()
        aio.close()
        aio.close()
        await asyncio.wait_for(aio.serve(), 10)
        aio.close()

    asyncio.run(main())


def test_network_failures_and_refusals_have_their_own_types() -> None:
    assert issubclass(sio.ConnectionFailedError, sio.SioError)
    assert issubclass(sio.ConnectionFailedError, ConnectionError)
    assert issubclass(sio.ConnectionRefusedError, sio.SioError)
    assert not issubclass(sio.ConnectionRefusedError, sio.ConnectionFailedError)
    assert not issubclass(sio.ConnectionFailedError, sio.ConnectionRefusedError)
