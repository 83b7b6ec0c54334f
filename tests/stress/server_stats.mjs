// The server's resident memory and descriptors, from /proc. The storm
// connects to 127.0.0.2 and the well-behaved clients to 127.0.0.1 (both
// loopback), so the server's sockets tell which side each connection is from.
import fs from "node:fs";

export const STORM_HOST = "127.0.0.2";
const STORM_ADDR = "0200007F"; // 127.0.0.2 as /proc/net/tcp writes it
const CLIENT_ADDR = "0100007F";
const LISTEN = "0A";

function residentKiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)[1]);
}

// inode -> local address (hex, IPv4 or IPv4-mapped IPv6) of every TCP socket
// of the network namespace, "listen" for a listening one.
function tcpSockets(pid) {
  const byInode = new Map();
  for (const file of ["tcp", "tcp6"]) {
    let text;
    try {
      text = fs.readFileSync(`/proc/${pid}/net/${file}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      byInode.set(f[9], f[3] === LISTEN ? "listen" : f[1].split(":")[0].slice(-8));
    }
  }
  return byInode;
}

// {rssKiB, stormSockets, clientSockets, otherFds}: otherFds counts every
// descriptor but the connections, so it stays put while clients come and go.
// A socket made between the two reads of /proc is not in the table yet: the
// reading is taken again then (a few times: a socket that is not TCP is never
// in the table).
export function serverStats(pid) {
  for (let i = 0; i < 20; i++) {
    const stats = tryStats(pid, true);
    if (stats) return stats;
  }
  return tryStats(pid, false);
}

function tryStats(pid, strict) {
  const sockets = tcpSockets(pid);
  let storm = 0;
  let clients = 0;
  let total = 0;
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let target;
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    total++;
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    const addr = sockets.get(inode);
    if (strict && inode && !addr) return null;
    if (addr === STORM_ADDR) storm++;
    else if (addr === CLIENT_ADDR) clients++;
  }
  return { rssKiB: residentKiB(pid), stormSockets: storm, clientSockets: clients, otherFds: total - storm - clients };
}
