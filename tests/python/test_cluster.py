"""Two of our servers joined by the Redis adapter (adapter="redis://..."),
on a redis-server of the test's own: broadcasts and io.local,
server_side_emit with and without ack and io.on(name) for the other node's
server-side events, adapter_down / adapter_up; both run modes."""
from __future__ import annotations

import queue
import shutil
import socket as net
import subprocess
import time
from typing import Any, Iterator

import pytest

import sio
from waiting import next_item

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="needs redis-server (Debian package redis-server)")


def free_port() -> int:
    with net.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Redis:
    def __init__(self, port: int = 0) -> None:
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in self.proc.stdout:  # type: ignore[union-attr]
            if "Ready to accept connections" in line:
                break

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def redis() -> Iterator[Redis]:
    server = Redis()
    yield server
    server.kill()


def two_nodes(make_server: Any, redis: Redis, **options: Any) -> tuple[Any, Any, list[Any]]:
    """Two servers on redis; each reports adapter_up into the returned queue."""
    ups: list[Any] = []
    nodes = []
    for name in ("a", "b"):
        server = make_server(adapter=redis.url, adapter_requests_timeout=2, **options)
        up: queue.Queue = queue.Queue()
        server.io.on("adapter_up", lambda up=up: up.put(True))
        server.start()
        ups.append(up)
        nodes.append(server)
    for up in ups:
        next_item(up)
    return nodes[0], nodes[1], ups


def connected(server: Any, node: Any) -> tuple[str, Any]:
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    cid = node.connect(server.url + "/")
    return cid, next_item(sockets)


def test_broadcasts_reach_the_other_node_and_local_ones_do_not(make_server, node, redis) -> None:
    a, b, _ = two_nodes(make_server, redis)
    ca, _ = connected(a, node)
    cb, sb = connected(b, node)
    sb.join("room")
    a.io.to("room").emit("hello", 1)
    assert node.event(cb, "hello") == [1]
    a.io.local.emit("local-only", 2)
    assert node.event(ca, "local-only") == [2]
    assert node.no_event(cb, "local-only")
    b.io.emit("everyone", 3)
    assert node.event(ca, "everyone") == [3]
    assert node.event(cb, "everyone") == [3]


def test_fetch_sockets_lists_the_other_node_and_reaches_its_sockets(make_server, node, redis) -> None:
    a, b, _ = two_nodes(make_server, redis)
    ca, sa = connected(a, node)
    cb, sb = connected(b, node)
    sb.join("blue")
    found = a.resolve(a.call(a.io.fetch_sockets))
    by_id = {s.id: s for s in found}
    assert set(by_id) == {sa.id, sb.id}
    assert not by_id[sa.id].remote and by_id[sb.id].remote
    assert by_id[sb.id].rooms == {sb.id, "blue"}
    assert by_id[sb.id].data == {}  # socket.data never set: {} as in Node
    by_id[sb.id].emit("direct", 1)
    assert node.event(cb, "direct") == [1]
    assert node.no_event(ca, "direct")
    a.io.local.disconnect_sockets()
    assert node.disconnected(ca) == "io server disconnect"
    with pytest.raises(TimeoutError):
        node.disconnected(cb, 0.5)


def test_server_side_emit_with_and_without_ack(make_server, node, redis) -> None:
    a, b, _ = two_nodes(make_server, redis)
    heard: queue.Queue = queue.Queue()

    def on_sse(*args: Any) -> Any:
        heard.put(args)
        return {"echo": args[0]}

    b.io.on("sse", on_sse)
    time.sleep(0.3)
    a.call(a.io.server_side_emit, "sse", "plain", 1)
    assert next_item(heard) == ("plain", 1)
    answer = a.resolve(a.call(a.io.server_side_emit_with_ack, "sse", "asked"))
    assert answer == [{"echo": "asked"}]
    assert next_item(heard) == ("asked",)
    got: queue.Queue = queue.Queue()
    a.call(lambda: a.io.server_side_emit("sse", "cb", callback=lambda err, res: got.put((err, res))))
    assert next_item(got) == (None, [{"echo": "cb"}])


def test_server_side_emit_with_ack_times_out_with_the_answers_that_came(make_server, node, redis) -> None:
    a, b, _ = two_nodes(make_server, redis)
    b.io.on("sse", lambda *args: None)  # answers None
    c = make_server(adapter=redis.url, adapter_requests_timeout=1)  # never answers: no handler
    c.start()
    time.sleep(0.5)
    with pytest.raises(sio.AckTimeoutError) as caught:
        a.resolve(a.call(a.io.server_side_emit_with_ack, "sse", 1))
    assert "timeout reached: only 1 responses received out of 2" in str(caught.value)
    assert caught.value.responses == [None]


def test_adapter_down_and_up(make_server, node, redis) -> None:
    a, _, ups = two_nodes(make_server, redis)
    downs: queue.Queue = queue.Queue()
    a.io.on("adapter_down", downs.put)
    ca, _ = connected(a, node)
    port = redis.port
    redis.kill()
    assert "redis 127.0.0.1" in next_item(downs)
    a.io.emit("still-local", 1)
    assert node.event(ca, "still-local") == [1]
    time.sleep(0.8)  # reconnection attempts fail meanwhile
    back = Redis(port)
    try:
        next_item(ups[0], 15)
    finally:
        back.kill()


def shard_listeners(redis: Redis, channel: str) -> int:
    out = subprocess.run(["redis-cli", "-p", str(redis.port), "PUBSUB", "SHARDNUMSUB", channel],
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[1])


def test_sharded_adapter_carries_broadcasts_and_server_side_emit_with_ack(make_server, node, redis) -> None:
    """adapter_sharded: createShardedAdapter's protocol, on Redis 7's shard
    channels (SSUBSCRIBE), a room with a channel of its own."""
    a, b, _ = two_nodes(make_server, redis, adapter_sharded=True, adapter_subscription_mode="dynamic")
    ca, _ = connected(a, node)
    cb, sb = connected(b, node)
    b.io.on("sse", lambda *args: {"echo": args[0]})
    sb.join("room")
    deadline = time.monotonic() + 5
    while shard_listeners(redis, "socket.io#/#room#") != 1:
        assert time.monotonic() < deadline, "node b listens to the room's channel"
        time.sleep(0.05)
    assert shard_listeners(redis, "socket.io#/#") == 2
    a.io.to("room").emit("hello", 1)
    assert node.event(cb, "hello") == [1]
    assert node.no_event(ca, "hello")
    answer = a.resolve(a.call(a.io.server_side_emit_with_ack, "sse", "asked"))
    assert answer == [{"echo": "asked"}]


def test_a_bad_subscription_mode_is_refused(make_server, redis) -> None:
    with pytest.raises(sio.InvalidArgumentError, match="subscriptionMode"):
        make_server(adapter=redis.url, adapter_sharded=True, adapter_subscription_mode="sometimes").start()
