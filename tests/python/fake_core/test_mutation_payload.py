"""Payload encoding and decoding details that mutmut showed untested: the
exact text, any iterable of arguments, the messages of the errors, the
strict decoder, and the fallback encoder used where json has no C
accelerator."""
import json
from typing import Any

import pytest

from sio import _payload
from sio._payload import decode, decode_text, encode, encode_one

NESTED = (1, [2, {"a": [3, {"b": None}]}], "x", {"c": [True, 2.5]})
NESTED_TEXT = b'[1,[2,{"a":[3,{"b":null}]}],"x",{"c":[true,2.5]}]'


def test_nested_arguments_encode_to_compact_text() -> None:
    assert encode(NESTED) == (NESTED_TEXT, [])


def test_arguments_may_be_any_iterable() -> None:
    assert encode(iter([1, "two"])) == (b'[1,"two"]', [])
    assert encode(value for value in (b"z",)) == (b'[{"_placeholder":true,"num":0}]', [b"z"])


def test_an_unsendable_value_names_its_type_and_what_can_be_sent() -> None:
    with pytest.raises(TypeError) as caught:
        encode(({1, 2},))
    assert str(caught.value) == (
        "a set cannot be sent: use dict, list, tuple, str, int, float, bool, None, "
        "bytes, bytearray or memoryview")


def test_a_circular_argument_is_a_value_error_that_says_so() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match=r"^the arguments hold a circular reference "
                                         r"\(or are nested too deep\)$"):
        encode((loop,))


def test_a_placeholder_past_the_attachments_stays_an_object() -> None:
    text = b'[{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]'
    assert decode(text, [b"only"]) == [{"_placeholder": True, "num": 1}, b"only"]


def test_decode_takes_text_as_str_or_bytes() -> None:
    assert decode('["é",1]') == ["é", 1]
    assert decode('["é",1]'.encode()) == ["é", 1]


def test_decode_text_reads_any_json_value_whole() -> None:
    assert decode_text("12") == 12
    assert decode_text(' [1, {"a": 2}] ') == [1, {"a": 2}]
    with pytest.raises(ValueError):
        decode_text("[1] x")


def test_encode_one_is_compact_unescaped_and_finite() -> None:
    assert encode_one({"msg": "é", "n": [1, 2]}) == '{"msg":"é","n":[1,2]}'.encode()
    with pytest.raises(ValueError):
        encode_one(float("inf"))


@pytest.mark.parametrize("accelerated", [True, False])
def test_the_encoder_made_with_or_without_the_c_accelerator(
        monkeypatch: pytest.MonkeyPatch, accelerated: bool) -> None:
    if not accelerated:
        monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    encoder = _payload._make_encoder()
    _payload._attachments.bins = bins = []
    text = "".join(encoder([*NESTED, {"é": b"bin"}, "\u2028"], 0))
    assert text.encode() == NESTED_TEXT[:-1] + ',{"é":{"_placeholder":true,"num":0}},"\u2028"]'.encode()
    assert bins == [b"bin"]
    # Keys keep their order; a key JSON cannot hold is an error, not skipped.
    assert "".join(encoder([{"b": 1, "a": 2}], 0)) == '[{"b":1,"a":2}]'
    with pytest.raises(TypeError):
        "".join(encoder([{(1, 2): "tuple key"}], 0))
    with pytest.raises(ValueError):
        "".join(encoder([float("nan")], 0))


def test_encode_without_the_c_accelerator(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on PyPy: the fallback encoder hands its text over in many pieces."""
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    monkeypatch.setattr(_payload, "_encode", _payload._make_encoder())
    assert encode(NESTED) == (NESTED_TEXT, [])
    assert encode((b"a", [b"b"])) == (
        b'[{"_placeholder":true,"num":0},[{"_placeholder":true,"num":1}]]', [b"a", b"b"])
