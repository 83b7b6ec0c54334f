// A broadcast across two nodes of one Redis cluster: one client on node A
// emits to a room whose members (RECEIVERS clients) are all on node B.
//   node bench/cluster/cross_node.mjs libsio|ref [RECEIVERS] [BROADCASTS]
// libsio nodes are SIO_TEST_SERVER (a Release sio_test_server, say), ref
// nodes tests/interop/ref_server.mjs (socket.io + @socket.io/redis-adapter);
// redis-server is started on a free port. Prints one JSON line: the
// cross-node latency of one broadcast at a time (p50, p99, µs, 2,000 of
// them) and deliveries/s of BROADCASTS sent at once. The clients are the
// official socket.io-client in this one Node.js process: their reading
// bounds the deliveries/s of either cluster.
import { connect, emitWithAck } from "../../tests/interop/helpers/client.mjs";
import { startNode, startRedis, waitForSubscribers } from "../../tests/interop/helpers/cluster.mjs";

const [kind = "libsio", receiversArg = "50", broadcastsArg = "2000"] = process.argv.slice(2);
const RECEIVERS = Number(receiversArg);
const BROADCASTS = Number(broadcastsArg);
const LATENCY_SAMPLES = 2000;
const WS = { transports: ["websocket"] };

const redis = await startRedis();
const nodes = [await startNode(kind, redis.url), await startNode(kind, redis.url)];
try {
  await waitForSubscribers(redis.url, 2);
  const sender = await connect(nodes[0].url, "/", WS);
  const receivers = [];
  for (let i = 0; i < RECEIVERS; i++) {
    const r = await connect(nodes[1].url, "/", WS);
    await emitWithAck(r, "join", "bench");
    receivers.push(r);
  }
  const latencies = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const start = process.hrtime.bigint();
    const got = new Promise((resolve) => receivers[0].once("one", resolve));
    sender.emit("to", "bench", "one", i);
    await got;
    latencies.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  latencies.sort((x, y) => x - y);
  let delivered = 0;
  for (const r of receivers) r.on("many", () => delivered++);
  const start = process.hrtime.bigint();
  for (let i = 0; i < BROADCASTS; i++) sender.emit("to", "bench", "many", i);
  const expected = BROADCASTS * RECEIVERS;
  while (delivered < expected && Number(process.hrtime.bigint() - start) < 60e9)
    await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({
    kind, receivers: RECEIVERS, broadcasts: BROADCASTS,
    cross_node_p50_us: Math.round(latencies[Math.floor(LATENCY_SAMPLES * 0.5)]),
    cross_node_p99_us: Math.round(latencies[Math.floor(LATENCY_SAMPLES * 0.99)]),
    deliveries_per_s: Math.round(delivered / seconds), delivered, expected,
  }));
  sender.close();
  for (const r of receivers) r.close();
} finally {
  for (const n of nodes) n.kill();
  await redis.kill();
}
