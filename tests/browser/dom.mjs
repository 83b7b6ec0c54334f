// What a person sees on the chat page, read from the DOM, and a wait that
// reports what was seen instead when the expected never shows up.
const WAIT_MS = 5000;
const POLL_MS = 50;

// Polls look(page) until accept(value) holds; on timeout the error names what
// was awaited and the last value seen.
export async function waitFor(page, what, look, accept, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  let seen;
  for (;;) {
    seen = await look(page);
    if (accept(seen)) return seen;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}; the page shows ${JSON.stringify(seen)}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export const textOf = (selector) => (page) =>
  page.$eval(selector, (e) => e.textContent.trim()).catch(() => null);

export function waitForText(page, selector, expected, ms) {
  return waitFor(page, `${selector} to read ${JSON.stringify(expected)}`, textOf(selector),
    (t) => t === expected, ms);
}

// The messages list, top to bottom: chat messages and notices.
export const feed = (page) => page.$$eval("#messages > li", (items) => items.map((li) => {
  if (li.classList.contains("notice")) return { notice: li.textContent.trim() };
  return {
    nick: li.querySelector(".nick")?.textContent,
    body: li.querySelector(".body")?.textContent,
    own: li.classList.contains("own"),
    tick: li.querySelector(".tick")?.textContent,
    delivered: li.querySelector(".tick")?.classList.contains("delivered"),
  };
}));

export const chatMessages = async (page) => (await feed(page)).filter((m) => !m.notice);
export const notices = async (page) => (await feed(page)).filter((m) => m.notice).map((m) => m.notice);

// The people list, as shown ("ada (you)", "grace").
export const people = (page) => page.$$eval("#users > li", (items) => items.map((li) => li.textContent.trim()));

// The rooms list, as shown ("# general 2").
export const rooms = (page) => page.$$eval("#rooms .room", (items) => items.map((b) => ({
  name: b.querySelector(".room-name").textContent,
  users: Number(b.querySelector(".count").textContent),
  active: b.classList.contains("active"),
})));
