"""The HTTP API of a WorldCluster gateway, over urllib: worlds, steps, forks, and batch steps for agent farms."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

DEFAULT_URL = "http://localhost:5080"
MAX_BATCH = 256  # the gateway's cap on worlds per batch request (Contracts.BatchLimits.MaxWorlds)
FRAME_ENCODINGS = ("raw", "png", "none")


class WorldClusterError(Exception):
    """A request the gateway refused (an RFC 7807 problem), or a gateway that could not be reached (status None)."""

    def __init__(self, status: int | None, title: str, detail: str, world_id: str | None = None,
                 problem: dict[str, Any] | None = None):
        self.status = status
        self.title = title
        self.detail = detail
        self.world_id = world_id
        self.problem = problem or {}
        where = f" (world {world_id})" if world_id else ""
        code = f"{status} " if status is not None else ""
        super().__init__(f"{code}{title}: {detail}{where}")


class BatchStepError(WorldClusterError):
    """Some worlds of an accepted batch failed while stepping; the others stepped. `outcomes` holds every item."""

    def __init__(self, outcomes: list[StepOutcome]):
        self.outcomes = outcomes
        failed = [o for o in outcomes if o.error is not None]
        first = failed[0].error
        super().__init__(first.status, first.title,
                         f"{len(failed)} of {len(outcomes)} worlds failed to step; first: {first.detail}",
                         failed[0].world)


@dataclass
class StepOutcome:
    """One world's answer in a batch: its tick, digest, frame (HxWxC uint8 for raw, PNG bytes for png), scores and rewards."""

    world: str
    tick: int | None = None
    state_digest: str | None = None
    durable_tick: int | None = None
    frame: np.ndarray | bytes | None = None
    scores: list[int] | None = None
    rewards: list[int] | None = None
    error: WorldClusterError | None = None

    @staticmethod
    def from_json(item: dict[str, Any], frames: str) -> StepOutcome:
        if item.get("error"):
            e = item["error"]
            return StepOutcome(item["world"], error=WorldClusterError(e.get("status"), e.get("title", "Error"),
                                                                      e.get("detail", ""), item["world"], e))
        frame: np.ndarray | bytes | None = None
        if item.get("frame") is not None:
            data = base64.b64decode(item["frame"])
            if frames == "raw":
                frame = chw_to_hwc(data, item["frameShape"])
            else:
                frame = data
        return StepOutcome(item["world"], item["tick"], item["stateDigest"], item["durableTick"], frame,
                           item.get("scores"), item.get("rewards"))


def chw_to_hwc(data: bytes, shape: Sequence[int]) -> np.ndarray:
    """Raw uint8 [C, H, W] bytes as an [H, W, C] array (what image code and Gymnasium expect)."""
    c, h, w = shape
    return np.frombuffer(data, dtype=np.uint8).reshape(c, h, w).transpose(1, 2, 0)


class WorldClusterClient:
    """A WorldCluster gateway's HTTP API.

    url defaults to $WORLDCLUSTER_URL, then http://localhost:5080; token (sent as `Authorization: Bearer`) defaults to
    $WORLDCLUSTER_TOKEN. Every refusal raises WorldClusterError with the problem's status, title and detail.
    Thread-safe: each request is its own urllib call.
    """

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 60.0,
                 max_batch: int = MAX_BATCH, workers: int = 16):
        self.url = (url or os.environ.get("WORLDCLUSTER_URL") or DEFAULT_URL).rstrip("/")
        self.token = token if token is not None else (os.environ.get("WORLDCLUSTER_TOKEN") or None)
        self.timeout = timeout
        if not 1 <= max_batch <= MAX_BATCH:
            raise ValueError(f"max_batch must be 1..{MAX_BATCH}, not {max_batch}")
        self.max_batch = max_batch
        self.workers = workers

    # ---- models and worlds ----

    def models(self) -> list[dict[str, Any]]:
        """The served models: name, version, maxPlayers, observationShape [C, H, W], actionSpace {type, n, actions}."""
        return self._json("GET", "/api/models")

    def model(self, name: str) -> dict[str, Any]:
        """One served model's description; WorldClusterError 404 when the gateway does not list it."""
        for m in self.models():
            if m["name"] == name:
                return m
        raise WorldClusterError(404, "Not found", f"model '{name}' is not served (see GET /api/models)")

    def create_world(self, model: str, seed: int | None = None, players: int | None = None,
                     tick_hz: int | None = None) -> dict[str, Any]:
        """Creates a world; returns its description (id, tick, players, stateDigest, ...)."""
        body: dict[str, Any] = {"model": model}
        if seed is not None:
            body["seed"] = int(seed)
        if players is not None:
            body["players"] = int(players)
        if tick_hz is not None:
            body["tickHz"] = int(tick_hz)
        return self._json("POST", "/api/worlds", body)

    def get_world(self, world: str) -> dict[str, Any]:
        """A world's tick, digest, durable tick and settings."""
        return self._json("GET", f"/api/worlds/{_quote(world)}")

    def list_worlds(self) -> list[str]:
        """Every world id."""
        return self._json("GET", "/api/worlds")["worlds"]

    def delete_world(self, world: str) -> None:
        """Deletes a world (its head and journal; snapshots shared with forks stay)."""
        self._json("DELETE", f"/api/worlds/{_quote(world)}")

    def step(self, world: str, actions: Sequence[int]) -> dict[str, Any]:
        """Steps one on-demand world one tick (one action per player slot); returns tick, stateDigest, durableTick."""
        return self._json("POST", f"/api/worlds/{_quote(world)}/step", {"actions": [_wire(a) for a in actions]})

    def fork(self, world: str, at_tick: int | None = None) -> dict[str, Any]:
        """Forks a world at a durable tick (default: its latest) into a new world; returns the new world."""
        body = None if at_tick is None else {"atTick": int(at_tick)}
        return self._json("POST", f"/api/worlds/{_quote(world)}/fork", body)

    def participants(self, world: str) -> list[dict[str, Any]]:
        """Who is in a world: players with their slots, and spectators."""
        return self._json("GET", f"/api/worlds/{_quote(world)}/participants")["participants"]

    def session(self, world: str, role: str = "player", name: str | None = None, slot: int | None = None,
                format: str = "png"):
        """Opens a live session (a WorldSession; docs/python.md, "Live sessions"): `format` is png (exact, the default),
        jpeg, webp, vp8 or vp9; an unknown one is refused with a 400 WorldClusterError naming the formats."""
        from .session import connect  # session imports this module
        return connect(self.url, self.token, world, role, name, slot, format, self.timeout)

    def frame_png(self, world: str) -> bytes:
        """The current frame as PNG bytes."""
        return self._request("GET", f"/api/worlds/{_quote(world)}/frame")

    # ---- many worlds at once ----

    def step_many(self, steps: Iterable[tuple[str, Sequence[int]]], frames: str = "raw",
                  raise_on_error: bool = True) -> list[StepOutcome]:
        """Steps many on-demand worlds one tick each: (world id, actions) pairs, each world at most once.

        Batches over max_batch worlds are split into concurrent requests. A bad item (unknown world, wrong action count,
        action out of range, duplicate) refuses its request with WorldClusterError and steps nothing in it. An item that
        fails while stepping raises BatchStepError (holding every outcome) unless raise_on_error is False.
        """
        items = [{"world": w, "actions": [_wire(a) for a in acts]} for w, acts in steps]
        outcomes = self._batched("/api/steps", "steps", items, frames)
        if raise_on_error and any(o.error is not None for o in outcomes):
            raise BatchStepError(outcomes)
        return outcomes

    def observe_many(self, worlds: Iterable[str], frames: str = "raw") -> list[StepOutcome]:
        """The current tick, digest, frame and scores of many worlds, without stepping them (rewards are zeros)."""
        return self._batched("/api/observations", "worlds", list(worlds), frames)

    def create_worlds(self, model: str, seeds: Sequence[int | None], players: int | None = None) -> list[dict[str, Any]]:
        """Creates one world per seed, concurrently; returns their descriptions in seed order."""
        return self.map(lambda s: self.create_world(model, seed=s, players=players), seeds)

    def fork_many(self, world: str, count: int, at_tick: int | None = None) -> list[dict[str, Any]]:
        """Forks one world `count` times at the same durable tick, concurrently (cheap: forks share the snapshot)."""
        if at_tick is None:
            at_tick = self.get_world(world)["durableTick"]
        return self.map(lambda _: self.fork(world, at_tick), range(count))

    def delete_worlds(self, worlds: Iterable[str], missing_ok: bool = True) -> None:
        """Deletes worlds concurrently; worlds already gone are skipped unless missing_ok is False."""
        def delete(w: str) -> None:
            try:
                self.delete_world(w)
            except WorldClusterError as e:
                if not (missing_ok and e.status == 404):
                    raise
        self.map(delete, list(worlds))

    def map(self, call, items) -> list:
        """Runs `call` over `items` on the client's worker threads; results in order, the first error re-raised."""
        items = list(items)
        if len(items) <= 1 or self.workers <= 1:
            return [call(i) for i in items]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(items))) as pool:
            return list(pool.map(call, items))

    # ---- plumbing ----

    def _batched(self, path: str, member: str, items: list, frames: str) -> list[StepOutcome]:
        if frames not in FRAME_ENCODINGS:
            raise ValueError(f"frames must be one of {FRAME_ENCODINGS}, not {frames!r}")
        chunks = [items[i:i + self.max_batch] for i in range(0, len(items), self.max_batch)] or [[]]
        answers = self.map(lambda chunk: self._json("POST", path, {member: chunk, "frames": frames}), chunks)
        return [StepOutcome.from_json(r, frames) for answer in answers for r in answer["results"]]

    def _json(self, method: str, path: str, body: Any = None) -> Any:
        raw = self._request(method, path, body)
        return json.loads(raw) if raw else None

    def _request(self, method: str, path: str, body: Any = None) -> bytes:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            raise _problem(e) from None
        except urllib.error.URLError as e:
            raise WorldClusterError(None, "Unreachable", f"cannot reach {self.url}: {e.reason}") from e


def _problem(e: urllib.error.HTTPError) -> WorldClusterError:
    raw = e.read()
    try:
        problem = json.loads(raw)
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        text = raw.decode("utf-8", "replace").strip()[:200]
        return WorldClusterError(e.code, e.reason or "HTTP error", text or f"HTTP {e.code}")
    return WorldClusterError(problem.get("status", e.code), problem.get("title", e.reason or "HTTP error"),
                             problem.get("detail", ""), problem.get("worldId"), problem)


def _wire(action: Any) -> Any:
    """A slot's action as JSON: a number is a discrete action (an integer, as before); a structured action (a dict, a
    list of key names or box numbers) is sent as given (docs/http-api.md, "Actions")."""
    if isinstance(action, (dict, list, tuple, np.ndarray)):
        return action.tolist() if isinstance(action, np.ndarray) else action
    return int(action)


def _quote(world: str) -> str:
    return urllib.parse.quote(world, safe="")
