#!/usr/bin/env python3
"""Exports a small PyTorch world model as a WorldCluster model package (TorchScript).

The model, "bouncing-balls", is deliberately tiny: up to two balls (one per player slot) bounce around a 16x16
field; each player nudges its ball with its action; a float "trail" image remembers where the balls were and two
small convolutions turn it into an RGB frame. It shows the module convention a TorchScript world model follows
(docs/model-packages.md):

    init(seeds: int64 [B], players: int64 [B]) -> List[Tensor]   # state tensors..., frames uint8 [B, C, H, W]
    step(state: List[Tensor], actions: int64 [B, P]) -> List[Tensor]   # the same

Usage (Debian's python3-torch 1.13 is enough):

    python3 tools/export-torchscript-fixture.py --out tests/fixtures/models

writes <out>/bouncing-balls/1.0.0/{model.json, model.pt}.
"""

import argparse
import hashlib
import json
import os
from typing import Final, List

import torch
from torch import Tensor, nn

FIELD = 16  # cells per side
SCALE = 2  # frame pixels per cell
MAX_PLAYERS = 2
ACTIONS = ["noop", "up", "down", "left", "right"]


class BouncingBalls(nn.Module):
    """Integer ball physics plus a float trail rendered by two convolutions."""

    field: Final[int]
    scale: Final[int]
    max_players: Final[int]
    actions: Final[int]

    def __init__(self) -> None:
        super().__init__()
        self.field = FIELD
        self.scale = SCALE
        self.max_players = MAX_PLAYERS
        self.actions = len(ACTIONS)
        self.render1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.render2 = nn.Conv2d(8, 3, kernel_size=3, padding=1)
        # Action number -> (row, column) nudge.
        self.register_buffer("nudges", torch.tensor([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]], dtype=torch.int64))

    @torch.jit.export
    def init(self, seeds: Tensor, players: Tensor) -> List[Tensor]:
        batch = seeds.shape[0]
        # A small LCG in int64 (values stay below 2^62): equal seeds give equal worlds on every machine.
        x = torch.remainder(seeds, 2147483648)
        draws: List[Tensor] = []
        for _ in range(4 * self.max_players):
            x = torch.remainder(x * 1103515245 + 12345, 2147483648)
            draws.append(torch.div(x, 65536, rounding_mode="floor"))
        d = torch.stack(draws, dim=1).view(batch, self.max_players, 4)
        pos = torch.remainder(d[:, :, 0:2], self.field)
        vel = torch.remainder(d[:, :, 2:4], 2) * 2 - 1
        slots = torch.arange(self.max_players, device=seeds.device).view(1, self.max_players)
        active = (slots < players.view(batch, 1)).to(torch.uint8)
        trail = torch.zeros(batch, 1, self.field, self.field, dtype=torch.float32, device=seeds.device)
        trail = trail + self.balls(pos, active)
        return [pos, vel, active, trail, self.render(trail)]

    @torch.jit.export
    def step(self, state: List[Tensor], actions: Tensor) -> List[Tensor]:
        pos, vel, active, trail = state[0], state[1], state[2], state[3]
        vel = torch.clamp(vel + self.nudges[actions.clamp(0, self.actions - 1)], -1, 1)
        pos = pos + vel
        # Bounce off the walls: reflect the position and reverse the velocity.
        low = pos < 0
        high = pos > self.field - 1
        pos = torch.where(low, -pos, pos)
        pos = torch.where(high, 2 * (self.field - 1) - pos, pos)
        vel = torch.where(low | high, -vel, vel)
        trail = trail * 0.75 + self.balls(pos, active)
        return [pos, vel, active, trail, self.render(trail)]

    def balls(self, pos: Tensor, active: Tensor) -> Tensor:
        batch = pos.shape[0]
        cells = pos[:, :, 0] * self.field + pos[:, :, 1]
        image = torch.zeros(batch, self.field * self.field, dtype=torch.float32, device=pos.device)
        image = image.scatter_add(1, cells, active.to(torch.float32))
        return image.view(batch, 1, self.field, self.field)

    def render(self, trail: Tensor) -> Tensor:
        rgb = torch.sigmoid(self.render2(torch.relu(self.render1(trail))))
        pixels = (rgb * 255.0).to(torch.uint8)
        return pixels.repeat_interleave(self.scale, dim=2).repeat_interleave(self.scale, dim=3).contiguous()


def manifest(weights: str, sha256: str) -> dict:
    return {
        "format": 1,
        "name": "bouncing-balls",
        "version": "1.0.0",
        "description": "Two balls bounce in a 16x16 field; players nudge them. A TorchScript example world model.",
        "license": "MIT",
        "architecture": "bouncing-balls/1",
        "weights": {"file": weights, "format": "torchscript", "sha256": sha256},
        "observation": {"channels": 3, "height": FIELD * SCALE, "width": FIELD * SCALE},
        "actionSpace": {"type": "discrete", "n": len(ACTIONS), "names": ACTIONS},
        "maxPlayers": MAX_PLAYERS,
        "state": [
            {"name": "pos", "dtype": "int64", "shape": [MAX_PLAYERS, 2]},
            {"name": "vel", "dtype": "int64", "shape": [MAX_PLAYERS, 2]},
            {"name": "active", "dtype": "uint8", "shape": [MAX_PLAYERS]},
            {"name": "trail", "dtype": "float32", "shape": [1, FIELD, FIELD]},
        ],
        "contextLength": 0,
        # Convolutions give bit-identical rows at every batch size >= 2 on libtorch's CPU kernels, so running only
        # at these buckets makes a world's steps independent of its batch (docs/batching.md).
        "batchInvariant": True,
        "batchBuckets": [4, 16],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="packages folder; the package goes to <out>/bouncing-balls/1.0.0")
    args = parser.parse_args()

    torch.manual_seed(7)
    model = BouncingBalls().eval()
    scripted = torch.jit.script(model)

    # A smoke test before writing anything: init and two steps at batch 2.
    with torch.no_grad():
        out = scripted.init(torch.tensor([1, 2]), torch.tensor([2, 1]))
        for _ in range(2):
            out = scripted.step(out[:4], torch.tensor([[1, 4], [0, 0]]))
        assert out[4].dtype == torch.uint8 and list(out[4].shape) == [2, 3, FIELD * SCALE, FIELD * SCALE]

    folder = os.path.join(args.out, "bouncing-balls", "1.0.0")
    os.makedirs(folder, exist_ok=True)
    weights = os.path.join(folder, "model.pt")
    scripted.save(weights)
    with open(weights, "rb") as f:
        sha256 = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(folder, "model.json"), "w", encoding="utf-8") as f:
        json.dump(manifest("model.pt", sha256), f, indent=2)
        f.write("\n")
    print(f"wrote {folder} (model.pt {os.path.getsize(weights)} bytes, sha256 {sha256})")


if __name__ == "__main__":
    main()
