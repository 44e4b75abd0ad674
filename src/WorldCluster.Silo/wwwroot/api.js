// The HTTP API (docs/http-api.md): JSON in and out; errors are RFC 7807 problems whose `detail` says what to fix.

/** An HTTP answer that was not a success, with the problem's detail as its message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const TOKEN_KEY = "worldcluster.token";

/** The bearer token the page uses (kept in sessionStorage: it goes away with the tab). */
export const getToken = () => sessionStorage.getItem(TOKEN_KEY) ?? "";

/** Keeps a token for this tab; an empty one forgets it. */
export function setToken(token) {
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

/** The claims of the page's token (unverified: only to decide what to show), or null. */
export function tokenClaims(token = getToken()) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), "=")));
  } catch {
    return null;
  }
}

async function call(method, path, body) {
  const init = { method, headers: { accept: "application/json" } };
  const token = getToken();
  if (token) {
    init.headers.authorization = `Bearer ${token}`;
  }
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, `the server cannot be reached (${e.message})`);
  }
  const text = await response.text();
  const json = text ? safeParse(text) : null;
  if (!response.ok) {
    const detail = json?.detail ?? json?.title ?? (text || response.statusText);
    throw new ApiError(response.status, detail);
  }
  return json;
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The served models: name, version, maxPlayers, actionSpace… */
export const listModels = () => call("GET", "/api/models");

/** The world ids in the store, following the pages of GET /api/worlds. */
export async function listWorldIds() {
  const ids = [];
  let after = null;
  do {
    const page = await call("GET", `/api/worlds?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ""}`);
    ids.push(...page.worlds);
    after = page.next;
  } while (after);
  return ids;
}

/** One world: id, model, tick, players, tickHz, durableTick, ticking… */
export const getWorld = (id) => call("GET", `/api/worlds/${encodeURIComponent(id)}`);

/** Who is in a world: [{role, slot, name}]. */
export const getParticipants = async (id) =>
  (await call("GET", `/api/worlds/${encodeURIComponent(id)}/participants`)).participants;

/** Creates a world; `options` is {model, seed?, players?, tickHz?}. */
export const createWorld = (options) => call("POST", "/api/worlds", options);

/** A world-scoped token for a role in one world (needs an admin token). */
export const createInvite = (id, role, lifetimeSeconds) =>
  call("POST", `/api/worlds/${encodeURIComponent(id)}/invites`, { role, lifetimeSeconds });

/** Joins a world as a participant: {participantId, worldId, role, slot, name, token, expiresAt} (the token is that participant's). */
export const joinWorld = (id, role, name) =>
  call("POST", `/api/worlds/${encodeURIComponent(id)}/participants`, { role, name: name || undefined });

const joinKey = (worldId) => `worldcluster.join.${worldId}`;

/** The participant this tab joined a world as (kept in sessionStorage: a reload or a reconnect takes it back), or null. */
export function storedJoin(worldId) {
  try {
    return JSON.parse(sessionStorage.getItem(joinKey(worldId)) ?? "null");
  } catch {
    return null;
  }
}

/** Remembers (or, with null, forgets) the participant this tab joined a world as. */
export function storeJoin(worldId, join) {
  if (join) {
    sessionStorage.setItem(joinKey(worldId), JSON.stringify(join));
  } else {
    sessionStorage.removeItem(joinKey(worldId));
  }
}
