"""Broadcasts with acknowledgements: every client's answer in one list, with
a time limit; a client that does not answer in time; the callback form.

    python examples/python/broadcast_acks.py
"""
import asyncio

import sio


async def main():
    io = sio.AsyncServer(host="127.0.0.1", port=0)
    io.start()
    url = f"http://127.0.0.1:{io.port}"

    clients = []
    for n in range(3):
        client = sio.AsyncClient(url)
        # n is bound now; a coroutine handler's return value is its answer.
        async def vote(question, n=n):
            await asyncio.sleep(0.01 * n)
            return f"client {n} says yes to {question!r}"
        client.on("poll", vote)
        await client.wait_connected(timeout=10)
        clients.append(client)

    answers = await io.timeout(5).emit_with_ack("poll", "lunch?")
    print(sorted(answers))

    # One client that never answers: the others' answers come with the error.
    silent = sio.AsyncClient(url)
    silent.on("poll", lambda question, ack: None)  # takes ack, never calls it
    await silent.wait_connected(timeout=10)
    try:
        await io.timeout(0.5).emit_with_ack("poll", "dinner?")
    except sio.AckTimeoutError as error:
        print("timed out; answers that came:", len(error.responses))

    # The callback form: callback(err, responses) once all answered or the time is up.
    done = asyncio.get_running_loop().create_future()
    io.to("nobody").timeout(1).emit("poll", "x", callback=lambda err, responses:
                                     done.set_result((err, responses)))
    print("empty room:", await done)

    for client in (*clients, silent):
        client.close()
    io.close()
    await io.wait_closed()


asyncio.run(main())
