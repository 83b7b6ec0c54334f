"""The msgpack parser: a server and a client created with parser="msgpack"
(both sides must agree). The handlers are the same as with JSON: only the
bytes on the wire differ.

    python examples/python/msgpack_parser.py
"""
import threading

import sio

io = sio.Server(host="127.0.0.1", port=0, parser="msgpack")


@io.on("connection")
def connection(socket):
    @socket.on("echo")
    def echo(text, blob):
        return text.upper(), blob[::-1]


server_thread = threading.Thread(target=io.run)
server_thread.start()

client = sio.Client(f"http://127.0.0.1:{io.port}", parser="msgpack")
client.wait_connected(timeout=10)
print("client: echo ->", client.timeout(5).emit_with_ack("echo", "hello", b"\x01\x02\x03"))
client.close()
client.wait()

io.close()
server_thread.join()
