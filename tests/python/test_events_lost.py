"""Against the real core: answers past the event queue's hard bound are lost,
counted, and reported to "events_lost" before the answers that were kept."""
from __future__ import annotations

import asyncio

import sio

# The hard bound of max_queued_events=1: 1 + 65536 events.
BOUND = 1 + 65536
EXTRA = 100


def test_answers_past_the_bound_are_reported_first() -> None:
    async def main() -> tuple[list[tuple[int, int]], int]:
        io = sio.AsyncServer(host="127.0.0.1", port=0, max_queued_events=1)
        # The host's own requests are answered even while it does not pump
        # (the server is not started yet): the answers past the bound are lost.
        answers = [io.fetch_sockets() for _ in range(BOUND + EXTRA)]
        reports: list[tuple[int, int]] = []
        io.on("events_lost", lambda count: reports.append(
            (count, sum(answer.done() for answer in answers))))
        # Creating a server waits for the core to run every command queued
        # before it on the context: all the answers are queued or lost now.
        io._new_server([("host", "127.0.0.1"), ("port", "0")])
        io.start()
        # Answers come in order, and the report before them.
        last_kept = answers[BOUND - 1]
        while not last_kept.done():
            await asyncio.sleep(0.01)
        io.close()
        return reports, sum(answer.done() for answer in answers)

    reports, answered = asyncio.run(asyncio.wait_for(main(), 120))
    assert answered == BOUND
    assert reports == [(EXTRA, 0)]
