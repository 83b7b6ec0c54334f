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
