"""Python values <-> JSON text plus binary attachments."""
import json

import pytest

from sio._payload import decode, encode, encode_one


def test_plain_values_encode_as_a_json_array() -> None:
    data, bins = encode(({"a": [1, 2.5, True, None]}, "é", (3, 4)))
    assert json.loads(data) == [{"a": [1, 2.5, True, None]}, "é", [3, 4]]
    assert bins == []


def test_binary_values_become_numbered_placeholders() -> None:
    view = memoryview(b"xyz")
    data, bins = encode((b"one", {"k": bytearray(b"two"), "l": [view]}))
    assert json.loads(data) == [{"_placeholder": True, "num": 0},
                                {"k": {"_placeholder": True, "num": 1},
                                 "l": [{"_placeholder": True, "num": 2}]}]
    assert [bytes(b) for b in bins] == [b"one", b"two", b"xyz"]


def test_unsupported_values_raise_type_error() -> None:
    with pytest.raises(TypeError):
        encode((object(),))
    with pytest.raises(ValueError):
        encode((float("nan"),))


def test_decode_puts_bytes_back_in_place() -> None:
    text = b'[1,{"_placeholder":true,"num":1},{"x":{"_placeholder":true,"num":0}}]'
    assert decode(text, [b"a", b"b"]) == [1, b"b", {"x": b"a"}]


def test_decode_leaves_lookalike_objects_alone() -> None:
    text = b'[{"_placeholder":true,"num":5},{"_placeholder":true,"num":0,"x":1}]'
    assert decode(text, [b"a"]) == [{"_placeholder": True, "num": 5},
                                    {"_placeholder": True, "num": 0, "x": 1}]


def test_decode_of_nothing_is_no_arguments() -> None:
    assert decode(None) == []
    assert decode(b"[]") == []


def test_encode_one_writes_compact_json() -> None:
    assert encode_one({"reason": "bad token"}) == b'{"reason":"bad token"}'
