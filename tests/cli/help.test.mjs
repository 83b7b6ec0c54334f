// --help, the man page made from it, and colour only on a terminal.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";

import { MAN_PAGE, SIO, cleanup, runSio } from "./helpers.mjs";

after(cleanup);

const MAN_SCRIPT = fileURLToPath(new URL("../../examples/cli/man_page.py", import.meta.url));
const COMMANDS = ["listen", "emit", "connect", "serve", "bench"];

// Man page text with troff's escapes undone, by .SS section.
function manSections() {
  const text = readFileSync(MAN_PAGE, "utf8").replace(/\\f[BIR]/g, "").replace(/\\-/g, "-").replace(/\\e/g, "\\").replace(/\\&/g, "");
  const sections = {};
  for (const part of text.split(/^\.SS /m).slice(1)) {
    const name = /^"sio (\w+)/.exec(part)[1];
    sections[name] = part;
  }
  return sections;
}

test("every subcommand's --help lists its options, and the man page has each with the same text", async () => {
  const sections = manSections();
  assert.deepEqual(Object.keys(sections), COMMANDS);
  for (const name of COMMANDS) {
    const r = await runSio([name, "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^Usage: sio ${name} `));
    const options = [...r.stdout.matchAll(/^ {2}(--[a-z-]+)(?: \S+)?\s{2,}(.*)$/gm)];
    assert.ok(options.length >= 2, `${name} lists its options`);
    for (const [, flag, help] of options) {
      assert.ok(sections[name].includes(`\n${flag}`), `man page: sio ${name} ${flag}`);
      assert.ok(sections[name].includes(help), `man page: sio ${name} ${flag}: "${help}"`);
    }
    const manFlags = [...sections[name].matchAll(/^(--[a-z-]+)/gm)].map((m) => m[1]);
    assert.deepEqual(manFlags, options.map((o) => o[1]), `sio ${name}: the same options in the same order`);
  }
});

test("docs/sio.1 is what examples/cli/man_page.py makes of the help", () => {
  const made = execFileSync("python3", [MAN_SCRIPT, SIO], { encoding: "utf8" });
  assert.equal(readFileSync(MAN_PAGE, "utf8"), made, "regenerate: python3 examples/cli/man_page.py build/examples/sio > docs/sio.1");
});

test("sio --help names every subcommand; no colour when piped", async () => {
  const r = await runSio(["--help"]);
  assert.equal(r.code, 0);
  for (const name of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${name} `, "m"));
  assert.doesNotMatch(r.stdout, /\x1b/);
  const err = await runSio(["listen", "--nope"]);
  assert.doesNotMatch(err.stderr, /\x1b/);
});

// script(1) gives the tool a terminal.
function onTerminal(args, env = {}) {
  return execFileSync("script", ["-qec", [SIO, ...args].join(" "), "/dev/null"], {
    encoding: "utf8",
    env: { ...process.env, TERM: "xterm", NO_COLOR: "", ...env },
  });
}

test("colour on a terminal, none with NO_COLOR", () => {
  assert.match(onTerminal(["--help"]), /\x1b\[1mUsage:\x1b\[0m/);
  assert.doesNotMatch(onTerminal(["--help"], { NO_COLOR: "1" }), /\x1b/);
});
