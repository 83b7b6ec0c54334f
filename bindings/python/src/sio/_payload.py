"""Python values <-> the ABI's payload form: the JSON text of the argument
array plus binary attachments, each marked in the JSON by
{"_placeholder":true,"num":N}."""
from __future__ import annotations

import json
from typing import Any, Callable, Sequence, Union

Binary = Union[bytes, bytearray, memoryview]
BINARY_TYPES = (bytes, bytearray, memoryview)


# Made once: json.dumps builds a new encoder whenever options are given.
_PLAIN_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_DECODER = json.JSONDecoder()


def encode(args: Sequence[Any]) -> tuple[bytes, list[Binary]]:
    """Returns (JSON array text, attachments). Binary values anywhere in args
    become placeholders, numbered in the order JSON writes them."""
    try:
        # Most payloads hold no binary; the encoder refuses bytes with a
        # TypeError, and then the walk below places them.
        return _PLAIN_ENCODER.encode(list(args)).encode("utf-8"), []
    except TypeError:
        pass
    bins: list[Binary] = []

    def placeholder(value: Any) -> dict[str, Any]:
        if isinstance(value, BINARY_TYPES):
            bins.append(value)
            return {"_placeholder": True, "num": len(bins) - 1}
        raise TypeError(
            f"a {type(value).__name__} cannot be sent: use dict, list, tuple, "
            "str, int, float, bool, None, bytes, bytearray or memoryview")

    text = json.dumps(list(args), default=placeholder, ensure_ascii=False,
                      allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8"), bins


def _placeholder_filler(bins: Sequence[bytes]) -> Callable[[dict[str, Any]], Any]:
    def fill(obj: dict[str, Any]) -> Any:
        if obj.get("_placeholder") is True and len(obj) == 2:
            num = obj.get("num")
            if isinstance(num, int) and 0 <= num < len(bins):
                return bins[num]
        return obj
    return fill


def decode(data: Union[bytes, str, None], bins: Sequence[bytes] = ()) -> Any:
    """Parses the JSON text of an event; placeholders become their bytes."""
    if not data:
        return []
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if bins:
        return json.loads(text, object_hook=_placeholder_filler(bins))
    return _DECODER.decode(text)


def encode_one(value: Any) -> bytes:
    """JSON text of one value that may not hold binary (e.g. refusal data)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")
