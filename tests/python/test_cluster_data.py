"""socket.data across two of our servers joined by the Redis adapter: what a
node's handlers set and change inside socket.data is what the other node's
fetch_sockets() reports as that RemoteSocket's data; both run modes."""
from __future__ import annotations

import asyncio
import queue
from typing import Any

from test_cluster import connected, redis, two_nodes  # noqa: F401 - redis is a fixture
from waiting import wait_until


def data_of(server: Any, sid: str) -> Any:
    """The data server's fetch_sockets() reports for socket sid."""
    found = {s.id: s for s in server.resolve(server.call(server.io.fetch_sockets))}
    return found[sid].data, found[sid].remote


def test_the_other_node_sees_socket_data_set_and_changed_in_handlers(make_server, node,
                                                                     redis) -> None:  # noqa: F811
    a, b, _ = two_nodes(make_server, redis)

    @a.io.on("connection")
    def on_a(socket: Any) -> None:
        socket.data = {"user": "ann", "seen": []}

        if a.mode == "asyncio":
            @socket.on("seen")
            async def seen(item: str) -> str:
                await asyncio.sleep(0.01)
                socket.data["seen"].append(item)
                return "ok"
        else:
            @socket.on("seen")
            def seen(item: str) -> str:
                socket.data["seen"].append(item)
                return "ok"

    @b.io.on("connection")
    def on_b(socket: Any) -> None:
        socket.data["node"] = "b"  # a change, no assignment

    ca, sa = connected(a, node)
    cb, sb = connected(b, node)
    assert data_of(b, sa.id) == ({"user": "ann", "seen": []}, True)
    assert data_of(a, sb.id) == ({"node": "b"}, True)
    # Local sockets are this node's own objects.
    assert data_of(a, sa.id) == ({"user": "ann", "seen": []}, False)

    assert node.emit_ack(ca, "seen", "x") == (None, ["ok"])
    wait_until(lambda: data_of(b, sa.id)[0] == {"user": "ann", "seen": ["x"]})
    b.call(setattr, sb, "data", ["replaced", 1.5, None])
    wait_until(lambda: data_of(a, sb.id)[0] == ["replaced", 1.5, None])


def test_a_change_outside_handlers_goes_at_the_next_event(make_server, node,
                                                          redis) -> None:  # noqa: F811
    a, b, _ = two_nodes(make_server, redis)
    ca, sa = connected(a, node)
    assert data_of(b, sa.id)[0] == {}
    a.call(lambda: sa.data.update(later=True))
    assert data_of(b, sa.id)[0] == {}
    node.emit(ca, "whatever")
    wait_until(lambda: data_of(b, sa.id)[0] == {"later": True})
