"""The agent plane (`GET /api/plane`): bind env ids to worlds, then step them with packed arrays and get raw tensors back.

The byte layout is docs/agent-plane.md; this module is its Python side. Answers are numpy views of the received message
(no per-world copies); several requests may be in flight at once, each with its own id.
"""

from __future__ import annotations

import json
import os
import struct
import urllib.parse
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .client import DEFAULT_URL, WorldClusterError
from .websocket import HandshakeRefused, WebSocket, WebSocketClosed

MAGIC = b"WCAP"
VERSION = 1
SUBPROTOCOL = "worldcluster.plane.v1"
MAX_ENVS = 1024
KIND_BIND, KIND_STEP, KIND_BOUND, KIND_RESULT, KIND_ERROR = 0x01, 0x02, 0x81, 0x82, 0xFF
NO_FRAMES = 1
ACTIONS_DISCRETE_INT64 = 1
OP_STEP, OP_OBSERVE = 0, 1
_HEADER = struct.Struct("<4sBBHII")


class PlaneClosed(WorldClusterError):
    """The server closed the plane connection (a malformed message, or the host stopping); `code` is the close code."""

    def __init__(self, code: int, reason: str):
        self.code = code
        super().__init__(None, "Plane closed", f"{reason} (close code {code})")


class PlaneRefused(WorldClusterError):
    """The server refused request `request_id` (well-formed, but wrong: unbound env, bad action, rate limit); nothing in it ran."""

    def __init__(self, request_id: int, status: int, detail: str):
        self.request_id = request_id
        super().__init__(status, "Refused", detail)


@dataclass
class PlaneResult:
    """One step's answer: arrays over the request's environments, in its order, viewing the received message."""

    request_id: int
    env_ids: np.ndarray
    ticks: np.ndarray
    durable_ticks: np.ndarray
    rewards: np.ndarray
    status: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    digests: np.ndarray
    frames: np.ndarray | None

    def digest(self, i: int) -> str:
        """Entry i's state digest as the HTTP API writes it (64 hex digits)."""
        return self.digests[i].tobytes().hex()


def encode_bind(request_id: int, env_ids: Sequence[int], worlds: Sequence[str], max_episode_steps: int = 0) -> bytes:
    """A Bind message: env_ids[i] now means worlds[i]."""
    parts = [_HEADER.pack(MAGIC, VERSION, KIND_BIND, 0, request_id, len(env_ids))]
    for env, world in zip(env_ids, worlds):
        name = world.encode("ascii")
        parts.append(struct.pack("<IIB", int(env), int(max_episode_steps), len(name)) + name)
    return b"".join(parts)


def encode_step(request_id: int, actions: np.ndarray, env_ids: np.ndarray, ops: np.ndarray | None = None,
                frames: bool = True) -> bytes:
    """A Step message: actions int64 [n, K] (K player slots), env_ids [n], ops [n] (0 step, 1 observe)."""
    n, k = actions.shape
    ops = np.zeros(n, np.uint8) if ops is None else ops
    return b"".join([_HEADER.pack(MAGIC, VERSION, KIND_STEP, 0 if frames else NO_FRAMES, request_id, n),
                     struct.pack("<HHI", ACTIONS_DISCRETE_INT64, k, 0), actions.astype("<i8", copy=False).tobytes(),
                     env_ids.astype("<u4", copy=False).tobytes(), ops.astype(np.uint8, copy=False).tobytes()])


def decode_result(message: bytearray, env_ids: np.ndarray) -> PlaneResult:
    """Views a Result message's arrays (message must stay alive as long as they do; they are writable)."""
    _, _, _, flags, request_id, n = _HEADER.unpack_from(message)
    c, h, w, k = struct.unpack_from("<HHHH", message, 16)
    at = 24

    def take(dtype: str, count: int) -> np.ndarray:
        nonlocal at
        array = np.frombuffer(message, dtype, count, at)
        at += array.nbytes
        return array

    ticks, durable = take("<i8", n), take("<i8", n)
    rewards = take("<f4", n * k).reshape(n, k)
    status = take("<u2", n)
    terminated, truncated = take("?", n), take("?", n)
    digests = take("u1", n * 32).reshape(n, 32)
    frames = None if flags & NO_FRAMES else take("u1", n * c * h * w).reshape(n, c, h, w)
    return PlaneResult(request_id, env_ids, ticks, durable, rewards, status, terminated, truncated, digests, frames)


class AgentPlane:
    """One plane connection: `bind`, then `send_step` (returns a request id) and `recv` (the next answer)."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float | None = 60.0):
        base = (url or os.environ.get("WORLDCLUSTER_URL") or DEFAULT_URL).rstrip("/")
        token = token if token is not None else (os.environ.get("WORLDCLUSTER_TOKEN") or None)
        parts = urllib.parse.urlsplit(base)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            self.socket = WebSocket(f"ws://{parts.netloc}/api/plane", headers, (SUBPROTOCOL,), timeout)
        except HandshakeRefused as e:
            try:
                problem = json.loads(e.body)
            except ValueError:
                problem = {}
            raise WorldClusterError(e.status, problem.get("title", "Refused"), problem.get("detail", "the plane upgrade was refused")) from None
        except OSError as e:
            raise WorldClusterError(None, "Unreachable", f"cannot reach {base}: {e}") from e
        self._next_id = 1
        self._pending: dict[int, np.ndarray | None] = {}
        self._early: list = []
        self._last_id = 0
        self.shape: tuple[int, int, int] | None = None

    def bind(self, env_ids: Sequence[int], worlds: Sequence[str], max_episode_steps: int = 0) -> list[tuple[int, int, int]]:
        """Binds env ids to worlds and waits for the answer: (env id, players, action count) per entry."""
        request = self.send_bind(env_ids, worlds, max_episode_steps)
        while True:
            answer = self.recv()
            if isinstance(answer, list) and self._last_id == request:
                return answer
            self._early.append(answer)

    def send_bind(self, env_ids: Sequence[int], worlds: Sequence[str], max_episode_steps: int = 0) -> int:
        """Sends a Bind; its answer (a list, see `bind`) comes from `recv`."""
        request = self._take_id(None)
        self.socket.send_binary(encode_bind(request, env_ids, worlds, max_episode_steps))
        return request

    def send_step(self, actions: np.ndarray, env_ids: np.ndarray, ops: np.ndarray | None = None, frames: bool = True) -> int:
        """Sends a Step; returns its request id. Its PlaneResult comes from `recv`."""
        env_ids = np.asarray(env_ids, np.uint32)
        request = self._take_id(env_ids)
        self.socket.send_binary(encode_step(request, np.asarray(actions, np.int64).reshape(len(env_ids), -1), env_ids, ops, frames))
        return request

    def recv(self) -> PlaneResult | list[tuple[int, int, int]]:
        """The next answer (in completion order): a PlaneResult, or a bind's entries. A refusal raises WorldClusterError."""
        if self._early:
            return self._early.pop(0)
        try:
            message = self.socket.recv()
        except WebSocketClosed as e:
            raise PlaneClosed(e.code, e.reason) from None
        _, version, kind, _, request_id, n = _HEADER.unpack_from(message)
        env_ids = self._pending.pop(request_id, None)
        self._last_id = request_id
        if kind == KIND_RESULT:
            return decode_result(message, env_ids)
        if kind == KIND_BOUND:
            self.shape = struct.unpack_from("<HHH", message, 16)
            return [struct.unpack_from("<IHH", message, 24 + 8 * i) for i in range(n)]
        if kind == KIND_ERROR:
            status, = struct.unpack_from("<H", message, 16)
            raise PlaneRefused(request_id, status, message[20:].decode("utf-8", "replace"))
        raise WorldClusterError(None, "Protocol error", f"unknown answer kind 0x{kind:02x} (version {version})")

    @property
    def in_flight(self) -> int:
        """Requests sent and not yet answered."""
        return len(self._pending)

    def close(self) -> None:
        """Closes the connection."""
        self.socket.close()

    def _take_id(self, env_ids: np.ndarray | None) -> int:
        request = self._next_id
        self._next_id = (self._next_id + 1) & 0xFFFFFFFF or 1
        self._pending[request] = env_ids
        return request
