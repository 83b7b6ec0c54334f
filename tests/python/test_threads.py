"""Commands from several threads at once, while the pump runs elsewhere."""
from __future__ import annotations

import queue
import threading

import sio
from waiting import next_item, wait_until

THREADS = 8
EMITS_PER_THREAD = 50


def test_emits_from_several_threads_all_arrive_in_order(make_server, node) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    cid = node.connect(server.url + "/")
    socket: sio.Socket = next_item(sockets)
    start = threading.Barrier(THREADS)

    def emit_many(thread: int) -> None:
        start.wait()
        for n in range(EMITS_PER_THREAD):
            if n % 2:
                socket.emit("tick", thread, n)
            else:
                server.io.emit("tick", thread, n)

    threads = [threading.Thread(target=emit_many, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seen: dict[int, list[int]] = {t: [] for t in range(THREADS)}
    for _ in range(THREADS * EMITS_PER_THREAD):
        thread, n = node.event(cid, "tick")
        seen[thread].append(n)
    assert all(numbers == list(range(EMITS_PER_THREAD)) for numbers in seen.values())


def test_acks_and_rooms_from_several_threads(make_server, node) -> None:
    server = make_server()
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    node.connect(server.url + "/")
    socket: sio.Socket = next_item(sockets)
    answers: queue.Queue = queue.Queue()

    def ask(thread: int) -> None:
        socket.join(f"room-{thread}")
        answers.put(server.resolve(socket.timeout(10).emit_with_ack("echo", thread)))

    threads = [threading.Thread(target=ask, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.get_nowait() for _ in range(THREADS)) == list(range(THREADS))
    wait_until(lambda: len(socket.rooms) == THREADS + 1)
