"""Small waits for things that happen in the server's thread."""
from __future__ import annotations

import queue
import time
from typing import Any, Callable


def wait_until(condition: Callable[[], Any], timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.01)


def next_item(items: "queue.Queue[Any]", timeout: float = 10) -> Any:
    return items.get(timeout=timeout)
