"""Space descriptions with Gymnasium's attribute names (shape, dtype, n, low, high), without depending on Gymnasium."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Box:
    """Arrays of `shape` and `dtype` with values in [low, high] (frames: uint8 0..255, H x W x C)."""

    low: int
    high: int
    shape: tuple[int, ...]
    dtype: type = np.uint8
    _rng: np.random.Generator = field(default_factory=np.random.default_rng, repr=False, compare=False)

    def seed(self, seed: int | None = None) -> None:
        """Seeds sample()."""
        self._rng = np.random.default_rng(seed)

    def sample(self) -> np.ndarray:
        """A uniformly random array of the space."""
        return self._rng.integers(self.low, self.high, size=self.shape, dtype=self.dtype, endpoint=True)

    def contains(self, x) -> bool:
        """True when x is an array of this shape and dtype within bounds."""
        x = np.asarray(x)
        return x.shape == self.shape and x.dtype == np.dtype(self.dtype) and bool(np.all((x >= self.low) & (x <= self.high)))


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
