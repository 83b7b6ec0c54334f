// Starts the server under test as a child process on a free port and stops it,
// checking that it exits 0 on SIGTERM with no sanitizer report on stderr.
//
// SIO_TEST_SERVER picks the server: unset or "ref" is the Node reference
// server (ref_server.mjs); anything else is a command line, e.g. the path of
// build-asan/examples/sio_test_server or "node tests/interop/ref_server.mjs".
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const REF_SERVER = fileURLToPath(new URL("../ref_server.mjs", import.meta.url));
const START_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 15000;
const SANITIZER_REPORT = /==\d+==ERROR: |runtime error: |WARNING: ThreadSanitizer|SUMMARY: \w+Sanitizer/;

function serverCommand() {
  const choice = process.env.SIO_TEST_SERVER;
  if (!choice || choice === "ref") return [process.execPath, REF_SERVER];
  return choice.split(/\s+/).filter(Boolean);
}

// True when the suites run against the Node reference server rather than libsio.
export function underTestIsReference() {
  return serverCommand()[1] === REF_SERVER;
}

export async function startServer(args = []) {
  const [cmd, ...cmdArgs] = serverCommand();
  const proc = spawn(cmd, [...cmdArgs, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let exit = null;
  const exited = new Promise((resolve) => proc.on("close", (code, signal) => resolve((exit = { code, signal }))));
  proc.stderr.on("data", (chunk) => (stderr += chunk));

  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not listen within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
    proc.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = /^listening on (\d+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (${JSON.stringify(e)}): ${stderr}`));
    });
  });

  return {
    pid: proc.pid,
    port,
    pid: proc.pid,
    url: `http://127.0.0.1:${port}`,
    // Sends SIGTERM and throws unless the server exits 0 with a clean stderr.
    async stop() {
      if (exit !== null) throw new Error(`server died during the tests (${JSON.stringify(exit)}): ${stderr}`);
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(timer);
      if (SANITIZER_REPORT.test(stderr)) throw new Error(`sanitizer report in server stderr:\n${stderr}`);
      if (result.code !== 0) throw new Error(`server exited with ${JSON.stringify(result)} on SIGTERM:\n${stderr}`);
    },
    // Last-resort cleanup for an after() hook: never throws.
    kill() {
      if (exit === null) proc.kill("SIGKILL");
    },
  };
}
