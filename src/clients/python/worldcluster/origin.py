"""Where an environment's worlds come from: fresh worlds of a model from seeds, or forks of one world at one tick."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .client import WorldClusterClient, WorldClusterError


@dataclass
class Origin:
    """Fresh worlds of `model` with `players` slots, or, when `fork_world` is set, forks of it at `fork_tick`."""

    model: str
    players: int
    fork_world: str | None = None
    fork_tick: int | None = None

    @staticmethod
    def fresh(client: WorldClusterClient, model: str, players: int | None) -> Origin:
        """Fresh worlds; players defaults to 1 (one agent per world)."""
        description = client.model(model)
        players = 1 if players is None else players
        if not 1 <= players <= description["maxPlayers"]:
            raise ValueError(f"players must be 1..{description['maxPlayers']} for model '{model}', not {players}")
        return Origin(model, players)

    @staticmethod
    def fork(client: WorldClusterClient, world: str, at_tick: int | None) -> Origin:
        """Forks of `world`; with no tick, its durable tick now, so every reset starts from the same state."""
        info = client.get_world(world)
        if info.get("tickHz", 0) > 0:
            raise WorldClusterError(409, "Conflict", f"world '{world}' ticks in real time; forks of it would too, and cannot be stepped", world)
        tick = info["durableTick"] if at_tick is None else int(at_tick)
        return Origin(info["model"], info["players"], world, tick)

    def start(self, client: WorldClusterClient, seeds: Sequence[int]) -> list[str]:
        """Starts one world per seed (forks ignore seeds: each is an exact copy of the source at the tick)."""
        if self.fork_world is not None:
            worlds = client.fork_many(self.fork_world, len(seeds), self.fork_tick)
        else:
            worlds = client.create_worlds(self.model, list(seeds), self.players)
        return [w["id"] for w in worlds]

    def describe(self, client: WorldClusterClient) -> dict[str, Any]:
        """The model's description (observation shape, action space)."""
        return client.model(self.model)
