// The libsio chat page. Every text that came from the network goes into the
// page through textContent, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const ui = {
    login: $("login"), loginForm: $("login-form"), nick: $("nick"),
    loginError: $("login-error"), app: $("app"), status: $("status"),
    statusText: $("status-text"), rooms: $("rooms"), roomForm: $("room-form"),
    roomName: $("room-name"), roomError: $("room-error"), users: $("users"),
    usersTitle: $("users-title"), me: $("me"), roomTitle: $("room-title"),
    leave: $("leave"), messages: $("messages"), typing: $("typing"),
    composer: $("composer"), text: $("text"), send: $("send"),
  };

  const ACK_TIMEOUT_MS = 10000;
  const TYPING_IDLE_MS = 1500;
  // A "stop typing" can be lost with a dropped connection; an indicator
  // nobody refreshes fades out after this long.
  const TYPING_STALE_MS = 6000;

  // autoConnect is off: the socket connects once a nickname is chosen.
  const socket = io({ autoConnect: false });
  const state = {
    nick: "",
    room: null,        // the room shown, or null
    wantedRoom: "general",
    typingSent: false,
    typingTimer: 0,
    typers: new Map(), // nick -> fade-out timer
  };

  // ---- helpers ----------------------------------------------------------
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const clock = (ts) =>
    new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const nearBottom = () =>
    ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 80;
  const scrollDown = () => { ui.messages.scrollTop = ui.messages.scrollHeight; };

  function setStatus(kind, text) {
    ui.status.dataset.kind = kind;
    ui.statusText.textContent = text;
  }

  function setComposer(enabled) {
    ui.text.disabled = !enabled;
    ui.send.disabled = !enabled;
    ui.leave.disabled = !enabled;
    if (enabled) ui.text.focus();
  }

  // ---- rendering --------------------------------------------------------
  function renderRooms(rooms) {
    ui.rooms.replaceChildren(...rooms.map((r) => {
      const li = el("li");
      const b = el("button", r.name === state.room ? "room active" : "room");
      b.type = "button";
      b.append(el("span", "room-name", "# " + r.name),
               el("span", "count", String(r.users)));
      b.title = `${r.users} ${r.users === 1 ? "person" : "people"}`;
      b.addEventListener("click", () => joinRoom(r.name));
      li.append(b);
      return li;
    }));
  }

  function renderUsers(users) {
    ui.usersTitle.textContent = state.room
      ? `People in #${state.room} (${users.length})` : "People";
    ui.users.replaceChildren(...users.map((n) => {
      const li = el("li", n === state.nick ? "user self" : "user", n);
      if (n === state.nick) li.append(el("span", "you", " (you)"));
      return li;
    }));
  }

  function addMessage(m, own) {
    const stick = own || nearBottom();
    const li = el("li", own ? "msg own" : "msg");
    const meta = el("div", "meta");
    meta.append(el("span", "nick", m.nick), el("time", "time", clock(m.ts)));
    const tick = el("span", "tick");
    meta.append(tick);
    li.append(meta, el("div", "body", m.text));
    ui.messages.append(li);
    if (stick) scrollDown();
    return { li, tick };
  }

  function markDelivered(tick, ts) {
    tick.className = "tick delivered";
    tick.textContent = "✓✓";
    tick.title = "delivered " + new Date(ts).toLocaleString();
  }

  function addNotice(text) {
    const stick = nearBottom();
    ui.messages.append(el("li", "notice", text));
    if (stick) scrollDown();
  }

  function renderTyping() {
    const names = [...state.typers.keys()];
    let text = "";
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = "Several people are typing…";
    ui.typing.textContent = text;
  }

  function clearTypers() {
    for (const t of state.typers.values()) clearTimeout(t);
    state.typers.clear();
    renderTyping();
  }

  function showRoom(res) {
    state.room = res.room;
    state.wantedRoom = res.room;
    ui.roomTitle.textContent = "# " + res.room;
    ui.messages.replaceChildren();
    clearTypers();
    for (const m of res.history) {
      const own = m.nick === state.nick;
      const { tick } = addMessage(m, own);
      if (own) markDelivered(tick, m.ts);
    }
    addNotice(`You joined #${res.room}`);
    renderUsers(res.users);
    setComposer(true);
    scrollDown();
    for (const b of ui.rooms.querySelectorAll(".room")) {
      b.classList.toggle("active",
        b.querySelector(".room-name").textContent === "# " + res.room);
    }
  }

  function showNoRoom() {
    state.room = null;
    ui.roomTitle.textContent = "Pick a room";
    ui.messages.replaceChildren();
    clearTypers();
    renderUsers([]);
    setComposer(false);
    addNotice("You are in no room. Pick one on the left.");
    for (const b of ui.rooms.querySelectorAll(".room")) b.classList.remove("active");
  }

  // ---- commands ---------------------------------------------------------
  function stopTyping() {
    clearTimeout(state.typingTimer);
    if (state.typingSent) {
      state.typingSent = false;
      socket.emit("stop typing");
    }
  }

  function joinRoom(name) {
    ui.roomError.textContent = "";
    if (name === state.room) return;
    stopTyping();
    socket.timeout(ACK_TIMEOUT_MS).emit("join", name, (err, res) => {
      if (err) ui.roomError.textContent = "The server did not answer.";
      else if (!res.ok) ui.roomError.textContent = res.error;
      else showRoom(res);
    });
  }

  function sendMessage(text) {
    const room = state.room;
    const { li, tick } = addMessage({ nick: state.nick, ts: Date.now(), text }, true);
    tick.textContent = "…";
    tick.title = "sending";
    socket.timeout(ACK_TIMEOUT_MS).emit("message", text, (err, res) => {
      if (state.room !== room) return;
      if (err || !res.ok) {
        li.classList.add("failed");
        tick.className = "tick failed";
        tick.textContent = "!";
        tick.title = err ? "not delivered: no answer" : "not delivered: " + res.error;
        return;
      }
      li.querySelector(".time").textContent = clock(res.ts);
      markDelivered(tick, res.ts);
    });
  }

  // ---- socket events ----------------------------------------------------
  socket.on("connect", () => {
    setStatus("ok", "connected");
    // A reconnection is a new socket on the server: log in and rejoin.
    socket.timeout(ACK_TIMEOUT_MS).emit("login", state.nick, (err, res) => {
      if (err || !res.ok) {
        socket.disconnect();
        ui.app.hidden = true;
        ui.login.hidden = false;
        ui.loginError.textContent = err ? "The server did not answer." : res.error;
        ui.nick.focus();
        return;
      }
      state.nick = res.nick;
      ui.me.textContent = res.nick;
      ui.login.hidden = true;
      ui.app.hidden = false;
      renderRooms(res.rooms);
      const room = state.wantedRoom;
      state.room = null;
      if (room) joinRoom(room);
      else showNoRoom();
    });
  });

  socket.on("disconnect", (reason) => {
    setStatus("down", reason === "io client disconnect" ? "offline" : "reconnecting");
    setComposer(false);
    clearTypers();
    state.typingSent = false;
  });
  socket.io.on("reconnect_attempt", () => setStatus("down", "reconnecting"));
  socket.on("connect_error", () => setStatus("down", "cannot reach server"));

  socket.on("rooms", renderRooms);

  socket.on("users", (u) => {
    if (u.room === state.room) renderUsers(u.users);
  });

  socket.on("user joined", (n) => {
    if (n.room === state.room) addNotice(`${n.nick} joined`);
  });

  socket.on("user left", (n) => {
    if (n.room === state.room) addNotice(`${n.nick} left`);
  });

  socket.on("message", (m) => {
    if (m.room !== state.room) return;
    if (state.typers.has(m.nick)) {
      clearTimeout(state.typers.get(m.nick));
      state.typers.delete(m.nick);
      renderTyping();
    }
    addMessage(m, false);
  });

  socket.on("typing", (t) => {
    if (t.room !== state.room) return;
    clearTimeout(state.typers.get(t.nick));
    state.typers.set(t.nick, setTimeout(() => {
      state.typers.delete(t.nick);
      renderTyping();
    }, TYPING_STALE_MS));
    renderTyping();
  });

  socket.on("stop typing", (t) => {
    if (t.room !== state.room || !state.typers.has(t.nick)) return;
    clearTimeout(state.typers.get(t.nick));
    state.typers.delete(t.nick);
    renderTyping();
  });

  // ---- page events ------------------------------------------------------
  ui.nick.value = localStorage.getItem("chat.nick") || "";

  ui.loginForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const nick = ui.nick.value.trim();
    if (!nick) return;
    ui.loginError.textContent = "";
    localStorage.setItem("chat.nick", nick);
    state.nick = nick;
    setStatus("down", "connecting");
    socket.connect();
  });

  ui.roomForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const name = ui.roomName.value.trim().toLowerCase();
    if (!name) return;
    ui.roomName.value = "";
    joinRoom(name);
  });

  ui.leave.addEventListener("click", () => {
    stopTyping();
    socket.timeout(ACK_TIMEOUT_MS).emit("leave", (err, res) => {
      if (!err && res.ok) {
        state.wantedRoom = null;
        showNoRoom();
      }
    });
  });

  ui.text.addEventListener("input", () => {
    if (!ui.text.value) {
      stopTyping();
      return;
    }
    if (!state.typingSent) {
      state.typingSent = true;
      socket.emit("typing");
    }
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  });

  ui.composer.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = ui.text.value.trim();
    if (!text || !state.room || !socket.connected) return;
    ui.text.value = "";
    stopTyping();
    sendMessage(text);
  });
})();
