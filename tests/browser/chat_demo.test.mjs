// The chat demo (examples/chat) as two people use it, in headless Chromium:
// they log in, meet in a new room, chat, see each other typing and their
// messages delivered, and one reloads the page and comes back. Every check
// reads what the page shows. No page may log an error.
//
// SIO_CHAT_SCREENSHOT names where the screenshot of the chat goes (default
// build-logs/chat-demo.png; docs/images/chat-demo.png refreshes the README's).
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { launchBrowser, openUser } from "./browser.mjs";
import { ROOT, startChatServer } from "./chat_server.mjs";
import { chatMessages, notices, people, rooms, textOf, waitFor, waitForText } from "./dom.mjs";

const SCREENSHOT = path.resolve(process.env.SIO_CHAT_SCREENSHOT || path.join(ROOT, "build-logs/chat-demo.png"));

const last = (list) => list[list.length - 1];

async function logIn(user, nick) {
  const { page } = user;
  await page.waitForSelector("#login", { visible: true });
  await page.$eval("#nick", (e) => { e.value = ""; });
  await page.type("#nick", nick);
  await enterChat(user);
  await waitForText(page, "#me", nick);
  await waitForText(page, "#status-text", "connected");
}

// Presses "Enter chat" and waits for the chat to show; a refused login shows
// its error on the login card instead, which the failure then quotes.
async function enterChat(user) {
  await user.page.click("#login-form button[type=submit]");
  await waitFor(user.page, `${user.name}'s chat to open`, (page) => page.evaluate(() => ({
    chat: document.getElementById("app").checkVisibility(),
    loginError: document.getElementById("login-error").textContent,
  })), (seen) => seen.chat);
}

async function say(user, text) {
  await user.page.type("#text", text);
  await user.page.keyboard.press("Enter");
}

async function clearComposer(user) {
  await user.page.click("#text", { clickCount: 3 });
  await user.page.keyboard.press("Backspace");
}

// Clicks the room's button in the room list, as a person picks a room.
async function clickRoom(user, name) {
  const button = await user.page.waitForSelector(
    `xpath///ul[@id='rooms']//button[span[@class='room-name' and text()='# ${name}']]`);
  await button.click();
}

function waitForLastMessage(user, expected) {
  return waitFor(user.page, `${user.name}'s last message to be ${JSON.stringify(expected)}`, chatMessages,
    (msgs) => msgs.length > 0 && Object.entries(expected).every(([k, v]) => last(msgs)[k] === v));
}

function waitForNotice(user, text) {
  return waitFor(user.page, `${user.name} to see the notice ${JSON.stringify(text)}`, notices,
    (list) => list.includes(text));
}

function waitForPeople(user, expected) {
  return waitFor(user.page, `${user.name}'s people list to be ${JSON.stringify(expected)}`, people,
    (list) => JSON.stringify(list) === JSON.stringify(expected));
}

function waitForRoom(user, name, expected) {
  return waitFor(user.page, `${user.name}'s room list to show #${name} as ${JSON.stringify(expected)}`, rooms,
    (list) => {
      const r = list.find((x) => x.name === `# ${name}`);
      return r && Object.entries(expected).every(([k, v]) => r[k] === v);
    });
}

describe("the chat demo in Chromium", () => {
  let server, chromium, ada, grace;

  before(async () => {
    server = await startChatServer();
    chromium = await launchBrowser();
    ada = await openUser(chromium.browser, "ada");
    grace = await openUser(chromium.browser, "grace");
    await ada.page.goto(server.url);
    await grace.page.goto(server.url);
  });

  after(async () => {
    await chromium?.close();
    await server?.stop();
  });

  test("two people log in and land in #general, each in the other's people list", async () => {
    await logIn(ada, "ada");
    await waitForText(ada.page, "#room-title", "# general");
    await waitForNotice(ada, "You joined #general");
    await waitForPeople(ada, ["ada (you)"]);

    await logIn(grace, "grace");
    await waitForText(grace.page, "#room-title", "# general");
    await waitForPeople(grace, ["ada", "grace (you)"]);
    await waitForPeople(ada, ["ada (you)", "grace"]);
    await waitForNotice(ada, "grace joined");
    await waitForRoom(ada, "general", { users: 2, active: true });
  });

  test("they meet in a new room, which both room lists show with its count", async () => {
    await ada.page.type("#room-name", "lobby");
    await ada.page.click("#room-form button[type=submit]");
    await waitForText(ada.page, "#room-title", "# lobby");
    await waitForRoom(ada, "lobby", { users: 1, active: true });
    await waitForRoom(grace, "lobby", { users: 1, active: false });

    await clickRoom(grace, "lobby");
    await waitForText(grace.page, "#room-title", "# lobby");
    await waitForPeople(grace, ["ada", "grace (you)"]);
    await waitForPeople(ada, ["ada (you)", "grace"]);
    await waitForNotice(ada, "grace joined");
    await waitForRoom(ada, "lobby", { users: 2, active: true });
    await waitForRoom(ada, "general", { users: 0 });
    await waitForText(ada.page, "#users-title", "People in #lobby (2)");
  });

  test("a message shows on the other page, and its sender's tick turns to delivered", async () => {
    await say(ada, "hello grace");
    await waitForLastMessage(grace, { nick: "ada", body: "hello grace", own: false });
    await waitForLastMessage(ada, { nick: "ada", body: "hello grace", own: true, tick: "✓✓", delivered: true });
    assert.equal(await ada.page.$eval("#text", (e) => e.value), "", "the composer is emptied by sending");
  });

  test("the typing indicator shows while the other types and goes when they stop", async () => {
    await grace.page.type("#text", "hi");
    await waitForText(ada.page, "#typing", "grace is typing…");
    await clearComposer(grace);
    await waitForText(ada.page, "#typing", "");

    await say(grace, "hi ada! this page talks to a C server");
    await waitForLastMessage(ada, { nick: "grace", body: "hi ada! this page talks to a C server", own: false });
    await waitForLastMessage(grace, { own: true, tick: "✓✓", delivered: true });
    assert.equal(await textOf("#typing")(ada.page), "", "a sent message ends the typing indicator");

    await say(ada, "and the ticks say the server got it");
    await waitForLastMessage(ada, { own: true, tick: "✓✓", delivered: true });
    await waitForLastMessage(grace, { nick: "ada", body: "and the ticks say the server got it" });

    // Typing that pauses ends the indicator on its own (after 1.5 s idle).
    await grace.page.type("#text", "see you in #random");
    await waitForText(ada.page, "#typing", "grace is typing…");
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await ada.page.screenshot({ path: SCREENSHOT });
    await waitForText(ada.page, "#typing", "", 4000);
    await clearComposer(grace);
  });

  test("a reload asks for the nickname again (remembered), and the room and its history come back", async () => {
    await grace.page.reload();
    await grace.page.waitForSelector("#login", { visible: true });
    assert.equal(await grace.page.$eval("#nick", (e) => e.value), "grace", "the nickname is remembered");
    // At once, as someone who just presses Enter: the nickname of the page
    // that went away must be free again by then.
    await enterChat(grace);
    await waitForText(grace.page, "#me", "grace");
    await waitForText(grace.page, "#room-title", "# general");
    await waitForNotice(ada, "grace left");
    await waitForPeople(ada, ["ada (you)"]);
    await waitForRoom(grace, "lobby", { users: 1, active: false });

    await clickRoom(grace, "lobby");
    await waitForText(grace.page, "#room-title", "# lobby");
    const history = await chatMessages(grace.page);
    assert.deepEqual(history.map((m) => [m.nick, m.body, m.own, m.tick]), [
      ["ada", "hello grace", false, ""],
      ["grace", "hi ada! this page talks to a C server", true, "✓✓"],
      ["ada", "and the ticks say the server got it", false, ""],
    ]);
    await waitForPeople(grace, ["ada", "grace (you)"]);

    await say(ada, "welcome back");
    await waitForLastMessage(grace, { nick: "ada", body: "welcome back" });
    await say(grace, "thanks");
    await waitForLastMessage(ada, { nick: "grace", body: "thanks" });
    await waitForLastMessage(grace, { body: "thanks", tick: "✓✓", delivered: true });
  });

  test("markup in a message shows as text, on both pages", async () => {
    const markup = '<img src="x" onerror="console.error(1)"><b>bold?</b>';
    await say(ada, markup);
    for (const user of [ada, grace]) {
      await waitForLastMessage(user, { nick: "ada", body: markup });
      assert.equal(await user.page.$$eval("#messages .body *", (e) => e.length), 0,
        `${user.name}'s page made elements of a message`);
    }
  });

  test("neither page showed a page error or a console error", () => {
    assert.deepEqual([...ada.errors, ...grace.errors], []);
  });

  // What Ctrl-C does to the demo; under ASan, a leak also shows here.
  test("the server exits cleanly on SIGTERM once the pages are gone", async () => {
    await chromium.close();
    chromium = null;
    assert.equal(await server.stop(), 0, `the chat server's output:\n${server.output()}`);
  });
});
