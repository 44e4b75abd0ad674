// A live session on one world (docs/sessions.md): a text `welcome` first, then binary frame messages
// (4-byte big-endian header length, UTF-8 JSON header, the frame in the session's format: PNG unless asked otherwise);
// players send `{"action": n}` as text.

const decoder = new TextDecoder();

/** Splits a binary frame message into its JSON header and the encoded frame's bytes. */
export function parseFrameMessage(buffer) {
  const view = new DataView(buffer);
  const headerLength = view.getUint32(0, false);
  const header = JSON.parse(decoder.decode(new Uint8Array(buffer, 4, headerLength)));
  const payload = new Uint8Array(buffer, 4 + headerLength);
  return { header, payload };
}

/**
 * Opens a session with a participant's join token, its frames in `format` (png, jpeg, webp, vp8, vp9). `handlers`
 * receives welcome(message), frame(header, payload), serverError(message), notice(message) (a `resumed` or `skipped`
 * message: the world came back from storage, or ticks never arrived; the session goes on), and
 * closed({ opened, code, reason }) once, whether the socket never opened or closed later.
 */
export function openSession(worldId, name, token, handlers, format = "png") {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = new URLSearchParams();
  if (name) {
    query.set("name", name);
  }
  if (format !== "png") {
    query.set("format", format);
  }
  const url = `${scheme}//${location.host}/api/worlds/${encodeURIComponent(worldId)}/session?${query}`;
  // Browsers cannot set headers on a WebSocket; the token goes as a subprotocol rather than in the URL, which the
  // browser prints in its console when a connection fails.
  const socket = new WebSocket(url, ["worldcluster", `worldcluster.token.${token}`]);
  socket.binaryType = "arraybuffer";
  let opened = false;
  let ended = false;

  socket.addEventListener("open", () => {
    opened = true;
  });
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") {
      const message = JSON.parse(event.data);
      if (message.type === "welcome") {
        handlers.welcome(message);
      } else if (message.type === "error") {
        handlers.serverError(message.message);
      } else if (message.type === "resumed" || message.type === "skipped") {
        handlers.notice(message);
      }
      return;
    }
    const { header, payload } = parseFrameMessage(event.data);
    handlers.frame(header, payload);
  });
  socket.addEventListener("close", (event) => {
    if (!ended) {
      ended = true;
      handlers.closed({ opened, code: event.code, reason: event.reason });
    }
  });

  return {
    /** Sends one action; false when the socket is not open. */
    send(action) {
      if (socket.readyState !== WebSocket.OPEN) {
        return false;
      }
      socket.send(JSON.stringify({ action }));
      return true;
    },
    /** Leaves the world; no `closed` callback follows. */
    close() {
      ended = true;
      socket.close(1000, "left");
    },
  };
}
