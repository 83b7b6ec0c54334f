"""Acknowledgements, answers and event records (sio.ack, sio._answers,
sio._event) on their own: the log of an ack answered twice, errors without a
reason, attachments that are not contiguous, and event records with empty,
missing or undecodable fields."""
from __future__ import annotations

import logging
from typing import Any

import pytest

from sio import errors
from sio._answers import CBuffers, answer_error, released_answer
from sio._event import EV_ACK, EV_ERROR, EV_EVENT, Event
from sio._native import ffi, lib
from sio.ack import Ack


def test_an_ack_sent_twice_is_logged_with_its_id(caplog: pytest.LogCaptureFixture) -> None:
    sent: list[tuple[Any, ...]] = []
    ack = Ack(sent.append, 7)
    with caplog.at_level(logging.DEBUG, logger="sio"):
        ack("a")
        ack("b")
    assert sent == [("a",)]
    assert [record.getMessage() for record in caplog.records] == ["acknowledgement 7 already sent"]


def test_an_error_answer_without_a_reason_takes_the_code_s_message() -> None:
    record = ffi.new("sio_event *")
    record.type = EV_ACK
    record.err = lib.SIO_ETIMEDOUT
    error = answer_error(Event(record))
    assert isinstance(error, errors.SioError)
    assert str(error) == f"error {lib.SIO_ETIMEDOUT}"


def test_a_released_answer_is_a_closed_error_for_its_request() -> None:
    answer = released_answer(12, "client")
    assert (answer.type, answer.req, answer.ack_id, answer.data, answer.bins) == (
        EV_ERROR, 12, -1, None, [])
    error = answer_error(answer)
    assert isinstance(error, errors.ClosedError) and error.code == lib.SIO_ECLOSED
    assert str(error) == "the client was closed before the answer came"


def test_attachments_that_are_not_contiguous_are_copied() -> None:
    strided = memoryview(b"abcdef")[::2]
    buffers = CBuffers([strided, b"xy", memoryview(b"z")])
    assert buffers.count == 3
    assert [ffi.buffer(buffers.array[i].data, buffers.array[i].len)[:] for i in range(3)] == \
        [b"ace", b"xy", b"z"]


def raw_event(**fields: Any) -> Any:
    record = ffi.new("sio_event *")
    record.type = EV_EVENT
    for name, value in fields.items():
        setattr(record, name, value)
    return record


def test_an_event_copy_keeps_the_host_tags_and_the_counters() -> None:
    owner, socket = ffi.new_handle("owner"), ffi.new_handle("socket")
    event = Event(raw_event(user=owner, socket_user=socket, attempt=3, count=9))
    assert ffi.from_handle(event.user) == "owner"
    assert ffi.from_handle(event.socket_user) == "socket"
    assert (event.attempt, event.count) == (3, 9)
    untagged = Event(raw_event())
    assert untagged.user == ffi.NULL and untagged.socket_user == ffi.NULL


def test_text_that_is_not_utf8_is_decoded_with_replacements() -> None:
    name = ffi.new("char[]", b"caf\xe9")
    assert Event(raw_event(name=name)).name == "caf\ufffd"


def test_an_empty_attachment_is_empty_bytes() -> None:
    blob = ffi.new("char[]", b"xyz")
    bins = ffi.new("sio_buf[]", [(blob, 0), (blob, 3)])
    assert Event(raw_event(bins=bins, nbins=2)).bins == [b"", b"xyz"]
