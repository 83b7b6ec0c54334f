// sio bench: the load generator's scenarios against sio_test_server and the
// official Node server.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { cleanup, runSio, startServer, startSioServe } from "./helpers.mjs";

after(cleanup);

const QUICK = ["--clients", "2", "--window", "2", "--duration", "0.3", "--warmup", "0"];

for (const kind of ["libsio", "node"]) {
  test(`bench runs echo, ack and bcast against the ${kind} server and prints the table`, async () => {
    const server = await startServer(kind, "json");
    const r = await runSio(["bench", server.url, "--scenario", "echo,ack,bcast", ...QUICK]);
    await server.stop();
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split("\n");
    assert.match(rows[0], /^scenario\s+transport\s+clients\s+msgs\/s\s+p50 ms\s+p99 ms\s+conn\/s\s+errors$/);
    assert.equal(rows.length, 4);
    for (const [i, scenario] of ["echo", "ack", "bcast"].entries()) {
      const cells = rows[i + 1].split(/\s+/);
      assert.equal(cells[0], scenario);
      assert.equal(cells[1], "websocket");
      assert.equal(cells[2], "2");
      assert.ok(Number(cells[3]) > 0, `${scenario}: messages per second in ${rows[i + 1]}`);
      assert.equal(cells[7], "0", "no errors");
    }
    assert.match(r.stderr, /^sio bench: echo\s+\w+\s+\d+\/2 clients ready/m, "progress on stderr");
  });
}

test("bench against sio serve --echo, and its errors", async () => {
  const serve = await startSioServe(["--echo"]);
  const r = await runSio(["bench", serve.url, "--scenario", "ack", ...QUICK]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ack\s+websocket\s+2\s+[1-9]/m);
  await serve.stop();
  const closed = await runSio(["bench", serve.url, "--scenario", "echo", ...QUICK, "--connect-timeout", "1"]);
  assert.equal(closed.code, 1);
  assert.match(closed.stdout, /^echo\s+websocket\s+2\s+0\s.*\s2$/m, "both clients failed");
  const https = await runSio(["bench", "https://127.0.0.1:1"]);
  assert.equal(https.code, 1);
  assert.match(https.stderr, /plain http:\/\//);
});
