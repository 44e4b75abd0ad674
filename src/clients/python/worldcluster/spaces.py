"""Space descriptions with Gymnasium's attribute names (shape, dtype, n, low, high), without depending on Gymnasium."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Box:
    """Arrays of `shape` and `dtype` with values in [low, high] (frames: uint8 0..255, H x W x C; a structured model's
    box action: float32 per dimension, `names` naming them). low and high are scalars or arrays of `shape`."""

    low: Any
    high: Any
    shape: tuple[int, ...]
    dtype: type = np.uint8
    names: tuple[str, ...] = ()
    _rng: np.random.Generator = field(default_factory=np.random.default_rng, repr=False, compare=False)

    def seed(self, seed: int | None = None) -> None:
        """Seeds sample()."""
        self._rng = np.random.default_rng(seed)

    def sample(self) -> np.ndarray:
        """A uniformly random array of the space."""
        if np.issubdtype(np.dtype(self.dtype), np.floating):
            return self._rng.uniform(self.low, self.high, size=self.shape).astype(self.dtype)
        return self._rng.integers(self.low, self.high, size=self.shape, dtype=self.dtype, endpoint=True)

    def contains(self, x) -> bool:
        """True when x is an array of this shape within bounds: of this dtype, or for a float space any finite real numbers."""
        x = np.asarray(x)
        if np.issubdtype(np.dtype(self.dtype), np.floating):
            if x.shape != self.shape or not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
                return False
            x = x.astype(self.dtype)
            return bool(np.all(np.isfinite(x) & (x >= self.low) & (x <= self.high)))
        return x.shape == self.shape and x.dtype == np.dtype(self.dtype) and bool(np.all((x >= self.low) & (x <= self.high)))

    def to_wire(self, x) -> list[float]:
        """The JSON a world takes for this action: its numbers (float32, exact)."""
        return [float(v) for v in np.asarray(x, dtype=self.dtype).reshape(-1)]

    def noop(self) -> list[float]:
        """The no-op's JSON: no movement."""
        return [0.0] * int(np.prod(self.shape))


@dataclass
class MultiBinary:
    """Keys held: an array of n 0/1 values, one per key in `names` (a structured model's `keys` action)."""

    n: int
    names: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()
    dtype: type = np.int8
    _rng: np.random.Generator = field(default_factory=np.random.default_rng, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.shape = (self.n,)

    def seed(self, seed: int | None = None) -> None:
        """Seeds sample()."""
        self._rng = np.random.default_rng(seed)

    def sample(self) -> np.ndarray:
        """Each key held or not, at random."""
        return self._rng.integers(0, 2, size=self.shape, dtype=self.dtype)

    def contains(self, x) -> bool:
        """True when x is n integers (or booleans), each 0 or 1."""
        x = np.asarray(x)
        return x.shape == self.shape and (np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_) \
            and bool(np.all((x == 0) | (x == 1)))

    def to_wire(self, x) -> list[str]:
        """The JSON a world takes for this action: the names of the keys held."""
        return [name for name, held in zip(self.names, np.asarray(x).reshape(-1)) if held]

    def noop(self) -> list[str]:
        """The no-op's JSON: no key held."""
        return []


@dataclass
class Dict:
    """A dict of named spaces (a structured model's `dict` action, e.g. keys + mouse). An action may leave components
    out: the world takes them as their no-op."""

    spaces: dict[str, Any]
    shape: tuple[int, ...] | None = None
    dtype: type | None = None

    def seed(self, seed: int | None = None) -> None:
        """Seeds every component's sample() (each from its own seed drawn from `seed`)."""
        seeds = np.random.SeedSequence(seed).generate_state(len(self.spaces))
        for space, s in zip(self.spaces.values(), seeds):
            space.seed(int(s))

    def sample(self) -> dict[str, Any]:
        """A random action of every component."""
        return {name: space.sample() for name, space in self.spaces.items()}

    def contains(self, x) -> bool:
        """True when x is a dict of some or all components, each in its space."""
        return isinstance(x, dict) and all(k in self.spaces and self.spaces[k].contains(v) for k, v in x.items())

    def to_wire(self, x) -> dict[str, Any]:
        """The JSON a world takes for this action: an object of the components given."""
        return {k: self.spaces[k].to_wire(v) for k, v in x.items()}

    def noop(self) -> dict[str, Any]:
        """The no-op's JSON: no component (no key held, no movement)."""
        return {}

    def __getitem__(self, name: str):
        return self.spaces[name]


@dataclass
class Discrete:
    """One of n actions, 0..n-1 (action 0 is the no-op); `actions` names them."""

    n: int
    actions: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()
    dtype: type = np.int64
    _rng: np.random.Generator = field(default_factory=np.random.default_rng, repr=False, compare=False)

    def seed(self, seed: int | None = None) -> None:
        """Seeds sample()."""
        self._rng = np.random.default_rng(seed)

    def sample(self) -> int:
        """A uniformly random action."""
        return int(self._rng.integers(0, self.n))

    def contains(self, x) -> bool:
        """True when x is an integer action in 0..n-1."""
        return isinstance(x, (int, np.integer)) and 0 <= int(x) < self.n

    def to_wire(self, x) -> int:
        """The JSON a world takes for this action: the integer."""
        return int(x)

    def noop(self) -> int:
        """The no-op: action 0."""
        return 0


@dataclass
class MultiDiscrete:
    """One action per sub-environment, each in 0..n-1 (a vector env's action_space)."""

    nvec: np.ndarray
    shape: tuple[int, ...] = ()
    dtype: type = np.int64
    _rng: np.random.Generator = field(default_factory=np.random.default_rng, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.nvec = np.asarray(self.nvec, dtype=np.int64)
        self.shape = self.nvec.shape

    def seed(self, seed: int | None = None) -> None:
        """Seeds sample()."""
        self._rng = np.random.default_rng(seed)

    def sample(self) -> np.ndarray:
        """A uniformly random action per sub-environment."""
        return self._rng.integers(0, self.nvec, dtype=np.int64)

    def contains(self, x) -> bool:
        """True when x has one in-range action per sub-environment."""
        x = np.asarray(x)
        return x.shape == self.shape and np.issubdtype(x.dtype, np.integer) and bool(np.all((x >= 0) & (x < self.nvec)))


def action_space(info: dict[str, Any]):
    """The Gymnasium-shaped space of one slot's action from GET /api/models' `actionSpace`: discrete is Discrete,
    keys MultiBinary, box a float32 Box, dict a Dict of those."""
    if info["type"] == "discrete":
        return Discrete(info["n"], tuple(info.get("actions", ())))
    components = {c["name"]: _component(c) for c in info["components"]}
    if info["type"] == "dict":
        return Dict(components)
    return next(iter(components.values()))


def _component(c: dict[str, Any]):
    if c["type"] == "discrete":
        return Discrete(c["n"], tuple(c.get("names", ())))
    if c["type"] == "keys":
        return MultiBinary(c["n"], tuple(c["names"]))
    if c["type"] == "box":
        return Box(np.asarray(c["low"], np.float32), np.asarray(c["high"], np.float32), (c["n"],), np.float32, tuple(c["names"]))
    raise ValueError(f"action space component {c['name']!r} has unknown type {c['type']!r}")
