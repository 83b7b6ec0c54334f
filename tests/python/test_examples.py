"""examples/python/*.py run to completion (each is a server and its clients
in one program), and docs/guide-python.md shows each of them verbatim, so
the guide's examples are the ones that ran."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "python").glob("*.py"))
GUIDE = ROOT / "docs" / "guide-python.md"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(example: Path) -> None:
    result = subprocess.run([sys.executable, str(example)], capture_output=True, text=True,
                            timeout=60, cwd=example.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_guide_shows_example_verbatim(example: Path) -> None:
    guide = GUIDE.read_text()
    assert f"`examples/python/{example.name}`" in guide
    assert f"```python\n{example.read_text()}```" in guide


# Runs an example with the server's middlewares slowed down for Alice's
# handshake, so that the server takes any client that is connecting at the
# same time before her.
ALICE_LAST = """
import asyncio, inspect, runpy, sys
import sio

plain_use = sio.AsyncServer.use

def use(server, middleware):
    async def slowed(socket):
        if socket.handshake["auth"].get("user") == "alice":
            await asyncio.sleep(0.5)
        outcome = middleware(socket)
        if inspect.isawaitable(outcome):
            await outcome
    return plain_use(server, slowed)

sio.AsyncServer.use = use
runpy.run_path(sys.argv[1], run_name="__main__")
"""


def test_chat_asyncio_whichever_client_the_server_takes_first() -> None:
    # Alice hears "joined" only when she is in the lobby before Bob's
    # connection handler runs; the example used to start both clients at
    # once and wait forever when the server took Bob first.
    example = ROOT / "examples" / "python" / "chat_asyncio.py"
    result = subprocess.run([sys.executable, "-c", ALICE_LAST, str(example)],
                            capture_output=True, text=True, timeout=30, cwd=example.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "alice heard: ('joined', 'bob')" in result.stdout, result.stdout
