"""asyncio: a middleware that checks a token, rooms, broadcasts, coroutine
handlers, and a refused client.

    python examples/python/chat_asyncio.py
"""
import asyncio

import sio


async def main():
    io = sio.AsyncServer(host="127.0.0.1", port=0)

    @io.use
    async def authenticate(socket):
        token = socket.handshake["auth"].get("token")
        if token != "secret":
            raise sio.ConnectionRefusedError("not authorized", {"reason": "bad token"})
        socket.data["user"] = socket.handshake["auth"]["user"]

    @io.on("connection")
    async def connection(socket):
        socket.join("lobby")
        io.to("lobby").except_(socket.id).emit("joined", socket.data["user"])

        @socket.on("chat")
        async def chat(text):
            # Everyone in the lobby but the sender.
            socket.to("lobby").emit("chat", socket.data["user"], text)
            return "delivered"

        @socket.on("whoami")
        def whoami():
            return {"user": socket.data["user"], "rooms": sorted(socket.rooms)}

    io.start()  # on the running loop
    url = f"http://127.0.0.1:{io.port}"

    alice = sio.AsyncClient(url, auth={"token": "secret", "user": "alice"})
    heard = asyncio.Queue()
    alice.on("joined", lambda user: heard.put_nowait(("joined", user)))
    alice.on("chat", lambda user, text: heard.put_nowait((user, text)))
    await alice.wait_connected(timeout=10)

    # Bob only now: "joined" reaches the sockets in the lobby when his
    # connection handler runs, and two clients started together may reach
    # the server in either order. Once Alice is connected, her connection
    # handler runs before that of any client that connects after.
    bob = sio.AsyncClient(url, auth={"token": "secret", "user": "bob"})
    await bob.wait_connected(timeout=10)
    print("alice heard:", await heard.get())
    print("bob: chat ->", await bob.timeout(5).emit_with_ack("chat", "hi alice"))
    print("alice heard:", await heard.get())
    print("bob is", await bob.timeout(5).emit_with_ack("whoami"))

    mallory = sio.AsyncClient(url, auth={"token": "guess"}, reconnection=False)
    try:
        await mallory.wait_connected(timeout=10)
    except sio.ConnectionRefusedError as refusal:
        print("mallory refused:", refusal.message, refusal.data)

    for client in (alice, bob, mallory):
        client.close()
    io.close()
    await io.wait_closed()


asyncio.run(main())
