// Starts the chat demo's server (the binary examples/demo.sh runs) on a free
// loopback port, serving the page from examples/chat/public and the client
// bundle from examples/chat/node_modules, as the demo does.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CHAT = path.join(ROOT, "examples/chat");
const SERVER = process.env.SIO_CHAT_SERVER || path.join(ROOT, "build/examples/sio_chat_server");
const CLIENT_DIST = path.join(CHAT, "node_modules/socket.io-client/dist");
const START_TIMEOUT_MS = 10000;

export async function startChatServer() {
  if (!existsSync(SERVER)) {
    throw new Error(`${SERVER} not found: build the target sio_chat_server (or set SIO_CHAT_SERVER)`);
  }
  if (!existsSync(CLIENT_DIST)) {
    throw new Error(`${CLIENT_DIST} not found: run npm ci in examples/chat`);
  }
  const child = spawn(SERVER, [
    "--host", "127.0.0.1", "--port", "0",
    "--public", path.join(CHAT, "public"), "--client", CLIENT_DIST,
  ], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stderr.on("data", (d) => { output += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the chat server did not start:\n${output}`)), START_TIMEOUT_MS);
    child.stdout.on("data", (d) => {
      output += d;
      const m = /open (http:\/\/\S+\/)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the chat server exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    // SIGTERM is the demo's Ctrl-C: it closes the server and exits 0.
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
      child.kill("SIGTERM");
      return exited;
    },
  };
}
