// Namespaces of the test server: /, /custom, /private with its middleware,
// dynamic /dyn-*, unknown ones, the `auth` event, and several namespaces
// multiplexed on one connection.
import assert from "node:assert/strict";
import { Manager } from "socket.io-client";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { connect, EventRecorder, PARSER_OPTS, TRANSPORT_MODES, withTimeout } from "./helpers/client.mjs";

for (const [mode, transportOpts] of Object.entries(TRANSPORT_MODES)) {
  describeWithServer(`namespaces over ${mode}`, [], (ctx) => {
    const open = (nsp, opts = {}) => connect(ctx.url, nsp, { ...transportOpts, ...opts });

    test("the main namespace emits auth {} when the client sent none", async () => {
      const socket = await open("/");
      assert.deepEqual(await socket.events.next("auth"), [{}]);
      socket.close();
    });

    test("the auth event carries the client's auth payload", async () => {
      const auth = { token: "abc", n: 1, nested: { list: [1, "two", null] } };
      const socket = await open("/", { auth });
      assert.deepEqual(await socket.events.next("auth"), [auth]);
      socket.close();
    });

    test("/custom accepts and handles events in its own namespace", async () => {
      const socket = await open("/custom", { auth: { who: "custom" } });
      assert.deepEqual(await socket.events.next("auth"), [{ who: "custom" }]);
      socket.emit("echo", "in custom");
      assert.deepEqual(await socket.events.next("echo"), ["in custom"]);
      socket.close();
    });

    test("/private refuses a client without a token", async () => {
      await assert.rejects(open("/private"), (err) => {
        assert.equal(err.message, "not authorized");
        assert.deepEqual(err.data, { reason: "bad token" });
        return true;
      });
    });

    test("/private refuses a wrong token", async () => {
      await assert.rejects(open("/private", { auth: { token: "guess" } }), (err) => {
        assert.equal(err.message, "not authorized");
        assert.deepEqual(err.data, { reason: "bad token" });
        return true;
      });
    });

    test("/private accepts the right token", async () => {
      const socket = await open("/private", { auth: { token: "secret" } });
      assert.deepEqual(await socket.events.next("auth"), [{ token: "secret" }]);
      socket.emit("echo", "private");
      assert.deepEqual(await socket.events.next("echo"), ["private"]);
      socket.close();
    });

    test("dynamic namespaces /dyn-* are accepted and isolated from each other", async () => {
      const a = await open("/dyn-x");
      const b = await open("/dyn-other");
      const main = await open("/");
      assert.deepEqual(await a.events.next("auth"), [{}]);
      a.emit("bcast", "only dyn-x");
      assert.deepEqual(await a.events.next("bcast"), ["only dyn-x"]);
      assert.ok(await b.events.none("bcast", 200));
      assert.ok(await main.events.none("bcast", 0));
      for (const s of [a, b, main]) s.close();
    });

    test("an unknown namespace is refused with Invalid namespace", async () => {
      await assert.rejects(open("/nope"), (err) => {
        assert.equal(err.message, "Invalid namespace");
        return true;
      });
      await assert.rejects(open("/dyn"), (err) => err.message === "Invalid namespace");
    });

    test("the Socket.IO id differs from the Engine.IO sid and per namespace", async () => {
      const manager = new Manager(ctx.url, { reconnection: false, ...PARSER_OPTS, ...transportOpts });
      const main = manager.socket("/");
      const custom = manager.socket("/custom", { auth: { on: "custom" } });
      const mainEvents = new EventRecorder(main);
      const customEvents = new EventRecorder(custom);
      await withTimeout(Promise.all([mainEvents.next("connect"), customEvents.next("connect")]), 5000, "two namespaces");
      assert.notEqual(main.id, custom.id);
      assert.notEqual(main.id, manager.engine.id);
      assert.deepEqual(await customEvents.next("auth"), [{ on: "custom" }]);
      main.emit("echo", "main");
      custom.emit("echo", "custom");
      assert.deepEqual(await mainEvents.next("echo"), ["main"]);
      assert.deepEqual(await customEvents.next("echo"), ["custom"]);
      custom.disconnect();
      main.emit("echo", "still connected");
      assert.deepEqual(await mainEvents.next("echo"), ["still connected"]);
      main.disconnect();
    });

    test("a refused namespace does not affect another on the same connection", async () => {
      const manager = new Manager(ctx.url, { reconnection: false, ...PARSER_OPTS, ...transportOpts });
      const main = manager.socket("/");
      const refused = manager.socket("/private", { auth: { token: "no" } });
      const mainEvents = new EventRecorder(main);
      const refusedEvents = new EventRecorder(refused);
      await mainEvents.next("connect");
      const [err] = await refusedEvents.next("connect_error");
      assert.equal(err.message, "not authorized");
      main.emit("echo", "alive");
      assert.deepEqual(await mainEvents.next("echo"), ["alive"]);
      main.disconnect();
    });
  });
}
