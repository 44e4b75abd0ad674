"""VectorWorldEnv: many WorldCluster worlds as one Gymnasium 1.x vector env, stepped over the agent plane."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .autoreset import AutoresetMode
from .client import WorldClusterClient, WorldClusterError
from .env import SEED_BOUND
from .origin import Origin
from .plane import OP_OBSERVE, AgentPlane, PlaneResult
from .spaces import Box, Discrete, MultiDiscrete


class VectorWorldEnv:
    """`num_envs` worlds as one vector env: each `step` is one binary message on one WebSocket (docs/agent-plane.md).

    Observations are uint8 [num_envs, H, W, C], a view of the received message (no per-world copies); rewards float32
    (the agent's score change); `terminated` is always False (the models have no terminal states) and
    `max_episode_steps` sets `truncated`. Each episode is a new world (or a new fork); ended ones are deleted.
    `autoreset_mode` is Gymnasium 1.x's: next_step (default), same_step (`final_obs`/`final_info` in infos) or
    disabled (reset ended sub-envs with `reset(options={"reset_mask": mask})`). `close()` deletes every world.
    """

    def __init__(self, model: str = "reference-world", num_envs: int = 64, *,
                 autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP, players: int | None = None, slot: int = 0,
                 max_episode_steps: int | None = None, frames: bool = True, client: WorldClusterClient | None = None,
                 url: str | None = None, token: str | None = None, origin: Origin | None = None):
        if not 1 <= num_envs <= 1024:
            raise ValueError(f"num_envs must be 1..1024, not {num_envs}")
        self.client = client or WorldClusterClient(url, token)
        self.origin = origin or Origin.fresh(self.client, model, players)
        description = self.origin.describe(self.client)
        c, h, w = description["observationShape"]
        space = description["actionSpace"]
        self.num_envs = num_envs
        self.autoreset_mode = AutoresetMode.parse(autoreset_mode)
        self.metadata = {"render_modes": ["rgb_array"], "autoreset_mode": self.autoreset_mode}
        self.render_mode = "rgb_array"
        self.single_observation_space = Box(0, 255, (h, w, c), np.uint8)
        self.single_action_space = Discrete(space["n"], tuple(space.get("actions", ())))
        self.observation_space = Box(0, 255, (num_envs, h, w, c), np.uint8)
        self.action_space = MultiDiscrete(np.full(num_envs, space["n"]))
        if not 0 <= slot < self.origin.players:
            raise ValueError(f"slot must be 0..{self.origin.players - 1}, not {slot}")
        self.slot = slot
        self.max_episode_steps = max_episode_steps
        self.frames = frames
        self.np_random = np.random.default_rng()
        self.plane = AgentPlane(self.client.url, self.client.token, self.client.timeout)
        self.world_ids = np.full(num_envs, None, dtype=object)
        self._obs = np.zeros(self.observation_space.shape, np.uint8)
        self._ended = np.zeros(num_envs, bool)
        self._actions = np.zeros((num_envs, self.origin.players), np.int64)

    @classmethod
    def from_fork(cls, world: str, num_envs: int = 64, at_tick: int | None = None, **kwargs: Any) -> VectorWorldEnv:
        """`num_envs` forks of `world` at `at_tick` (default: its durable tick now); every episode restarts from there."""
        client = kwargs.pop("client", None) or WorldClusterClient(kwargs.pop("url", None), kwargs.pop("token", None))
        return cls(num_envs=num_envs, client=client, origin=Origin.fork(client, world, at_tick), **kwargs)

    def fork(self, index: int, num_envs: int | None = None, at_tick: int | None = None) -> VectorWorldEnv:
        """A new vector env of forks of sub-env `index`'s world at `at_tick` (default: its current tick)."""
        world = self.world_ids[index]
        if world is None:
            raise RuntimeError("call reset() first")
        tick = self.client.get_world(world)["tick"] if at_tick is None else at_tick
        return type(self).from_fork(world, num_envs or self.num_envs, tick, client=self.client, slot=self.slot,
                                    max_episode_steps=self.max_episode_steps, autoreset_mode=self.autoreset_mode)

    @property
    def players(self) -> int:
        """Player slots of each world."""
        return self.origin.players

    def reset(self, seed: int | Sequence[int] | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """New worlds for every sub-env, or with options={"reset_mask": mask} only for those where mask is True.

        `seed` s gives sub-env i the seed s + i (a list gives each its own); a masked reset uses the masked ones' seeds.
        """
        options = dict(options or {})
        mask = options.pop("reset_mask", None)
        if options:
            raise ValueError(f"VectorWorldEnv.reset takes only the option 'reset_mask', got {sorted(options)}")
        if mask is None:
            mask = np.ones(self.num_envs, bool)
        mask = np.asarray(mask)
        if mask.shape != (self.num_envs,) or mask.dtype != np.bool_ or not mask.any():
            raise ValueError(f"reset_mask must be a bool array of shape ({self.num_envs},) with at least one True")
        if seed is None:
            seeds = [int(s) for s in self.np_random.integers(0, SEED_BOUND, size=self.num_envs)]
        elif isinstance(seed, (int, np.integer)):
            self.np_random = np.random.default_rng(int(seed))
            seeds = [int(seed) + i for i in range(self.num_envs)]
        else:
            seeds = [int(s) for s in seed]
            if len(seeds) != self.num_envs:
                raise ValueError(f"expected {self.num_envs} seeds, got {len(seeds)}")
        indices = np.flatnonzero(mask)
        result = self._restart(indices, [seeds[i] for i in indices])
        obs = self._obs.copy() if not mask.all() else None
        if obs is not None:
            obs[indices] = self._view(result)
        else:
            obs = self._view(result)
        self._obs = obs
        self._ended[indices] = False
        return obs, self._info(result, indices)

    def step(self, actions) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """One tick for every sub-env, reset per `autoreset_mode`; one plane message (more when episodes end)."""
        actions = self._check(actions)
        everyone = np.arange(self.num_envs)
        ops = None
        restarting = np.flatnonzero(self._ended)
        if len(restarting) and self.autoreset_mode is AutoresetMode.DISABLED:
            raise ValueError(f"sub-envs {restarting.tolist()} ended; reset them with reset(options={{'reset_mask': mask}}) "
                             "before stepping (autoreset_mode is disabled)")
        if len(restarting):
            # Next-step: the ended sub-envs' actions are ignored; they show their new world's first frame, reward 0.
            self._rebind(restarting, self._draw_seeds(len(restarting)))
            ops = self._ended.astype(np.uint8) * OP_OBSERVE
        self._actions[:, self.slot] = actions
        result = self._exchange(self._actions, everyone, ops)
        obs = self._view(result)
        rewards = result.rewards[:, self.slot].astype(np.float32)
        terminated = result.terminated.copy()
        truncated = result.truncated.copy()
        info = self._info(result, everyone)
        if len(restarting):
            rewards[restarting] = 0.0
            terminated[restarting] = truncated[restarting] = False
        ended = np.flatnonzero(terminated | truncated)
        if self.autoreset_mode is AutoresetMode.SAME_STEP and len(ended):
            # Same-step: the ending step returns the new episode's first frame; the ended one's last is in final_obs.
            final_obs = np.zeros_like(obs)
            final_obs[ended] = obs[ended]
            done = np.zeros(self.num_envs, bool)
            done[ended] = True
            info["final_obs"], info["_final_obs"] = final_obs, done
            info["final_info"], info["_final_info"] = {k: v for k, v in info.items() if not k.startswith(("final", "_final"))}, done.copy()
            reset = self._restart(ended, self._draw_seeds(len(ended)))
            obs[ended] = self._view(reset)
            # As Gymnasium's: the top-level info of a reset sub-env is its reset's.
            for key, value in self._info(reset, ended).items():
                if not key.startswith("_"):
                    info[key] = info[key].copy()
                    info[key][ended] = value[ended]
            self._ended[:] = False
        else:
            self._ended = terminated | truncated
        self._obs = obs
        return obs, rewards, terminated, truncated, info

    def render(self) -> np.ndarray:
        """The latest frames, [num_envs, H, W, C] uint8."""
        return self._obs

    def close(self) -> None:
        """Deletes every world this env created and closes the plane connection."""
        live = [w for w in self.world_ids if w is not None]
        if live:
            self.client.delete_worlds(live)
        self.world_ids[:] = None
        self.plane.close()

    def __enter__(self) -> VectorWorldEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- plumbing shared with AsyncVectorWorldEnv ----

    def _check(self, actions) -> np.ndarray:
        actions = np.asarray(actions)
        if not self.action_space.contains(actions):
            raise ValueError(f"actions must be {self.num_envs} integers in 0..{self.single_action_space.n - 1}, got {actions!r}")
        if any(w is None for w in self.world_ids):
            raise RuntimeError("call reset() first")
        return actions

    def _rebind(self, indices: np.ndarray, seeds: list[int]) -> None:
        """New worlds for `indices` (the old ones deleted), bound to the same env ids; their first frame comes next."""
        old = [w for w in self.world_ids[indices] if w is not None]
        worlds = self.origin.start(self.client, seeds)
        if old:
            self.client.delete_worlds(old)
        self.world_ids[indices] = worlds
        self.plane.bind([int(i) for i in indices], worlds, self.max_episode_steps or 0)

    def _restart(self, indices: np.ndarray, seeds: list[int]) -> PlaneResult:
        self._rebind(indices, seeds)
        return self._exchange(self._actions[indices], indices, np.full(len(indices), OP_OBSERVE, np.uint8))

    def _exchange(self, actions: np.ndarray, env_ids: np.ndarray, ops: np.ndarray | None) -> PlaneResult:
        self.plane.send_step(actions, env_ids, ops, self.frames)
        result = self.plane.recv()
        self._raise_failures(result)
        return result

    def _raise_failures(self, result: PlaneResult) -> None:
        failed = np.flatnonzero(result.status)
        if len(failed):
            i = int(failed[0])
            world = self.world_ids[result.env_ids[i]]
            raise WorldClusterError(int(result.status[i]), "Step failed",
                                    f"{len(failed)} of {len(result.status)} worlds failed to step; the others stepped", world)

    def _view(self, result: PlaneResult) -> np.ndarray:
        if result.frames is None:
            return np.zeros((len(result.ticks), *self.single_observation_space.shape), np.uint8)
        return result.frames.transpose(0, 2, 3, 1)

    def _draw_seeds(self, count: int) -> list[int]:
        return [int(s) for s in self.np_random.integers(0, SEED_BOUND, size=count)]

    def _info(self, result: PlaneResult, indices: np.ndarray) -> dict[str, Any]:
        """Gymnasium-style vector infos: each key an array over all sub-envs, `_key` marking which have a value."""
        n = self.num_envs
        present = np.zeros(n, bool)
        present[indices] = True
        info: dict[str, Any] = {}

        def put(key: str, values, dtype) -> None:
            array = np.zeros(n, dtype) if dtype is not object else np.full(n, None, dtype=object)
            array[indices] = values
            info[key], info["_" + key] = array, present.copy()

        put("world", self.world_ids[indices], object)
        put("tick", result.ticks, np.int64)
        put("state_digest", [result.digest(i) for i in range(len(indices))], object)
        put("durable_tick", result.durable_ticks, np.int64)
        return info
