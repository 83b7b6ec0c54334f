"""Python values <-> the ABI's payload form: the JSON text of the argument
array plus binary attachments, each marked in the JSON by
{"_placeholder":true,"num":N}.

Every event goes through here twice, so the json module's C encoder and
scanner are called directly: json.dumps/JSONEncoder.encode would build a new
encoder per call, and JSONDecoder.decode adds two regex matches."""
from __future__ import annotations

import json
import threading
from typing import Any, Sequence, Union

Binary = Union[bytes, bytearray, memoryview]
BINARY_TYPES = (bytes, bytearray, memoryview)

# Attachments met by the encoder in this thread (the encoder object is shared,
# and its default hook has no other way to hand them back).
_attachments = threading.local()


def _placeholder(value: Any) -> dict[str, Any]:
    if isinstance(value, BINARY_TYPES):
        bins = _attachments.bins
        bins.append(value)
        return {"_placeholder": True, "num": len(bins) - 1}
    raise TypeError(
        f"a {type(value).__name__} cannot be sent: use dict, list, tuple, "
        "str, int, float, bool, None, bytes, bytearray or memoryview")


def _make_encoder() -> Any:
    c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if c_make_encoder is None:  # no C accelerator (e.g. PyPy)
        encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False,
                                   separators=(",", ":"), default=_placeholder)
        return lambda value, _level: encoder.iterencode(value)
    # No markers dict: one shared between threads could report a list that
    # two threads send at once as circular; a real cycle ends in
    # RecursionError instead, turned into ValueError below.
    return c_make_encoder(None, _placeholder, json.encoder.encode_basestring,
                          None, ":", ",", False, False, False)


_encode = _make_encoder()
_DECODER = json.JSONDecoder()
_scan = _DECODER.scan_once


def encode(args: Sequence[Any]) -> tuple[bytes, list[Binary]]:
    """Returns (JSON array text, attachments). Binary values anywhere in args
    become placeholders, numbered in the order JSON writes them."""
    bins: list[Binary] = []
    _attachments.bins = bins
    try:
        text = "".join(_encode(args if isinstance(args, (list, tuple)) else list(args), 0))
    except RecursionError:
        raise ValueError("the arguments hold a circular reference (or are nested too deep)") \
            from None
    return text.encode("utf-8"), bins


def _fill(value: Any, bins: Sequence[bytes]) -> Any:
    """value with its placeholders replaced by their attachments (the
    decoder makes exact lists and dicts, hence type() rather than
    isinstance())."""
    kind = type(value)
    if kind is list:
        return [_fill(item, bins) if type(item) in _CONTAINERS else item for item in value]
    if kind is dict:
        if len(value) == 2 and value.get("_placeholder") is True:
            num = value.get("num")
            if type(num) is int and 0 <= num < len(bins):
                return bins[num]
        return {key: _fill(item, bins) if type(item) in _CONTAINERS else item
                for key, item in value.items()}
    return value


_CONTAINERS = (list, dict)


def decode_text(text: str) -> Any:
    """Parses JSON text (the core hands out compact, valid JSON, so the
    scanner alone does; anything else takes the full decoder's path)."""
    try:
        value, end = _scan(text, 0)
        if end == len(text):
            return value
    except StopIteration:
        pass
    return _DECODER.decode(text)


def decode(data: Union[bytes, str, None], bins: Sequence[bytes] = ()) -> Any:
    """Parses the JSON text of an event; placeholders become their bytes."""
    if not data:
        return []
    value = decode_text(data.decode("utf-8") if isinstance(data, bytes) else data)
    return _fill(value, bins) if bins else value


def encode_one(value: Any) -> bytes:
    """JSON text of one value that may not hold binary (e.g. refusal data)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")
