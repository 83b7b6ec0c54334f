"""Puts the fake core in place of sio._sio_cffi and imports sio from the
source tree, so these tests need no build (and run while the core is being
written)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

assert "sio" not in sys.modules, "fake_core/ must run in a pytest process of its own"
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bindings" / "python" / "src"))

import fake_lib  # noqa: E402

sys.modules["sio._sio_cffi"] = fake_lib.module


@pytest.fixture
def fake() -> Iterator[fake_lib.FakeLib]:
    fake_lib.lib.reset()
    yield fake_lib.lib
