// The HTTP API (docs/http-api.md): JSON in and out; errors are RFC 7807 problems whose `detail` says what to fix.

/** An HTTP answer that was not a success, with the problem's detail as its message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const init = { method, headers: { accept: "application/json" } };
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

/** The world ids in the store. */
export const listWorldIds = async () => (await call("GET", "/api/worlds")).worlds;

/** One world: id, model, tick, players, tickHz, durableTick, ticking… */
export const getWorld = (id) => call("GET", `/api/worlds/${encodeURIComponent(id)}`);

/** Who is in a world: [{role, slot, name}]. */
export const getParticipants = async (id) =>
  (await call("GET", `/api/worlds/${encodeURIComponent(id)}/participants`)).participants;

/** Creates a world; `options` is {model, seed?, players?, tickHz?}. */
export const createWorld = (options) => call("POST", "/api/worlds", options);
