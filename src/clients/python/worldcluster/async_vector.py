"""AsyncVectorWorldEnv: EnvPool-style send(actions, env_ids) / recv() over the agent plane, several steps in flight."""

from __future__ import annotations

from typing import Any

import numpy as np

from .autoreset import AutoresetMode
from .plane import OP_OBSERVE, PlaneResult
from .vector import VectorWorldEnv


class AsyncVectorWorldEnv(VectorWorldEnv):
    """A VectorWorldEnv whose sub-envs step independently: `send` some, `recv` whichever answer is ready.

    `send(actions, env_ids)` steps the named sub-envs (all when env_ids is None) and returns at once; `recv()` returns
    (obs, rewards, terminated, truncated, info) for one earlier send, the first to complete, with `info["env_id"]`
    naming its sub-envs in order. A sub-env may be in one send at a time. Autoreset is next-step (as EnvPool's): the
    send after a sub-env's episode ended resets it (its action is ignored, reward 0, the new world's first frame).
    """

    def __init__(self, model: str = "reference-world", num_envs: int = 64, **kwargs: Any):
        mode = AutoresetMode.parse(kwargs.pop("autoreset_mode", AutoresetMode.NEXT_STEP))
        if mode is not AutoresetMode.NEXT_STEP:
            raise ValueError("AsyncVectorWorldEnv resets next-step only (send/recv answers carry no final_obs)")
        super().__init__(model, num_envs, **kwargs)
        self._busy = np.zeros(num_envs, bool)
        self._resets: dict[int, np.ndarray] = {}

    def send(self, actions, env_ids=None) -> None:
        """Steps sub-envs `env_ids` (default all) with one action each; the answer comes from a later recv()."""
        env_ids = np.arange(self.num_envs) if env_ids is None else np.asarray(env_ids, np.int64).reshape(-1)
        actions = np.asarray(actions).reshape(-1)
        if len(env_ids) != len(actions) or len(np.unique(env_ids)) != len(env_ids) or env_ids.min() < 0 or env_ids.max() >= self.num_envs:
            raise ValueError(f"env_ids must be distinct sub-envs 0..{self.num_envs - 1}, one per action")
        if not np.all((actions >= 0) & (actions < self.single_action_space.n)) or not np.issubdtype(actions.dtype, np.integer):
            raise ValueError(f"actions must be integers in 0..{self.single_action_space.n - 1}, got {actions!r}")
        if self._busy[env_ids].any():
            raise ValueError(f"sub-envs {env_ids[self._busy[env_ids]].tolist()} are still in flight; recv() their answer first")
        if any(w is None for w in self.world_ids):
            raise RuntimeError("call reset() first")
        restarting = env_ids[self._ended[env_ids]]
        if len(restarting):
            self._rebind(restarting, self._draw_seeds(len(restarting)))
        packed = np.zeros((len(env_ids), self.players), np.int64)
        packed[:, self.slot] = actions
        ops = self._ended[env_ids].astype(np.uint8) * OP_OBSERVE
        request = self.plane.send_step(packed, env_ids, ops, self.frames)
        self._resets[request] = self._ended[env_ids].copy()
        self._ended[env_ids] = False
        self._busy[env_ids] = True

    def recv(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """The first completed send's answer; info["env_id"] names its sub-envs."""
        if not self._busy.any():
            raise RuntimeError("nothing in flight: send() first")
        result: PlaneResult = self.plane.recv()
        env_ids = result.env_ids.astype(np.int64)
        reset = self._resets.pop(result.request_id)
        self._busy[env_ids] = False
        self._raise_failures(result)
        rewards = result.rewards[:, self.slot].astype(np.float32)
        terminated, truncated = result.terminated.copy(), result.truncated.copy()
        rewards[reset] = 0.0
        terminated[reset] = truncated[reset] = False
        self._ended[env_ids] = terminated | truncated
        obs = self._view(result)
        self._obs[env_ids] = obs
        info = {"env_id": env_ids, "world": self.world_ids[env_ids], "tick": result.ticks,
                "state_digest": np.array([result.digest(i) for i in range(len(env_ids))], dtype=object),
                "durable_tick": result.durable_ticks}
        return obs, rewards, terminated, truncated, info

    def step(self, actions) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """send() then recv() for every sub-env (the synchronous VectorWorldEnv contract, next-step autoreset)."""
        self.send(actions)
        return self.recv()
