// The server's resident memory and descriptors, from /proc. The storm
// connects to 127.0.0.2 and the well-behaved clients to 127.0.0.1 (both
// loopback), so the server's sockets tell which side each connection is from.
import fs from "node:fs";

export const STORM_HOST = "127.0.0.2";
const STORM_ADDR = "0200007F"; // 127.0.0.2 as /proc/net/tcp writes it
const CLIENT_ADDR = "0100007F";
const LISTEN = "0A";

export function residentKiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)[1]);
}

function readTable(pid, file) {
  try {
    return fs.readFileSync(`/proc/${pid}/net/${file}`, "utf8").split("\n").slice(1);
  } catch {
    return [];
  }
}

// inode -> {addr, peerPort} of every socket of the network namespace: addr
// is the local address (hex, IPv4 or IPv4-mapped IPv6) of a TCP connection,
// "listen" for a listening socket, "unix" for a Unix one (the server's
// stdout and stderr, say).
function knownSockets(pid) {
  const byInode = new Map();
  for (const line of readTable(pid, "unix")) {
    const inode = line.trim().split(/\s+/)[6];
    if (inode) byInode.set(inode, { addr: "unix" });
  }
  for (const file of ["tcp", "tcp6"]) {
    for (const line of readTable(pid, file)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const peerPort = parseInt(f[2].split(":")[1], 16);
      byInode.set(f[9], { addr: f[3] === LISTEN ? "listen" : f[1].split(":")[0].slice(-8), peerPort });
    }
  }
  return byInode;
}

// {rssKiB, stormSockets, clientSockets, unlistedSockets, otherFds,
// stormPeerPorts}: stormPeerPorts are the storm clients' ports of the
// stormSockets.
// unlistedSockets are sockets the table does not list: reset by the peer
// but still open here, or made between the two reads of /proc. otherFds
// counts every other descriptor, so it stays put while clients come and go.
export function serverStats(pid) {
  const sockets = knownSockets(pid);
  const count = { storm: 0, clients: 0, unlisted: 0, total: 0 };
  const stormPeerPorts = [];
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let target;
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    count.total++;
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    const socket = sockets.get(inode);
    if (socket?.addr === STORM_ADDR) {
      count.storm++;
      stormPeerPorts.push(socket.peerPort);
    } else if (socket?.addr === CLIENT_ADDR) count.clients++;
    else if (inode && !socket) count.unlisted++;
  }
  return {
    rssKiB: residentKiB(pid),
    stormSockets: count.storm,
    clientSockets: count.clients,
    unlistedSockets: count.unlisted,
    otherFds: count.total - count.storm - count.clients - count.unlisted,
    stormPeerPorts,
  };
}
