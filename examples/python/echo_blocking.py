"""A blocking server and a blocking client in one program: echo, an
acknowledgement by return value, one by calling ack, and binary data.

    python examples/python/echo_blocking.py
"""
import threading

import sio

io = sio.Server(host="127.0.0.1", port=0)  # port 0: any free port


@io.on("connection")
def connection(socket):
    print("server: connected", socket.id, "auth:", socket.handshake["auth"])

    @socket.on("echo")
    def echo(*args):
        socket.emit("echo", *args)

    @socket.on("sum")
    def total(numbers):
        return sum(numbers)  # the return value is the acknowledgement

    @socket.on("upload")
    def upload(name, blob, ack):  # a parameter named ack: call it yourself
        ack(name, len(blob), blob[::-1])

    socket.on("disconnect", lambda reason: print("server: disconnected,", reason))


# Handlers run in the thread that runs the server.
server_thread = threading.Thread(target=io.run)
server_thread.start()

client = sio.Client(f"http://127.0.0.1:{io.port}", auth={"user": "alice"})


@client.on("echo")
def echoed(*args):
    print("client: echo ->", args)
    client.close()  # ends client.wait() below


client.wait_connected(timeout=10)
print("client: sum =", client.timeout(5).emit_with_ack("sum", [1, 2, 3]))
print("client: upload ->", client.timeout(5).emit_with_ack("upload", "a.bin", b"\x01\x02\x03"))
client.emit("echo", "hello", {"n": 1})
# Waits until the client is closed (its handlers run on its own thread).
client.wait()

io.close()  # any thread; run() returns once the core reports the server closed
server_thread.join()
