"""Rooms and broadcasts: join/leave, to/except_, socket.broadcast,
sockets_join/leave, fetch_sockets, disconnect_sockets; both run modes."""
from __future__ import annotations

import queue

import sio
from waiting import next_item, wait_until


def connect_three(server, node) -> tuple[list[str], dict[str, sio.Socket]]:
    """Three clients; returns their ids and our sockets by client id."""
    sockets: queue.Queue = queue.Queue()
    server.io.on("connection", sockets.put)
    server.start()
    cids = [node.connect(server.url + "/") for _ in range(3)]
    by_sid = {}
    for _ in cids:
        socket = next_item(sockets)
        by_sid[socket.id] = socket
    return cids, {cid: by_sid[node.sids[cid]] for cid in cids}


def test_rooms_come_from_the_core_right_after_join_and_leave(make_server, node) -> None:
    server = make_server()
    (a, b, c), socket = connect_three(server, node)
    socket[a].join("red")
    assert socket[a].rooms == {socket[a].id, "red"}
    socket[a].join(["blue", "green"])
    socket[b].join("red")
    assert socket[a].rooms == {socket[a].id, "red", "blue", "green"}
    socket[a].leave("green")
    assert socket[a].rooms == {socket[a].id, "red", "blue"}
    server.io.to("red").emit("to-red", 1)
    assert node.event(a, "to-red") == [1]
    assert node.event(b, "to-red") == [1]
    assert node.no_event(c, "to-red")


def test_to_except_and_in(make_server, node) -> None:
    server = make_server()
    (a, b, c), socket = connect_three(server, node)
    socket[a].join(["red", "vip"])
    socket[b].join("red")
    socket[c].join("blue")
    server.io.to("red").except_("vip").emit("red-not-vip")
    assert node.event(b, "red-not-vip") == []
    assert node.no_event(a, "red-not-vip")
    server.io.in_("red").to("blue").emit("red-or-blue")
    for cid in (a, b, c):
        assert node.event(cid, "red-or-blue") == []
    server.io.except_("red").emit("not-red")
    assert node.event(c, "not-red") == []
    assert node.no_event(a, "not-red") and node.no_event(b, "not-red")
    server.io.to(socket[b].id).emit("private", "for b")
    assert node.event(b, "private") == ["for b"]


def test_socket_broadcast_and_socket_to_leave_out_the_sender(make_server, node) -> None:
    server = make_server()
    (a, b, c), socket = connect_three(server, node)
    socket[b].join("room")
    socket[a].join("room")
    socket[a].broadcast.emit("from-a", "hi")
    assert node.event(b, "from-a") == ["hi"]
    assert node.event(c, "from-a") == ["hi"]
    assert node.no_event(a, "from-a")
    socket[a].to("room").emit("room-from-a")
    assert node.event(b, "room-from-a") == []
    assert node.no_event(a, "room-from-a") and node.no_event(c, "room-from-a")
    socket[c].except_("room").emit("from-c-not-room")
    assert node.no_event(a, "from-c-not-room") and node.no_event(b, "from-c-not-room")
    assert node.no_event(c, "from-c-not-room")
    socket[c].in_("room").emit("from-c-to-room")
    assert node.event(a, "from-c-to-room") == [] and node.event(b, "from-c-to-room") == []


def test_socket_flags_then_to_leave_out_the_sender(make_server, node) -> None:
    # socket.io's order: socket.timeout(ms).to(room).except(room2).emit(...)
    # and socket.volatile.to(room) are broadcasts from the socket, as
    # socket.to(room).timeout(ms) is; socket.timeout(ms).emit alone goes to
    # the socket itself.
    server = make_server()
    (a, b, c), socket = connect_three(server, node)
    for cid in (a, b, c):
        socket[cid].join("room")
    socket[c].join("quiet")
    answers: queue.Queue = queue.Queue()
    socket[a].timeout(5).to("room").except_("quiet").emit(
        "vote", callback=lambda err, res: answers.put((err, res)))
    assert node.event(b, "vote") == []
    assert next_item(answers) == (None, [None])
    assert node.no_event(a, "vote") and node.no_event(c, "vote")
    socket[a].volatile.to("room").emit("v")
    assert node.event(b, "v") == [] and node.event(c, "v") == []
    assert node.no_event(a, "v")
    socket[a].volatile.timeout(5).broadcast.emit("b")
    assert node.event(b, "b") == [] and node.event(c, "b") == []
    assert node.no_event(a, "b")
    socket[a].timeout(5).emit("self", callback=lambda err, *res: answers.put((err, res)))
    assert node.event(a, "self") == []
    assert next_item(answers) == (None, ())


def test_sockets_join_and_leave(make_server, node) -> None:
    server = make_server()
    (a, b, c), socket = connect_three(server, node)
    socket[a].join("seed")
    server.io.in_("seed").sockets_join("grown")
    assert "grown" in socket[a].rooms and "grown" not in socket[b].rooms
    server.io.to("grown").emit("to-grown")
    assert node.event(a, "to-grown") == []
    assert node.no_event(b, "to-grown")
    server.io.sockets_join(["all"])
    assert all("all" in s.rooms for s in socket.values())
    server.io.sockets_leave("all")
    server.io.to("all").emit("to-all")
    assert node.no_event(a, "to-all")
    assert not any("all" in s.rooms for s in socket.values())


def test_fetch_sockets(make_server, node) -> None:
    server = make_server()
    (a, b, c), socket = connect_three(server, node)
    socket[a].join("red")
    socket[a].data["name"] = "alice"
    found = server.resolve(server.io.fetch_sockets())
    assert sorted(s.id for s in found) == sorted(s.id for s in socket.values())
    reds = server.resolve(server.io.in_("red").fetch_sockets())
    assert [s.id for s in reds] == [socket[a].id]
    red = reds[0]
    assert isinstance(red, sio.RemoteSocket)
    assert red.rooms == {socket[a].id, "red"}
    assert red.data == {"name": "alice"}
    assert red.handshake["auth"] == {}
    red.emit("remote", 1)
    assert node.event(a, "remote") == [1]


def test_fetch_sockets_inside_a_handler(make_server, node) -> None:
    server = make_server()
    counts: queue.Queue = queue.Queue()

    @server.io.on("connection")
    def on_connection(socket: sio.Socket) -> None:
        if server.mode == "blocking":
            counts.put(len(server.io.fetch_sockets()))
        else:
            async def count() -> None:
                counts.put(len(await server.io.fetch_sockets()))
            import asyncio
            asyncio.ensure_future(count())

    server.start()
    node.connect(server.url + "/")
    assert next_item(counts) == 1
    node.connect(server.url + "/")
    assert next_item(counts) == 2


def test_disconnect_sockets(make_server, node) -> None:
    server = make_server()
    (a, b, c), socket = connect_three(server, node)
    socket[a].join("kick")
    server.io.in_("kick").disconnect_sockets()
    assert node.disconnected(a) == "io server disconnect"
    wait_until(lambda: not socket[a].connected)
    assert socket[a].rooms == set()
    assert socket[b].connected
    server.io.disconnect_sockets(close=True)
    assert node.disconnected(b) in ("io server disconnect", "transport close")
    assert node.disconnected(c) in ("io server disconnect", "transport close")
