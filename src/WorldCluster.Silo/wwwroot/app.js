// The WorldCluster page: list and create worlds, watch or play one live.
import {
  createInvite, createWorld, getParticipants, getWorld, joinWorld, listModels, listWorldIds, setToken, storedJoin, storeJoin,
  tokenClaims,
} from "./api.js";
import { bindPad, toggleFullscreen } from "./controls.js";
import { findColour } from "./marker.js";
import { chooseFormat, createPainter } from "./player.js";
import { openSession } from "./session.js";

const $ = (id) => document.getElementById(id);

// Keys by action name (layout-independent `code`s), so any model whose actions are named like these is playable.
const KEYS = {
  up: ["ArrowUp", "KeyW"],
  down: ["ArrowDown", "KeyS"],
  left: ["ArrowLeft", "KeyA"],
  right: ["ArrowRight", "KeyD"],
  interact: ["Space", "KeyE"],
};
// The reference world, and the learned world trained on its frames, draw slot n's avatar in this colour (docs/reference-world.md).
const SLOT_COLOURS = ["#eb4034", "#4285f4", "#facc15", "#ce54de"];
const SLOT_COLOUR_NAMES = ["red", "blue", "yellow", "magenta"];
const WORLD_DETAILS_LIMIT = 100;
const HEADER_HISTORY = 256;
const PARTICIPANTS_POLL_MS = 1500;

// What the page knows, also read by the browser test (tests/WorldCluster.Silo.Tests/Browser).
const view = {
  state: "idle", // idle | connecting | open | reconnecting | closed
  worldId: null,
  role: null,
  slot: null,
  welcome: null,
  lastHeader: null,
  headers: [],
  framesReceived: 0,
  framesDrawn: 0,
  drawnTicks: [], // ticks of the last frames drawn, in drawing order
  format: null, // the session's frame format, as its welcome says
  fps: 0,
  latencyMs: null,
  participants: [],
  lastError: null,
  welcomes: 0, // welcomes in this world: more than one after a reconnect
  reconnectAttempts: 0,
  lastClose: null, // { opened, code, reason } of the last socket
  closes: [], // the last 20 of them
  notices: [], // the last 20 resumed / skipped messages
  inviteLink: null,
  fullscreenRequests: 0,
  actionsSent: 0,
};
window.worldcluster = view;

let models = [];
let session = null; // { worldId, role, handle, world, actionNames, actionsByKey, join, attempt, retryTimer }
let generation = 0;
let frameArrivals = [];
let latencies = [];
let pendingAction = null; // { action, sentAt }
let painter = null; // paints the open socket's frames (player.js)
let participantsTimer = null;

// ---- worlds: list and create ----

async function loadModels() {
  const select = $("create-model");
  try {
    models = await listModels();
  } catch (e) {
    $("create-status").textContent = `Could not load models: ${e.message}`;
    return;
  }
  select.replaceChildren(...models.map((m) => {
    const option = new Option(`${m.name} ${m.version}`, m.name);
    option.title = `up to ${m.maxPlayers} players`;
    return option;
  }));
  updatePlayersLimit();
}

function updatePlayersLimit() {
  const model = models.find((m) => m.name === $("create-model").value);
  if (model) {
    $("create-players").max = model.maxPlayers;
  }
}

async function refreshWorlds() {
  const status = $("worlds-status");
  const button = $("refresh-worlds");
  button.disabled = true;
  status.textContent = "Loading…";
  try {
    const ids = await listWorldIds();
    const shown = ids.slice(0, WORLD_DETAILS_LIMIT);
    const infos = await Promise.all(shown.map((id) => getWorld(id).catch((e) => ({ id, error: e.message }))));
    $("worlds-list").replaceChildren(...infos.map(worldItem));
    status.textContent = ids.length === 0
      ? "No worlds yet: create one above."
      : ids.length > shown.length
        ? `${ids.length} worlds; showing the first ${shown.length}.`
        : `${ids.length} world${ids.length === 1 ? "" : "s"}.`;
  } catch (e) {
    status.textContent = `Could not list worlds: ${e.message}`;
  } finally {
    button.disabled = false;
  }
}

function worldItem(info) {
  const item = document.createElement("li");
  item.className = "world";
  item.dataset.worldId = info.id;
  if (session?.worldId === info.id) {
    item.classList.add("current");
  }
  const text = document.createElement("div");
  const id = document.createElement("code");
  id.className = "world-id";
  id.textContent = info.id;
  const meta = document.createElement("div");
  meta.className = "world-meta";
  if (info.error) {
    meta.textContent = `unavailable: ${info.error}`;
  } else {
    const rate = info.tickHz > 0 ? `${info.tickHz} Hz` : "on demand";
    const ticking = info.tickHz > 0 ? (info.ticking ? "ticking" : "paused") : "stepped";
    meta.append(
      metaPart("tick", info.tick),
      metaPart("players", info.players),
      metaPart("rate", rate),
      metaPart("state", ticking, info.ticking ? "on" : "off"),
    );
    item.dataset.tick = info.tick;
    item.dataset.ticking = info.ticking;
  }
  text.append(id, meta);

  const buttons = document.createElement("div");
  buttons.className = "world-buttons";
  buttons.append(
    worldButton("Watch", `Watch world ${info.id}`, () => openWorld(info.id, "spectator")),
    worldButton("Play", `Play in world ${info.id}`, () => openWorld(info.id, "player"), "primary"),
  );
  item.append(text, buttons);
  return item;
}

function metaPart(label, value, flag) {
  const span = document.createElement("span");
  span.className = `meta-${label}`;
  if (flag) {
    span.classList.add(flag);
  }
  span.title = label;
  span.textContent = label === "players" ? `${value} player${value === 1 ? "" : "s"}` : label === "tick" ? `tick ${value}` : value;
  return span;
}

function worldButton(text, label, onClick, kind) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = text;
  button.setAttribute("aria-label", label);
  button.dataset.role = text === "Play" ? "player" : "spectator";
  if (kind) {
    button.classList.add(kind);
  }
  button.addEventListener("click", onClick);
  return button;
}

async function submitCreate(event) {
  event.preventDefault();
  const status = $("create-status");
  const button = $("create-button");
  const seedText = $("create-seed").value.trim();
  const body = {
    model: $("create-model").value,
    players: Number($("create-players").value),
    tickHz: Number($("create-tickhz").value),
  };
  if (seedText !== "") {
    body.seed = Number(seedText);
  }
  button.disabled = true;
  status.textContent = "Creating…";
  try {
    const world = await createWorld(body);
    status.textContent = `Created ${world.id}.`;
    status.dataset.worldId = world.id;
    await refreshWorlds();
  } catch (e) {
    status.textContent = `Not created: ${e.message}`;
  } finally {
    button.disabled = false;
  }
}

// ---- a session: watch or play ----

// Waits between reconnect tries (ms), then the last one again; each with up to 30 % jitter so pages spread out.
const RECONNECT_DELAYS = [500, 1000, 2000, 4000, 5000];

// Opens a world: joins it over HTTP (the page's token proves the right; the answer is a token for this participant,
// with its slot), then opens the session socket with that join token. A reload or reconnect reuses it, taking the
// participant, and its slot, back.
async function openWorld(worldId, role) {
  leaveWorld();
  const myGeneration = ++generation;
  resetSessionView(worldId, role);
  $("stage-title").textContent = `World ${worldId}`;
  showOverlay(`Connecting to ${worldId} as ${role === "player" ? "a player" : "a spectator"}…`);
  markCurrentWorld(worldId);
  writeWorldToUrl(worldId, role);
  session = { worldId, role, handle: null, world: null, actionNames: [], actionsByKey: new Map(), attempt: 0, retryTimer: null };
  $("leave-button").hidden = false;
  refreshInviteButton();
  await connect(myGeneration);
}

async function connect(myGeneration) {
  const { worldId, role } = session;
  const current = () => myGeneration === generation;
  let world;
  try {
    world = await getWorld(worldId);
  } catch (e) {
    if (!current()) {
      return;
    }
    if (e.status === 404) {
      failSession(`World ${worldId} does not exist (any more).`, worldId, role);
    } else if (retryable(e)) {
      scheduleReconnect(myGeneration, `The server cannot be reached (${e.message})`);
    } else {
      failSession(`Cannot open the world: ${e.message}`, worldId, role);
    }
    return;
  }
  if (!current()) {
    return;
  }
  session.world = world;
  const model = models.find((m) => m.name === world.model);
  session.actionNames = model?.actionSpace?.actions ?? [];
  session.actionsByKey = new Map();
  session.actionNames.forEach((name, action) => (KEYS[name] ?? []).forEach((code) => session.actionsByKey.set(code, action)));

  let join = storedJoin(worldId);
  if (join && join.role !== role) {
    join = null;
  }
  if (!join) {
    try {
      const answer = await joinWorld(worldId, role, $("player-name").value.trim());
      join = { participantId: answer.participantId, role: answer.role, slot: answer.slot ?? null, token: answer.token };
    } catch (e) {
      if (!current()) {
        return;
      }
      if (e.status === 409 && role === "player") {
        failSession(`World full: ${e.message}. You can watch instead.`, worldId, role);
      } else if (e.status === 404) {
        failSession(`World ${worldId} does not exist (any more).`, worldId, role);
      } else if (retryable(e)) {
        scheduleReconnect(myGeneration, e.status === 503 ? e.message : `Cannot join (${e.message})`);
      } else {
        failSession(`Could not join the world: ${e.message}`, worldId, role);
      }
      return;
    }
    if (!current()) {
      return;
    }
    storeJoin(worldId, join);
  }
  session.join = join;
  const handlers = {
    welcome: (message) => current() && onWelcome(message),
    frame: (header, payload) => current() && onFrame(header, payload),
    serverError: (message) => current() && onServerError(message),
    notice: (message) => current() && onNotice(message),
    closed: (info) => current() && onClosed(info, myGeneration),
  };
  // Video only where this browser's WebCodecs decodes it; PNG (exact) otherwise.
  const format = await chooseFormat($("stream-format").value);
  if (!current()) {
    return;
  }
  session.handle = openSession(worldId, $("player-name").value.trim(), join.token, handlers, format);
}

// Worth trying again: the server is away (0), restarting or busy (5xx), or limiting (429).
const retryable = (e) => e.status === 0 || e.status === 429 || e.status >= 500;

function scheduleReconnect(myGeneration, why) {
  stopParticipants();
  // Once the server said it is restarting, say so until the page is back in (not each try's own failure).
  const text = session.restarting && !why.includes("held for returning players") ? "Server restarting" : why;
  const attempt = session.attempt++;
  const base = RECONNECT_DELAYS[Math.min(attempt, RECONNECT_DELAYS.length - 1)];
  const delay = Math.round(base * (1 + Math.random() * 0.3));
  view.state = "reconnecting";
  view.reconnectAttempts = attempt + 1;
  setSessionState("reconnecting");
  $("session-badge").textContent = "reconnecting";
  $("session-badge").className = "badge closed";
  refreshPad();
  const now = worldButton("Reconnect now", `Reconnect to world ${session.worldId} now`, () => {
    clearTimeout(session.retryTimer);
    connect(myGeneration);
  }, "primary");
  showOverlay(`${text} — reconnecting in ${Math.ceil(delay / 1000)} s… (try ${attempt + 1})`, [now]);
  session.retryTimer = setTimeout(() => myGeneration === generation && connect(myGeneration), delay);
}

function resetSessionView(worldId, role) {
  Object.assign(view, {
    state: "connecting", worldId, role, slot: null, welcome: null, lastHeader: null, headers: [],
    framesReceived: 0, framesDrawn: 0, drawnTicks: [], format: null, fps: 0, latencyMs: null, participants: [], lastError: null,
    welcomes: 0, reconnectAttempts: 0, lastClose: null, closes: [],
  });
  frameArrivals = [];
  latencies = [];
  pendingAction = null;
  closePainter();
  setSessionState("connecting");
  for (const id of ["stat-tick", "stat-durable", "stat-fps", "stat-latency", "stat-role"]) {
    $(id).textContent = "–";
  }
  $("server-message").textContent = "";
  $("participants").replaceChildren();
  const badge = $("session-badge");
  badge.hidden = false;
  badge.textContent = role === "player" ? "joining as player" : "joining as spectator";
  badge.className = "badge";
  const context = $("frame").getContext("2d");
  context.clearRect(0, 0, $("frame").width, $("frame").height);
}

function onWelcome(message) {
  view.welcome = message;
  view.format = message.format ?? "png";
  // A new socket is a new stream: it starts at a keyframe, with a decoder of its own.
  closePainter();
  const myGeneration = generation;
  painter = createPainter($("frame"), view.format, message.codec, {
    drawn: (tick) => myGeneration === generation && onDrawn(tick),
    error: (text) => (view.lastError = text),
  });
  view.welcomes++;
  view.slot = message.slot ?? null;
  view.role = message.role;
  view.state = "open";
  session.attempt = 0;
  session.restarting = false;
  setSessionState("open");
  hideOverlay();
  const you = describeYou();
  $("stat-role").textContent = you;
  $("session-badge").textContent = message.role === "player" ? `playing · slot ${message.slot}` : "watching";
  $("session-badge").className = `badge ${message.role}`;
  $("frame").setAttribute("aria-label", `The world's current frame; you are ${you}`);
  // Keys go to the world, not to the button that was just clicked.
  if (!document.activeElement?.closest?.("input, select, textarea")) {
    $("frame").focus({ preventScroll: true });
  }
  refreshPad();
  stopParticipants();
  pollParticipants();
  participantsTimer = setInterval(pollParticipants, PARTICIPANTS_POLL_MS);
}

function describeYou() {
  if (view.role !== "player") {
    return "a spectator (watching)";
  }
  const colour = ` (${SLOT_COLOUR_NAMES[view.slot] ?? "?"})`;
  return `player, slot ${view.slot}${colour}`;
}

function onFrame(header, payload) {
  const now = performance.now();
  view.framesReceived++;
  view.lastHeader = header;
  view.headers.push(header);
  if (view.headers.length > HEADER_HISTORY) {
    view.headers.shift();
  }
  frameArrivals.push(now);
  if (pendingAction) {
    if (view.slot !== null && header.actions?.[view.slot] === pendingAction.action) {
      recordLatency(now - pendingAction.sentAt);
      pendingAction = null;
    } else if (now - pendingAction.sentAt > 5000) {
      pendingAction = null;
    }
  }
  $("stat-tick").textContent = header.tick;
  const behind = header.tick - header.durableTick;
  $("stat-durable").textContent = behind > 0 ? `${header.durableTick} (${behind} behind)` : `${header.durableTick}`;
  document.body.dataset.tick = header.tick;
  updateCurrentWorldItem(header.tick);
  updateFps();
  draw(header, payload);
}

// Keeps the open world's entry in the list live, so it does not wait for the next Refresh.
function updateCurrentWorldItem(tick) {
  const item = document.querySelector("#worlds-list li.current");
  if (!item) {
    return;
  }
  item.dataset.tick = tick;
  const tickText = item.querySelector(".meta-tick");
  if (tickText) {
    tickText.textContent = `tick ${tick}`;
  }
  const state = item.querySelector(".meta-state");
  if (state && session?.world?.tickHz > 0 && !state.classList.contains("on")) {
    state.textContent = "ticking";
    state.classList.replace("off", "on");
  }
}

function draw(header, payload) {
  painter?.paint(header, payload);
}

function onDrawn(tick) {
  view.framesDrawn++;
  view.drawnTicks.push(tick);
  if (view.drawnTicks.length > HEADER_HISTORY) {
    view.drawnTicks.shift();
  }
  $("frame").dataset.tick = tick;
  placeYouMarker();
}

// The "you" marker over the viewer's own avatar; hidden for spectators and while the avatar is out of view.
function placeYouMarker() {
  const marker = $("you-marker");
  const at = view.role === "player" && SLOT_COLOURS[view.slot] ? findColour($("frame"), SLOT_COLOURS[view.slot]) : null;
  marker.hidden = at === null;
  if (at !== null) {
    marker.style.left = `${at.x * 100}%`;
    marker.style.top = `${at.y * 100}%`;
  }
}

function closePainter() {
  painter?.close();
  painter = null;
}

function updateFps() {
  const now = performance.now();
  while (frameArrivals.length > 0 && now - frameArrivals[0] > 1000) {
    frameArrivals.shift();
  }
  view.fps = frameArrivals.length;
  if (view.state === "open" || view.framesReceived > 0) {
    const target = session?.world?.tickHz ? ` of ${session.world.tickHz}` : "";
    $("stat-fps").textContent = `${view.fps}${target}`;
  }
}

function recordLatency(ms) {
  latencies.push(ms);
  if (latencies.length > 20) {
    latencies.shift();
  }
  view.latencyMs = ms;
  const average = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  $("stat-latency").textContent = `${Math.round(ms)} ms · avg ${Math.round(average)}`;
}

function onServerError(message) {
  view.lastError = message;
  $("server-message").textContent = `Server: ${message}`;
}

// The world's silo died and the world came back from storage (resumed), or some ticks never reached this page (skipped):
// the session stayed open, so say what happened rather than let the picture jump silently.
function onNotice(message) {
  view.notices = [...view.notices.slice(-19), message];
  $("server-message").textContent = message.type === "resumed"
    ? `The world restarted at tick ${message.tick}, its last saved tick (${message.discarded} tick${message.discarded === 1 ? "" : "s"} after it were lost).`
    : `Ticks ${message.from}–${message.to} could not be shown.`;
}

async function onClosed({ opened, code, reason }, myGeneration) {
  const { worldId, role } = session;
  stopParticipants();
  session.handle = null;
  closePainter();
  view.lastClose = { opened, code, reason };
  view.closes = [...view.closes.slice(-19), view.lastClose];
  if (opened) {
    if (code === 1003 || code === 1009) {
      // The page sent something the server will never take: trying again would not help.
      failSession(`Disconnected (code ${code}): ${reason}.`, worldId, role);
      return;
    }
    session.restarting ||= code === 1001 && reason === "server restarting";
    const why = session.restarting
      ? "Server restarting"
      : code === 1008
        ? "This connection fell behind the world"
        : `Connection lost (code ${code}${reason ? `: ${reason}` : ""})`;
    scheduleReconnect(myGeneration, why);
    return;
  }
  // The upgrade was refused (browsers hide the HTTP answer): is the server there at all?
  try {
    await getWorld(worldId);
  } catch (e) {
    if (myGeneration !== generation) {
      return;
    }
    if (e.status === 404) {
      failSession(`World ${worldId} does not exist.`, worldId, role);
    } else if (retryable(e)) {
      scheduleReconnect(myGeneration, "The server cannot be reached");
    } else {
      failSession(`Could not join the world: ${e.message}`, worldId, role);
    }
    return;
  }
  if (myGeneration !== generation) {
    return;
  }
  // The server is there but refused this participant (it ended, or its slot was taken while it was away): join anew,
  // which says plainly why if that fails too.
  storeJoin(worldId, null);
  scheduleReconnect(myGeneration, "Rejoining");
}

function failSession(text, worldId, role) {
  stopParticipants();
  view.state = "closed";
  view.lastError = text;
  setSessionState("closed");
  $("session-badge").textContent = "disconnected";
  $("session-badge").className = "badge closed";
  refreshPad();
  const buttons = [worldButton(role === "player" ? "Reconnect" : "Watch again", `Reconnect to world ${worldId}`, () => openWorld(worldId, role), "primary")];
  if (role === "player") {
    buttons.push(worldButton("Watch instead", `Watch world ${worldId}`, () => openWorld(worldId, "spectator")));
  }
  showOverlay(text, buttons);
}

// Closes the session (the server ends the participant) and forgets it.
function leaveWorld() {
  generation++;
  stopParticipants();
  if (session) {
    clearTimeout(session.retryTimer);
    session.handle?.close();
    closePainter();
    storeJoin(session.worldId, null);
    session = null;
  }
  view.state = "idle";
  setSessionState("idle");
  $("leave-button").hidden = true;
  $("session-badge").hidden = true;
  $("stage-title").textContent = "No world open";
  writeWorldToUrl(null);
  markCurrentWorld(null);
  refreshInviteButton();
  refreshPad();
}

function setSessionState(state) {
  document.body.dataset.session = state;
}

function markCurrentWorld(worldId) {
  for (const item of document.querySelectorAll("#worlds-list li")) {
    item.classList.toggle("current", item.dataset.worldId === worldId);
  }
}

function showOverlay(text, buttons = []) {
  $("overlay-text").textContent = text;
  $("overlay-actions").replaceChildren(...buttons);
  $("overlay").hidden = false;
}

function hideOverlay() {
  $("overlay").hidden = true;
}

// ---- participants ----

const isPlayer = (p) => p.role === "player" || p.role === 1;

async function pollParticipants() {
  if (!session) {
    return;
  }
  const { worldId } = session;
  try {
    const participants = await getParticipants(worldId);
    if (session?.worldId !== worldId) {
      return;
    }
    view.participants = participants;
    renderParticipants(participants);
  } catch {
    // The next poll tries again; a missing world shows up as a closed session.
  }
}

function renderParticipants(participants) {
  const players = participants.filter(isPlayer).sort((a, b) => a.slot - b.slot);
  const spectators = participants.filter((p) => !isPlayer(p));
  const items = players.map((p) => {
    const li = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = SLOT_COLOURS[p.slot] ?? "#888";
    swatch.setAttribute("aria-hidden", "true");
    const you = view.role === "player" && view.slot === p.slot ? " (you)" : "";
    li.append(swatch, `Slot ${p.slot}: ${p.name || "anonymous"}${you}`);
    return li;
  });
  if (players.length === 0) {
    const li = document.createElement("li");
    li.textContent = session?.world?.tickHz > 0 ? "No players: the world waits until one joins." : "No players.";
    items.push(li);
  }
  const watchers = document.createElement("li");
  watchers.className = "spectators";
  const names = spectators.map((s) => s.name).filter(Boolean);
  watchers.textContent = `${spectators.length} watching${names.length ? `: ${names.join(", ")}` : ""}`;
  items.push(watchers);
  $("participants").replaceChildren(...items);
}

function stopParticipants() {
  if (participantsTimer !== null) {
    clearInterval(participantsTimer);
    participantsTimer = null;
  }
}

// ---- acting ----

function act(action) {
  if (!session?.handle || view.role !== "player" || view.state !== "open") {
    return;
  }
  if (!session.handle.send(action)) {
    return;
  }
  view.actionsSent++;
  // Measure only an action that differs from the one last merged for us, so an earlier identical action in flight
  // cannot make the latency look shorter than it is.
  const merged = view.lastHeader?.actions?.[view.slot];
  if (!pendingAction && merged !== action) {
    pendingAction = { action, sentAt: performance.now() };
  }
}

function onKeyDown(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) {
    return;
  }
  if (event.target instanceof HTMLElement && event.target.closest("input, select, textarea")) {
    return;
  }
  if (event.code === "KeyF" && !event.repeat) {
    event.preventDefault();
    fullscreen();
    return;
  }
  const action = session?.actionsByKey.get(event.code);
  if (action === undefined) {
    return;
  }
  event.preventDefault();
  if (view.role !== "player") {
    $("server-message").textContent = "You are watching: choose Play on a world to act.";
    return;
  }
  act(action);
}

function refreshPad() {
  const playing = session && view.role === "player" && view.state === "open";
  for (const button of document.querySelectorAll("#pad button")) {
    const action = session?.actionNames?.indexOf(button.dataset.actionName) ?? -1;
    button.disabled = !playing || action < 0;
  }
}

function onPadAction(name) {
  const action = session?.actionNames.indexOf(name) ?? -1;
  if (action >= 0) {
    act(action);
  }
}

// A held pad button repeats once per tick: more would only replace the action before the world takes it.
const padRepeatMs = () => Math.max(50, Math.round(1000 / (session?.world?.tickHz || 10)));

async function fullscreen() {
  view.fullscreenRequests = (view.fullscreenRequests ?? 0) + 1;
  try {
    await toggleFullscreen($("game"));
  } catch (e) {
    $("server-message").textContent = `Fullscreen is not available here (${e.message}).`;
  }
}

function onFullscreenChange() {
  const on = document.fullscreenElement === $("game");
  $("fullscreen-button").textContent = on ? "Exit fullscreen" : "Fullscreen";
  $("fullscreen-button").setAttribute("aria-pressed", String(on));
  if (on) {
    $("frame").focus({ preventScroll: true });
  }
}

// ---- invites: a link that opens the world ----

function refreshInviteButton() {
  const can = session !== null && tokenClaims()?.role === "admin";
  $("invite-button").hidden = !can;
  if (!can) {
    $("invite").hidden = true;
    $("invite-button").setAttribute("aria-expanded", "false");
  }
}

function toggleInvite() {
  const open = $("invite").hidden;
  $("invite").hidden = !open;
  $("invite-button").setAttribute("aria-expanded", String(open));
  if (open) {
    $("invite-role").value = session?.role === "spectator" ? "spectator" : "player";
    $("invite-link").value = "";
    $("invite-status").textContent = "";
  }
}

// Issues an invite (the server's default lifetime) and copies `…/#token=…&world=…&role=…`: opening it joins the world.
async function copyInvite() {
  if (!session) {
    return;
  }
  const { worldId } = session;
  const role = $("invite-role").value;
  const status = $("invite-status");
  status.textContent = "Issuing an invite…";
  let invite;
  try {
    invite = await createInvite(worldId, role);
  } catch (e) {
    status.textContent = `No invite: ${e.message}`;
    return;
  }
  const link = `${location.origin}${location.pathname}#${new URLSearchParams({ token: invite.token, world: worldId, role })}`;
  view.inviteLink = link;
  $("invite-link").value = link;
  const until = new Date(invite.expiresAt).toLocaleString();
  try {
    await navigator.clipboard.writeText(link);
    status.textContent = `Copied: anyone with this link can ${role === "player" ? "play in" : "watch"} this world until ${until}.`;
  } catch {
    // Clipboard access needs a secure context (https, or localhost) and the page's focus: copy it by hand then.
    $("invite-link").select();
    status.textContent = `Copy the link above (press Ctrl+C): it lets anyone ${role === "player" ? "play in" : "watch"} this world until ${until}.`;
  }
}

// ---- the address: the open world, and links ----

// `#world=…&role=…` names the open world, so a reload rejoins it; a link may add `token=…`, taken and removed at once.
function readUrl() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token");
  if (token) {
    setToken(token);
  }
  const worldId = params.get("world");
  const role = params.get("role") === "player" ? "player" : "spectator";
  writeWorldToUrl(worldId, role);
  return worldId ? { worldId, role } : null;
}

function writeWorldToUrl(worldId, role) {
  const hash = worldId ? `#${new URLSearchParams({ world: worldId, role })}` : "";
  if (location.hash !== hash) {
    history.replaceState(null, "", location.pathname + location.search + hash);
  }
}

// ---- access: the token ----

function showAccess() {
  const claims = tokenClaims();
  $("token-status").textContent = !claims
    ? "No token: paste one (the admin token is in <data>/admin.token)."
    : claims.role === "admin"
      ? "Signed in as admin."
      : `Signed in as ${claims.role} of world ${claims.wc_world}.`;
}

function submitToken(event) {
  event.preventDefault();
  setToken($("token-input").value.trim());
  $("token-input").value = "";
  showAccess();
  refreshInviteButton();
  loadModels();
  refreshWorlds();
}

// ---- start ----

async function start() {
  // The host prints `http://…/#token=…` at start; the fragment never reaches a server.
  const linked = readUrl();
  showAccess();
  $("token-form").addEventListener("submit", submitToken);
  const name = $("player-name");
  name.value = localStorage.getItem("worldcluster.name") ?? "";
  name.addEventListener("change", () => localStorage.setItem("worldcluster.name", name.value.trim()));
  $("create-model").addEventListener("change", updatePlayersLimit);
  $("create-form").addEventListener("submit", submitCreate);
  $("refresh-worlds").addEventListener("click", refreshWorlds);
  $("leave-button").addEventListener("click", () => {
    leaveWorld();
    showOverlay("You left the world. Pick one to watch or play.");
    refreshWorlds();
  });
  $("fullscreen-button").addEventListener("click", fullscreen);
  document.addEventListener("fullscreenchange", onFullscreenChange);
  $("invite-button").addEventListener("click", toggleInvite);
  $("invite-copy").addEventListener("click", copyInvite);
  bindPad($("pad"), onPadAction, padRepeatMs);
  document.addEventListener("keydown", onKeyDown);
  setInterval(updateFps, 500);
  refreshPad();
  const loaded = loadModels();
  refreshWorlds();
  if (linked) {
    // The models name the world's actions: wait for them before joining.
    await loaded;
    openWorld(linked.worldId, linked.role);
  }
}

start();
