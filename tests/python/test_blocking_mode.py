"""What only the blocking Server does: run() in the calling thread, and
blocking waits for answers from inside handlers."""
from __future__ import annotations

import queue
import threading

import sio
from runners import BlockingRunner
from waiting import next_item


def test_handlers_run_in_the_thread_that_runs_the_server(node) -> None:
    server = BlockingRunner()
    threads: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        threads.put(threading.get_ident())
        socket.on("where", lambda: threads.put(threading.get_ident()))

    server.start()
    try:
        cid = node.connect(server.url + "/")
        node.emit(cid, "where")
        assert next_item(threads) == next_item(threads) == server._thread.ident
    finally:
        server.stop()


def test_blocking_emit_with_ack_inside_a_handler(node) -> None:
    server = BlockingRunner()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        @socket.on("relay")
        def relay(value):
            answer = socket.timeout(5).emit_with_ack("echo", value)
            return {"answer": answer, "sockets": len(server.io.fetch_sockets())}

        socket.on("after", lambda: "events during the wait were kept")

    server.start()
    try:
        cid = node.connect(server.url + "/")
        assert node.emit_ack(cid, "relay", 3) == (None, [{"answer": 3, "sockets": 1}])
        assert node.emit_ack(cid, "after") == (None, ["events during the wait were kept"])
    finally:
        server.stop()


def test_stop_returns_from_run_without_closing(node) -> None:
    io = sio.Server(host="127.0.0.1", port=0)
    thread = threading.Thread(target=io.run)
    thread.start()
    io.stop()
    thread.join(5)
    assert not thread.is_alive() and not io.closed
    thread = threading.Thread(target=io.run)
    thread.start()
    io.close()
    thread.join(10)
    assert not thread.is_alive() and io.closed
