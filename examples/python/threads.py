"""Emits from many threads: handlers run in the thread that pumps (the
server's, the client's background thread), while commands such as emit, join
and close may come from any thread.

    python examples/python/threads.py
"""
import threading

import sio

io = sio.Server(host="127.0.0.1", port=0)
server_thread = threading.Thread(target=io.run)
server_thread.start()

received = []
client = sio.Client(f"http://127.0.0.1:{io.port}")


@client.on("tick")
def tick(worker, n):
    received.append((worker, n))
    if len(received) == 400:
        client.close()  # ends client.wait() below


client.wait_connected(timeout=10)


def worker(name):
    for n in range(100):
        io.emit("tick", name, n)  # a broadcast from this thread


workers = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
for thread in workers:
    thread.start()
for thread in workers:
    thread.join()

# The client's handlers run on its background thread; this one waits.
client.wait()
# Each thread's emits arrive in the order that thread made them.
for name in ("w0", "w1", "w2", "w3"):
    assert [n for w, n in received if w == name] == list(range(100))
print("received", len(received), "ticks from 4 threads, each in order")

io.close()
server_thread.join()
