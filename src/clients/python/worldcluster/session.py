"""Live sessions (`GET /api/worlds/{id}/session`, docs/sessions.md): a world's frames as they tick, in any stream format.

One blocking WebSocket: `frames()` yields a `SessionFrame` per tick (its tick, keyframe flag, format and encoded bytes);
`send_action` sends a player's action for the next tick. The frame message is a 4-byte big-endian header length, a
JSON header, then the payload: a PNG, JPEG or WebP file, or one VP8/VP9 frame (save those with `worldcluster.ivf`).
"""

from __future__ import annotations

import json
import struct
import urllib.parse
from dataclasses import dataclass
from typing import Any, Iterator

from .client import WorldClusterError, _quote, _wire
from .websocket import HandshakeRefused, WebSocket, WebSocketClosed

FORMATS = ("png", "jpeg", "webp", "vp8", "vp9")
_ALIASES = {"jpg": "jpeg"}


@dataclass(frozen=True)
class SessionFrame:
    """One tick as a session receives it: the header's fields and `data`, the frame encoded in `format`."""

    tick: int
    durable_tick: int
    state_digest: str
    actions: list
    width: int
    height: int
    format: str
    keyframe: bool
    data: bytes


class SessionClosed(WorldClusterError):
    """The server ended the session for a reason (`code` is the WebSocket close code: 1008 too slow, 1001 restarting...)."""

    def __init__(self, code: int, reason: str):
        self.code = code
        self.reason = reason
        super().__init__(None, "Session closed", f"{reason} (close code {code})")


def decode_frame(message: bytes | bytearray) -> SessionFrame:
    """Decodes one binary session message (docs/sessions.md, "Frames")."""
    if len(message) < 4:
        raise ValueError("a frame message is at least 4 bytes long")
    (length,) = struct.unpack_from(">I", message)
    if length > len(message) - 4:
        raise ValueError(f"frame header length {length} exceeds the message ({len(message)} bytes)")
    header = json.loads(bytes(message[4:4 + length]))
    return SessionFrame(header["tick"], header.get("durableTick", 0), header.get("stateDigest", ""), header.get("actions", []),
                        header["width"], header["height"], header.get("format", "png"), header.get("keyframe", True),
                        bytes(message[4 + length:]))


class WorldSession:
    """One open session; use it as a context manager (closing frees a player's slot). Not thread-safe."""

    def __init__(self, socket: WebSocket, welcome: dict[str, Any]):
        self.socket = socket
        self.welcome = welcome
        self.errors: list[str] = []
        # "resumed" (the world came back from storage at its last durable tick; frames go on from that tick again) and
        # "skipped" (ticks that will never arrive) messages, as the server sent them; the session goes on after each.
        self.notices: list[dict[str, Any]] = []
        self._reading = False

    @property
    def format(self) -> str:
        """The frames' format, as the server's welcome confirmed it."""
        return self.welcome.get("format") or "png"

    @property
    def slot(self) -> int | None:
        """The player slot taken; None for a spectator."""
        return self.welcome.get("slot")

    @property
    def tick_hz(self) -> int:
        """The world's real-time tick rate (0 for an on-demand world, whose frames come only when it is stepped)."""
        return self.welcome.get("tickHz", 0)

    def frames(self) -> Iterator[SessionFrame]:
        """Yields every frame in tick order until the server closes the session (normally: the loop ends; for a reason:
        SessionClosed). A video viewer starts at a keyframe and, if it fell behind, skips to the next one. One loop at a
        time: frames a loop took are gone, so the next loop goes on after them; a second loop while one runs is refused."""
        if self._reading:
            raise RuntimeError("this session's frames are already being read; read them in one loop")
        self._reading = True
        try:
            while True:
                try:
                    text, message = self.socket.recv_message()
                except WebSocketClosed as closed:
                    if closed.code == 1000:
                        return
                    raise SessionClosed(closed.code, closed.reason) from None
                if text:
                    parsed = json.loads(message)
                    if parsed.get("type") == "error":
                        self.errors.append(parsed.get("message", "error"))
                    elif parsed.get("type") in ("resumed", "skipped"):
                        self.notices.append(parsed)
                    continue
                yield decode_frame(message)
        finally:
            self._reading = False

    def send_action(self, action: Any) -> None:
        """Sends a player's action for the next tick: an int, or a structured action (a dict) as docs/sessions.md shows.
        A refused one does not end the session: its message lands in `errors` as frames are read."""
        if self.slot is None:
            raise RuntimeError("spectators cannot act; join as a player")
        self.socket.send_text(json.dumps({"action": _wire(action)}))

    def close(self) -> None:
        """Closes the session (the server frees a player's slot)."""
        self.socket.close()

    def __enter__(self) -> WorldSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(url: str, token: str | None, world: str, role: str = "player", name: str | None = None, slot: int | None = None,
            format: str = "png", timeout: float | None = 60.0) -> WorldSession:
    """Opens a session; the server refuses an unknown world or format, a taken slot or a full world (WorldClusterError)."""
    if role not in ("player", "spectator"):
        raise ValueError(f"role must be 'player' or 'spectator', not {role!r}")
    query = {"role": role, "format": format}
    if name is not None:
        query["name"] = name
    if slot is not None:
        query["slot"] = str(int(slot))
    netloc = urllib.parse.urlsplit(url).netloc
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        socket = WebSocket(f"ws://{netloc}/api/worlds/{_quote(world)}/session?{urllib.parse.urlencode(query)}", headers,
                           timeout=timeout)
    except HandshakeRefused as e:
        try:
            problem = json.loads(e.body)
        except ValueError:
            problem = {}
        raise WorldClusterError(problem.get("status", e.status), problem.get("title", "Refused"),
                                problem.get("detail", e.body.decode("utf-8", "replace")[:200]), problem.get("worldId"),
                                problem or None) from None
    try:
        text, message = socket.recv_message()
        welcome = json.loads(message) if text else {}
    except WebSocketClosed as closed:
        raise SessionClosed(closed.code, closed.reason) from None
    if welcome.get("type") != "welcome":
        socket.close()
        raise WorldClusterError(None, "No welcome", "the server's first session message was not a welcome")
    expected = _ALIASES.get(format, format)
    if (welcome.get("format") or "png") != expected:
        socket.close()
        raise WorldClusterError(None, "Unexpected format", f"asked for {expected} frames, but the server streams "
                                f"{welcome.get('format') or 'png'} (a gateway without stream formats?)")
    return WorldSession(socket, welcome)
