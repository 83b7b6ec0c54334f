// sio listen, emit and connect against the official Node server and against
// sio_test_server, with the JSON and the msgpack parser.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { assertClean, cleanup, connectClient, jsonLines, runSio, spawnSio, startServer } from "./helpers.mjs";

after(cleanup);

const BYTES = Buffer.from([0, 1, 2, 255]);

for (const kind of ["node", "libsio"]) {
  for (const parser of ["json", "msgpack"]) {
    describe(`against the ${kind} server, ${parser} parser`, () => {
      let server;
      before(async () => (server = await startServer(kind, parser)));
      after(() => server.stop());

      test("listen prints the events the server sends, binary as base64, and exits 0 on Ctrl-C", async () => {
        const listen = spawnSio(["listen", server.url, "--parser", parser]);
        await listen.waitFor("stderr", /connected to \/ \(sid /);
        const peer = await connectClient(server.url, parser);
        peer.emit("bcast", "hello", { n: 1 }, BYTES);
        await listen.waitFor("stdout", /"event":"bcast"/);
        peer.close();
        const { code } = await listen.stop("SIGINT");
        assert.equal(code, 0);
        assertClean(listen.out.stderr);
        assert.doesNotMatch(listen.out.stdout, /\x1b/, "no colour when piped");
        const lines = jsonLines(listen.out.stdout);
        assert.deepEqual(lines[0].args, [{}], "the server's greeting (auth)");
        const bcast = lines.find((l) => l.event === "bcast");
        assert.match(bcast.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(bcast.namespace, "/");
        assert.deepEqual(bcast.args, ["hello", { n: 1 }, { $binary: BYTES.toString("base64") }]);
      });

      test("emit --ack prints the server's answer and exits 0", async () => {
        const r = await runSio(["emit", server.url, "ack", '"hi"', '{"n":[1,2]}', "bare", "{\"$binary\":\"AAEC/w==\"}", "--ack", "--parser", parser]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), ["hi", { n: [1, 2] }, "bare", { $binary: "AAEC/w==" }]);
        assert.equal(r.stdout.trim().split("\n").length, 1, "one JSON line");
      });

      test("--transports picks polling or WebSocket alone", async () => {
        for (const transports of ["polling", "websocket"]) {
          const r = await runSio(["emit", server.url, "ack", transports, "--ack", "--transports", transports, "--parser", parser]);
          assert.equal(r.code, 0, r.stderr);
          assert.deepEqual(JSON.parse(r.stdout), [transports]);
        }
      });

      test("emit without --ack delivers the event and exits 0", async () => {
        const listen = spawnSio(["listen", server.url, "--parser", parser]);
        await listen.waitFor("stderr", /connected to/);
        const runs = await Promise.all([...Array(10).keys()].map((i) => runSio(["emit", server.url, "bcast", `[${i}]`, "--parser", parser])));
        for (const r of runs) assert.equal(r.code, 0, r.stderr);
        for (let i = 0; i < 10; i++) await listen.waitFor("stdout", new RegExp(`"event":"bcast","args":\\[\\[${i}\\]\\]`));
        assert.equal((await listen.stop()).code, 0);
      });

      test("emit --ack with no answer exits 1 with the timeout", async () => {
        const r = await runSio(["emit", server.url, "nothing", "--ack", "--timeout", "300", "--parser", parser]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /sio: ack timed out after 300 ms/);
        assert.equal(r.stdout, "");
      });

      test("a refused namespace exits 1 with the server's message", async () => {
        const r = await runSio(["emit", server.url, "ack", "--ack", "--namespace", "/nope", "--parser", parser]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /sio: connect refused: Invalid namespace/);
        const auth = await runSio(["listen", `${server.url}/private`, "--auth", '{"token":"wrong"}', "--parser", parser]);
        assert.equal(auth.code, 1);
        assert.match(auth.stderr, /sio: connect refused: not authorized \{"reason":"bad token"\}/);
      });

      test("the auth payload and namespace reach the server", async () => {
        const r = await runSio(["emit", server.url, "ack", "x", "--ack", "--namespace", "/private", "--auth", '{"token":"secret"}', "--parser", parser]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), ["x"]);
      });

      test("connect reads piped lines, emits them and prints what comes back", async () => {
        const c = spawnSio(["connect", server.url, "--parser", parser, "--timeout", "500"]);
        c.proc.stdin.write('echo "hello world" {"a": ["b c"]}\n:ack ack 1 {"$binary":"AAEC/w=="}\n');
        await c.waitFor("stdout", /"event":"echo"/);
        await c.waitFor("stdout", /"ack":"ack"/);
        c.proc.stdin.end(":ack nothing\n");
        const { code } = await c.exited;
        assert.equal(code, 0, c.out.stderr);
        assertClean(c.out.stderr);
        const lines = jsonLines(c.out.stdout);
        assert.deepEqual(lines.find((l) => l.event === "echo").args, ["hello world", { a: ["b c"] }]);
        assert.deepEqual(lines.find((l) => l.ack === "ack").args, [1, { $binary: "AAEC/w==" }]);
        assert.match(c.out.stderr, /ack of "nothing" timed out after 500 ms/);
      });
    });
  }
}

test("listen reports a lost connection and its reconnection on stderr", async () => {
  const first = await startServer("libsio", "json");
  const listen = spawnSio(["listen", first.url]);
  await listen.waitFor("stderr", /connected to \/ \(sid /);
  await first.stop("SIGKILL");
  await listen.waitFor("stderr", /sio: disconnected from \/: transport (close|error)/);
  await listen.waitFor("stderr", /sio: reconnecting \(attempt 1\)/);
  const second = await startServer("libsio", "json", first.port);
  await listen.waitFor("stderr", /sio: reconnected at attempt \d+\n.*connected to \/ \(sid /s);
  const peer = await connectClient(second.url, "json");
  peer.emit("bcast", "after");
  await listen.waitFor("stdout", /"event":"bcast","args":\["after"\]/);
  peer.close();
  assert.equal((await listen.stop()).code, 0);
  await second.stop();
});

test("emit without --ack: twenty in a row all reach the official server", async () => {
  // socket.io handles an event on the tick after it arrived and drops it
  // when the disconnection came in meanwhile: sio must not close at once.
  const server = await startServer("node", "json");
  const listen = spawnSio(["listen", server.url]);
  await listen.waitFor("stderr", /connected to/);
  for (let i = 0; i < 20; i++) {
    const r = await runSio(["emit", server.url, "bcast", `"n${i}"`]);
    assert.equal(r.code, 0, r.stderr);
  }
  await listen.waitFor("stdout", /"args":\["n19"\]/);
  const got = jsonLines(listen.out.stdout).filter((l) => l.event === "bcast").map((l) => l.args[0]);
  assert.deepEqual(got, [...Array(20).keys()].map((i) => `n${i}`));
  assert.equal((await listen.stop()).code, 0);
  await server.stop();
});

test("emit to a port nobody listens on exits 1 with the connect error", async () => {
  const r = await runSio(["emit", "http://127.0.0.1:1", "x"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /sio: connect error: .*ECONNREFUSED/);
});

test("bad command lines exit 2 with a message", async () => {
  for (const args of [["emit", "http://127.0.0.1:1"], ["emit", "u", "e", "--timeout", "x", "--ack"], ["listen", "u", "--auth", "[1]"], ["listen", "u", "--bogus"], ["nope"]]) {
    const r = await runSio(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, /^sio/, args.join(" "));
  }
});
