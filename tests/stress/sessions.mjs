// Engine.IO / Socket.IO steps on a RawConn, each checking the server's
// answer: a polling or WebSocket session joined to "/", an upgrade probe.
export const EIO = "/socket.io/?EIO=4";

// A polling session on `c` (keep-alive): its sid.
async function pollingHandshake(c) {
  c.write(c.request("GET", `${EIO}&transport=polling`));
  const body = await c.expect(200, "polling handshake");
  if (body[0] !== "0") throw new Error(`not an open packet: ${body}`);
  return JSON.parse(body.slice(1)).sid;
}

// A polling session joined to "/": its sid, once the CONNECT reply came.
export async function pollingJoined(c) {
  const sid = await pollingHandshake(c);
  c.write(c.request("POST", `${EIO}&transport=polling&sid=${sid}`, { body: "40" }));
  await c.expect(200, "POST 40");
  c.write(c.request("GET", `${EIO}&transport=polling&sid=${sid}`));
  const body = await c.expect(200, "the CONNECT reply");
  if (!body.startsWith("40")) throw new Error(`not a CONNECT reply: ${body}`);
  return sid;
}

// A WebSocket session joined to "/", past the `auth` event.
export async function websocketJoined(c) {
  c.write(c.upgradeRequest(`${EIO}&transport=websocket`));
  await c.expect(101, "WebSocket handshake");
  const open = await c.message();
  if (open[0] !== "0") throw new Error(`not an open packet: ${open}`);
  c.sendFrame("40");
  const connected = await c.message();
  if (!connected.startsWith("40")) throw new Error(`not a CONNECT reply: ${connected}`);
  const auth = await c.message();
  if (!auth.startsWith('42["auth"')) throw new Error(`not the auth event: ${auth}`);
}

// A probe of the upgrade of polling session `sid`, answered.
export async function probe(c, sid) {
  c.write(c.upgradeRequest(`${EIO}&transport=websocket&sid=${sid}`));
  await c.expect(101, "upgrade handshake");
  c.sendFrame("2probe");
  const answer = await c.message();
  if (answer !== "3probe") throw new Error(`not a probe answer: ${answer}`);
}
