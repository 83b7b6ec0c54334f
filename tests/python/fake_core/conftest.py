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


@pytest.fixture(autouse=True)
def _clients_pump_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake core is one queue for every test: a blocking client's
    background pump thread that outlives its test (a client left open) would
    take the next test's events. Here clients pump themselves
    (background=False); tests/python/test_client_background.py covers the
    thread on the real core, where each client has its own context."""
    import sio

    made = sio.Client.__init__

    def init(self, *args, background: bool = False, **kwargs):  # type: ignore[no-untyped-def]
        made(self, *args, background=background, **kwargs)

    monkeypatch.setattr(sio.Client, "__init__", init)
