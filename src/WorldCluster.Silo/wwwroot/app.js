// The WorldCluster page: list and create worlds, watch or play one live.
import {
  ApiError, createInvite, createWorld, getParticipants, getToken, getWorld, listModels, listWorldIds, setToken, tokenClaims,
} from "./api.js";
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
// The reference world draws slot n's avatar in this colour (docs/reference-world.md).
const SLOT_COLOURS = ["#eb4034", "#4285f4", "#facc15", "#ce54de"];
const SLOT_COLOUR_NAMES = ["red", "blue", "yellow", "magenta"];
const WORLD_DETAILS_LIMIT = 100;
const HEADER_HISTORY = 256;
const PARTICIPANTS_POLL_MS = 1500;

// What the page knows, also read by the browser test (tests/WorldCluster.Silo.Tests/Browser).
const view = {
  state: "idle", // idle | connecting | open | closed
  worldId: null,
  role: null,
  slot: null,
  welcome: null,
  lastHeader: null,
  headers: [],
  framesReceived: 0,
  framesDrawn: 0,
  fps: 0,
  latencyMs: null,
  participants: [],
  lastError: null,
};
window.worldcluster = view;

let models = [];
let session = null; // { worldId, role, handle, world, actionsByKey, generation }
let generation = 0;
let frameArrivals = [];
let latencies = [];
let pendingAction = null; // { action, sentAt }
let decodeSeq = 0;
let drawnSeq = 0;
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

async function openWorld(worldId, role) {
  leaveWorld();
  const myGeneration = ++generation;
  resetSessionView(worldId, role);
  $("stage-title").textContent = `World ${worldId}`;
  showOverlay(`Connecting to ${worldId} as ${role === "player" ? "a player" : "a spectator"}…`);
  markCurrentWorld(worldId);

  let world;
  try {
    world = await getWorld(worldId);
  } catch (e) {
    if (myGeneration === generation) {
      failSession(e.status === 404 ? `World ${worldId} does not exist (any more).` : `Cannot open the world: ${e.message}`, worldId, role);
    }
    return;
  }
  if (myGeneration !== generation) {
    return;
  }
  const model = models.find((m) => m.name === world.model);
  const actionNames = model?.actionSpace?.actions ?? [];
  const actionsByKey = new Map();
  actionNames.forEach((name, action) => (KEYS[name] ?? []).forEach((code) => actionsByKey.set(code, action)));

  const handlers = {
    welcome: (message) => myGeneration === generation && onWelcome(message),
    frame: (header, png) => myGeneration === generation && onFrame(header, png),
    serverError: (message) => myGeneration === generation && onServerError(message),
    closed: (info) => myGeneration === generation && onClosed(info),
  };
  let token;
  try {
    token = await sessionToken(worldId, role);
  } catch (e) {
    if (myGeneration === generation) {
      failSession(`Cannot open the world: ${e.message}`, worldId, role);
    }
    return;
  }
  if (myGeneration !== generation) {
    return;
  }
  const handle = openSession(worldId, role, $("player-name").value.trim(), token, handlers);
  session = { worldId, role, handle, world, actionNames, actionsByKey };
  $("leave-button").hidden = false;
  pollParticipants();
  participantsTimer = setInterval(pollParticipants, PARTICIPANTS_POLL_MS);
}

// The socket's URL carries its token, so an admin's own token never goes there: it asks for a short invite instead.
async function sessionToken(worldId, role) {
  if (tokenClaims()?.role === "admin") {
    return (await createInvite(worldId, role, 300)).token;
  }
  return getToken();
}

function resetSessionView(worldId, role) {
  Object.assign(view, {
    state: "connecting", worldId, role, slot: null, welcome: null, lastHeader: null, headers: [],
    framesReceived: 0, framesDrawn: 0, fps: 0, latencyMs: null, participants: [], lastError: null,
  });
  frameArrivals = [];
  latencies = [];
  pendingAction = null;
  decodeSeq = 0;
  drawnSeq = 0;
  setSessionState("connecting");
  for (const id of ["stat-tick", "stat-durable", "stat-fps", "stat-latency", "stat-role"]) {
    $(id).textContent = "–";
  }
  $("server-message").textContent = "";
  $("participants").replaceChildren();
  const badge = $("session-badge");
  badge.hidden = false;
  badge.textContent = role === "player" ? "joining as player" : "joining as spectator";
  const context = $("frame").getContext("2d");
  context.clearRect(0, 0, $("frame").width, $("frame").height);
}

function onWelcome(message) {
  view.welcome = message;
  view.slot = message.slot ?? null;
  view.role = message.role;
  view.state = "open";
  setSessionState("open");
  hideOverlay();
  const you = describeYou();
  $("stat-role").textContent = you;
  $("session-badge").textContent = message.role === "player" ? `playing · slot ${message.slot}` : "watching";
  $("session-badge").className = `badge ${message.role}`;
  $("frame").setAttribute("aria-label", `The world's current frame; you are ${you}`);
  // Keys go to the world, not to the button that was just clicked.
  $("frame").focus({ preventScroll: true });
  refreshPad();
}

function describeYou() {
  if (view.role !== "player") {
    return "a spectator (watching)";
  }
  const colour = session?.world?.model === "reference-world" ? ` (${SLOT_COLOUR_NAMES[view.slot] ?? "?"})` : "";
  return `player, slot ${view.slot}${colour}`;
}

function onFrame(header, png) {
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
  draw(header, png);
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

function draw(header, png) {
  const seq = ++decodeSeq;
  const myGeneration = generation;
  createImageBitmap(new Blob([png], { type: "image/png" })).then(
    (bitmap) => {
      // Decodes may finish out of order; never draw an older frame over a newer one.
      if (myGeneration !== generation || seq < drawnSeq) {
        bitmap.close();
        return;
      }
      drawnSeq = seq;
      const canvas = $("frame");
      if (canvas.width !== header.width || canvas.height !== header.height) {
        canvas.width = header.width;
        canvas.height = header.height;
      }
      const context = canvas.getContext("2d");
      context.imageSmoothingEnabled = false;
      context.drawImage(bitmap, 0, 0);
      bitmap.close();
      view.framesDrawn++;
      canvas.dataset.tick = header.tick;
    },
    (e) => {
      view.lastError = `frame ${header.tick} could not be decoded: ${e.message}`;
    },
  );
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

async function onClosed({ opened, code, reason }) {
  const { worldId, role } = session;
  const myGeneration = generation;
  stopParticipants();
  view.state = "closed";
  setSessionState("closed");
  if (opened) {
    const why = reason ? `: ${reason}` : code === 1006 ? " (connection lost)" : "";
    const text = code === 1008
      ? `Disconnected: this connection fell behind the world${why}.`
      : `Disconnected (code ${code})${why}.`;
    failSession(text, worldId, role);
    return;
  }
  // The upgrade was refused (browsers hide the HTTP answer): ask the API why.
  let text = "Could not join the world: the connection was refused.";
  try {
    const world = await getWorld(worldId);
    if (role === "player") {
      const players = (await getParticipants(worldId)).filter(isPlayer).length;
      if (players >= world.players) {
        const taken = world.players === 1 ? "its only player slot is taken" : `all ${world.players} player slots are taken`;
        text = `World full: ${taken}. You can watch instead.`;
      }
    }
  } catch (e) {
    text = e instanceof ApiError && e.status === 404 ? `World ${worldId} does not exist.` : `Could not join the world: ${e.message}`;
  }
  if (myGeneration === generation) {
    failSession(text, worldId, role);
  }
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

function leaveWorld() {
  generation++;
  stopParticipants();
  if (session) {
    session.handle.close();
    session = null;
  }
  view.state = "idle";
  setSessionState("idle");
  $("leave-button").hidden = true;
  $("session-badge").hidden = true;
  $("stage-title").textContent = "No world open";
  markCurrentWorld(null);
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
    swatch.style.background = session?.world?.model === "reference-world" ? SLOT_COLOURS[p.slot] ?? "#888" : "#888";
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
  if (!session || view.role !== "player" || view.state !== "open") {
    return;
  }
  if (!session.handle.send(action)) {
    return;
  }
  // Measure only an action that differs from the one last merged for us, so an earlier identical action in flight
  // cannot make the latency look shorter than it is.
  const merged = view.lastHeader?.actions?.[view.slot];
  if (!pendingAction && merged !== action) {
    pendingAction = { action, sentAt: performance.now() };
  }
}

function onKeyDown(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || !session) {
    return;
  }
  if (event.target instanceof HTMLElement && event.target.closest("input, select, textarea")) {
    return;
  }
  const action = session.actionsByKey.get(event.code);
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

function onPadClick(event) {
  const button = event.target.closest("button[data-action-name]");
  if (!button || !session) {
    return;
  }
  const action = session.actionNames.indexOf(button.dataset.actionName);
  if (action >= 0) {
    act(action);
  }
}

// ---- access: the token ----

// The host prints `http://…/#token=…` at start; the fragment never reaches a server, and is cleared once read.
function takeTokenFromUrl() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    setToken(decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
}

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
  loadModels();
  refreshWorlds();
}

// ---- start ----

function start() {
  takeTokenFromUrl();
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
    showOverlay("You left the world. Pick one on the left to watch or play.");
    refreshWorlds();
  });
  $("pad").addEventListener("click", onPadClick);
  document.addEventListener("keydown", onKeyDown);
  setInterval(updateFps, 500);
  refreshPad();
  loadModels();
  refreshWorlds();
}

start();
