"""WorldEnv: one WorldCluster world as a Gymnasium-shaped environment (reset/step, numpy frames)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .client import StepOutcome, WorldClusterClient
from .origin import Origin
from .spaces import Box, Discrete, action_space

SEED_BOUND = 2**31 - 1


class WorldEnv:
    """One world per episode, stepped on demand: `reset()` starts a world, `step(action)` advances it one tick.

    The agent plays player slot `slot`; other slots (when `players` > 1) do nothing. Observations are the world's frame
    as uint8 H x W x C; the reward is the agent's score change in that tick (0 for models without scores). Worlds never
    end by themselves (`terminated` is always False); `max_episode_steps` truncates episodes. `close()` deletes the
    world this env created. Forked envs (`from_fork`, `fork`) start every episode from one world's state at one tick.
    """

    metadata = {"render_modes": ["rgb_array"]}
    render_mode = "rgb_array"

    def __init__(self, model: str = "reference-world", *, players: int | None = None, slot: int = 0,
                 max_episode_steps: int | None = None, client: WorldClusterClient | None = None,
                 url: str | None = None, token: str | None = None, origin: Origin | None = None):
        self.client = client or WorldClusterClient(url, token)
        self.origin = origin or Origin.fresh(self.client, model, players)
        description = self.origin.describe(self.client)
        c, h, w = description["observationShape"]
        space = description["actionSpace"]
        self.observation_space = Box(0, 255, (h, w, c), np.uint8)
        # Discrete for a discrete model; MultiBinary (keys), a float32 Box, or a Dict of them for a structured one.
        self.action_space = action_space(space)
        if not 0 <= slot < self.origin.players:
            raise ValueError(f"slot must be 0..{self.origin.players - 1}, not {slot}")
        self.slot = slot
        self.max_episode_steps = max_episode_steps
        self.world_id: str | None = None
        self.np_random = np.random.default_rng()
        self._frame: np.ndarray | None = None
        self._tick = 0
        self._elapsed = 0

    @classmethod
    def from_fork(cls, world: str, at_tick: int | None = None, **kwargs: Any) -> WorldEnv:
        """An env whose every episode starts from a fork of `world` at `at_tick` (default: its durable tick now)."""
        client = kwargs.pop("client", None) or WorldClusterClient(kwargs.pop("url", None), kwargs.pop("token", None))
        return cls(client=client, origin=Origin.fork(client, world, at_tick), **kwargs)

    def fork(self, at_tick: int | None = None) -> WorldEnv:
        """A new env whose episodes start from this env's world at `at_tick` (default: its current tick)."""
        self._require_world()
        tick = self._tick if at_tick is None else at_tick
        return WorldEnv.from_fork(self.world_id, tick, client=self.client, slot=self.slot,
                                  max_episode_steps=self.max_episode_steps)

    @property
    def players(self) -> int:
        """Player slots of this env's worlds."""
        return self.origin.players

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """Starts a new episode in a new world (the previous one is deleted); `seed` makes it reproducible."""
        if options:
            raise ValueError(f"WorldEnv.reset takes no options, got {sorted(options)}")
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
            world_seed = int(seed)
        else:
            world_seed = int(self.np_random.integers(0, SEED_BOUND))
        self.close()
        self.world_id = self.origin.start(self.client, [world_seed])[0]
        outcome = self.client.observe_many([self.world_id])[0]
        self._elapsed = 0
        return self._observe(outcome), self._info(outcome)

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """One tick with the agent's action (an int; in a structured space e.g. {"keys": [0, 0, 0, 1, 0], "mouse": [1.5, 0]});
        returns (obs, reward, terminated, truncated, info)."""
        self._require_world()
        space = self.action_space
        if not space.contains(action):
            if isinstance(space, Discrete):
                raise ValueError(f"action {action!r} is outside the action space (0..{space.n - 1})")
            bad = next((k for k, v in action.items() if k not in space.spaces or not space.spaces[k].contains(v)), None) \
                if isinstance(action, dict) and hasattr(space, "spaces") else None
            if bad is not None:
                raise ValueError(f"action[{bad!r}] is {action[bad]!r}, not in {space.spaces.get(bad, 'the action space (' + ', '.join(space.spaces) + ')')}")
            raise ValueError(f"action {action!r} is not in the action space {space}")
        actions = [space.noop()] * self.players
        actions[self.slot] = space.to_wire(action)
        outcome = self.client.step_many([(self.world_id, actions)])[0]
        self._elapsed += 1
        reward = float(outcome.rewards[self.slot]) if outcome.rewards else 0.0
        truncated = self.max_episode_steps is not None and self._elapsed >= self.max_episode_steps
        return self._observe(outcome), reward, False, truncated, self._info(outcome)

    def render(self) -> np.ndarray | None:
        """The latest frame (H x W x C uint8)."""
        return self._frame

    def close(self) -> None:
        """Deletes the world this env created, if any."""
        if self.world_id is not None:
            self.client.delete_worlds([self.world_id])
            self.world_id = None

    def __enter__(self) -> WorldEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _observe(self, outcome: StepOutcome) -> np.ndarray:
        self._tick = outcome.tick
        self._frame = np.ascontiguousarray(outcome.frame)
        return self._frame

    def _info(self, outcome: StepOutcome) -> dict[str, Any]:
        return {"world": outcome.world, "tick": outcome.tick, "state_digest": outcome.state_digest,
                "durable_tick": outcome.durable_tick, "scores": outcome.scores}

    def _require_world(self) -> None:
        if self.world_id is None:
            raise RuntimeError("call reset() first")
