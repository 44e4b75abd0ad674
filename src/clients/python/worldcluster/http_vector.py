"""HttpVectorWorldEnv: many WorldCluster worlds stepped together, one JSON batch request (POST /api/steps) per step."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .client import StepOutcome, WorldClusterClient
from .env import SEED_BOUND
from .origin import Origin
from .spaces import Box, Discrete, MultiDiscrete


class HttpVectorWorldEnv:
    """`num_envs` worlds as one vectorised Gymnasium-shaped env over the JSON batch API (VectorWorldEnv uses the faster agent plane).

    `step(actions)` sends every world's tick in one `POST /api/steps` (split at 256 worlds), so the silo batches them into
    few forward passes. Observations are uint8 [num_envs, H, W, C]; rewards float32; `terminated` is always False and
    `max_episode_steps` sets `truncated`. Like Gymnasium 1.x vector envs (next-step autoreset), a sub-env whose episode
    ended is reset by the following `step()`: its action is ignored and it returns the new world's first frame with
    reward 0. `close()` deletes every world the env created.
    """

    metadata = {"render_modes": ["rgb_array"], "autoreset_mode": "next_step"}

    def __init__(self, model: str = "reference-world", num_envs: int = 64, *, players: int | None = None,
                 slot: int = 0, max_episode_steps: int | None = None, client: WorldClusterClient | None = None,
                 url: str | None = None, token: str | None = None, origin: Origin | None = None):
        if num_envs < 1:
            raise ValueError(f"num_envs must be at least 1, not {num_envs}")
        self.client = client or WorldClusterClient(url, token)
        self.origin = origin or Origin.fresh(self.client, model, players)
        description = self.origin.describe(self.client)
        c, h, w = description["observationShape"]
        space = description["actionSpace"]
        self.num_envs = num_envs
        self.single_observation_space = Box(0, 255, (h, w, c), np.uint8)
        self.single_action_space = Discrete(space["n"], tuple(space.get("actions", ())))
        self.observation_space = Box(0, 255, (num_envs, h, w, c), np.uint8)
        self.action_space = MultiDiscrete(np.full(num_envs, space["n"]))
        if not 0 <= slot < self.origin.players:
            raise ValueError(f"slot must be 0..{self.origin.players - 1}, not {slot}")
        self.slot = slot
        self.max_episode_steps = max_episode_steps
        self.world_ids: list[str | None] = [None] * num_envs
        self.np_random = np.random.default_rng()
        self._obs = np.zeros(self.observation_space.shape, np.uint8)
        self._ticks = np.zeros(num_envs, np.int64)
        self._elapsed = np.zeros(num_envs, np.int64)
        self._ended = np.zeros(num_envs, bool)

    @classmethod
    def from_fork(cls, world: str, num_envs: int = 64, at_tick: int | None = None, **kwargs: Any) -> HttpVectorWorldEnv:
        """`num_envs` forks of `world` at `at_tick` (default: its durable tick now); every episode restarts from there."""
        client = kwargs.pop("client", None) or WorldClusterClient(kwargs.pop("url", None), kwargs.pop("token", None))
        return cls(num_envs=num_envs, client=client, origin=Origin.fork(client, world, at_tick), **kwargs)

    def fork(self, index: int, num_envs: int | None = None, at_tick: int | None = None) -> HttpVectorWorldEnv:
        """A new vector env of forks of sub-env `index`'s world at `at_tick` (default: its current tick)."""
        world = self.world_ids[index]
        if world is None:
            raise RuntimeError("call reset() first")
        tick = int(self._ticks[index]) if at_tick is None else at_tick
        return HttpVectorWorldEnv.from_fork(world, num_envs or self.num_envs, tick, client=self.client, slot=self.slot,
                                        max_episode_steps=self.max_episode_steps)

    @property
    def players(self) -> int:
        """Player slots of each world."""
        return self.origin.players

    def reset(self, seed: int | Sequence[int] | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """New worlds for every sub-env (the old ones are deleted). `seed` s gives worlds seeds s, s+1, ...; a list gives each."""
        if options:
            raise ValueError(f"HttpVectorWorldEnv.reset takes no options, got {sorted(options)}")
        if seed is None:
            seeds = self._draw_seeds(self.num_envs)
        elif isinstance(seed, (int, np.integer)):
            self.np_random = np.random.default_rng(int(seed))
            seeds = [int(seed) + i for i in range(self.num_envs)]
        else:
            seeds = [int(s) for s in seed]
            if len(seeds) != self.num_envs:
                raise ValueError(f"expected {self.num_envs} seeds, got {len(seeds)}")
        self.close()
        indices = list(range(self.num_envs))
        outcomes = self._restart(indices, seeds)
        self._ended[:] = False
        return self._obs.copy(), self._info(outcomes)

    def step(self, actions) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """One tick for every sub-env (sub-envs that ended last step are reset instead); one batch request."""
        if any(w is None for w in self.world_ids):
            raise RuntimeError("call reset() first")
        actions = np.asarray(actions)
        if not self.action_space.contains(actions):
            raise ValueError(f"actions must be {self.num_envs} integers in 0..{self.single_action_space.n - 1}, got {actions!r}")
        restarting = [i for i in range(self.num_envs) if self._ended[i]]
        stepping = [i for i in range(self.num_envs) if not self._ended[i]]
        outcomes: list[StepOutcome | None] = [None] * self.num_envs
        rewards = np.zeros(self.num_envs, np.float32)
        if stepping:
            steps = [(self.world_ids[i], self._slot_actions(int(actions[i]))) for i in stepping]
            for i, outcome in zip(stepping, self.client.step_many(steps)):
                outcomes[i] = outcome
                self._take(i, outcome)
                if outcome.rewards:
                    rewards[i] = outcome.rewards[self.slot]
            self._elapsed[stepping] += 1
        if restarting:
            self.client.delete_worlds([self.world_ids[i] for i in restarting])
            for i, outcome in zip(restarting, self._restart(restarting, self._draw_seeds(len(restarting)))):
                outcomes[i] = outcome
        terminated = np.zeros(self.num_envs, bool)
        truncated = np.zeros(self.num_envs, bool)
        if self.max_episode_steps is not None:
            truncated[stepping] = self._elapsed[stepping] >= self.max_episode_steps
        self._ended = terminated | truncated
        return self._obs.copy(), rewards, terminated, truncated, self._info(outcomes)

    def render(self) -> np.ndarray:
        """The latest frames, [num_envs, H, W, C] uint8."""
        return self._obs.copy()

    def close(self) -> None:
        """Deletes every world this env created."""
        live = [w for w in self.world_ids if w is not None]
        if live:
            self.client.delete_worlds(live)
        self.world_ids = [None] * self.num_envs

    def __enter__(self) -> HttpVectorWorldEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _restart(self, indices: list[int], seeds: list[int]) -> list[StepOutcome]:
        worlds = self.origin.start(self.client, seeds)
        for i, world in zip(indices, worlds):
            self.world_ids[i] = world
        outcomes = self.client.observe_many(worlds)
        for i, outcome in zip(indices, outcomes):
            self._take(i, outcome)
            self._elapsed[i] = 0
        return outcomes

    def _take(self, i: int, outcome: StepOutcome) -> None:
        self._obs[i] = outcome.frame
        self._ticks[i] = outcome.tick

    def _slot_actions(self, action: int) -> list[int]:
        actions = [0] * self.players
        actions[self.slot] = action
        return actions

    def _draw_seeds(self, count: int) -> list[int]:
        return [int(s) for s in self.np_random.integers(0, SEED_BOUND, size=count)]

    def _info(self, outcomes: Sequence[StepOutcome]) -> dict[str, Any]:
        return {
            "world": np.array([o.world for o in outcomes], dtype=object),
            "tick": np.array([o.tick for o in outcomes], dtype=np.int64),
            "state_digest": np.array([o.state_digest for o in outcomes], dtype=object),
            "durable_tick": np.array([o.durable_tick for o in outcomes], dtype=np.int64),
            "scores": np.array([o.scores[self.slot] if o.scores else 0 for o in outcomes], dtype=np.int64),
        }
