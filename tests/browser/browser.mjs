// Debian's Chromium, headless, driven by puppeteer-core (which downloads no
// browser of its own). The flags keep it off the network: this machine lets
// no connection out, and Chromium's background services would only be
// refused. --no-sandbox because the test command runs as root.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import puppeteer from "puppeteer-core";

const CHROMIUM = process.env.SIO_CHROMIUM || "/usr/bin/chromium";
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
export const VIEWPORT = { width: 1000, height: 620 };

export async function launchBrowser() {
  const profile = await mkdtemp(path.join(os.tmpdir(), "sio-chromium-"));
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...FLAGS, `--user-data-dir=${profile}`],
      defaultViewport: VIEWPORT,
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw new Error(`cannot start ${CHROMIUM} (Debian package chromium): ${err.message}`);
  }
  return {
    browser,
    async close() {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

// One person: a page in a browser context of its own (its own storage, as a
// second browser would have), and every page error and console error it
// shows, in `errors`.
export async function openUser(browser, name) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  // Puppeteer's own waits (for a selector, a navigation) give up as soon as
  // those of the test do.
  page.setDefaultTimeout(5000);
  const errors = [];
  page.on("pageerror", (err) => errors.push(`${name}: page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`${name}: console error: ${msg.text()}`);
  });
  return { name, page, errors };
}
