#!/usr/bin/env python3
"""Exports "kv-cache", a test world model whose state is a 4 MiB rolling key/value cache, as a TorchScript package.

Transformer world models (Oasis, Matrix-Game, Self-Forcing) keep a per-session KV cache of the last frames' tokens:
megabytes of state that every step reads and rolls by one position. This fixture has that shape and cost and nothing
else: the cache is float32 [8 layers, 8 heads, 256 positions, 64 dims] (4,194,304 bytes per world); a step drops the
oldest position and appends one computed from the players' actions and the world's position counter; the frame shows
part of the newest positions. Every operation is elementwise or a copy, so a world's rows never depend on its batch.

Usage (Debian's python3-torch 1.13 is enough):

    /usr/bin/python3 tools/export-kv-cache-fixture.py --out tests/fixtures/models-large

writes <out>/kv-cache/1.0.0/{model.json, model.pt} (the weights are a few KB; the state is what is large).
"""

import argparse
import hashlib
import json
import os
from typing import Final, List

import torch
from torch import Tensor, nn

LAYERS, HEADS, POSITIONS, DIMS = 8, 8, 256, 64
MAX_PLAYERS = 2
ACTIONS = ["noop", "up", "down", "left", "right"]
SIDE = 32


class KvCacheWorld(nn.Module):
    """A rolling KV cache stepped by action embeddings; all elementwise, so batch-invariant."""

    layers: Final[int]
    heads: Final[int]
    positions: Final[int]
    dims: Final[int]
    max_players: Final[int]
    actions: Final[int]
    side: Final[int]

    def __init__(self) -> None:
        super().__init__()
        self.layers, self.heads, self.positions, self.dims = LAYERS, HEADS, POSITIONS, DIMS
        self.max_players = MAX_PLAYERS
        self.actions = len(ACTIONS)
        self.side = SIDE
        self.register_buffer("embed", torch.randn(len(ACTIONS), MAX_PLAYERS, LAYERS, HEADS, DIMS) * 0.5)
        self.register_buffer("phase", torch.randn(LAYERS, HEADS, DIMS))

    @torch.jit.export
    def init(self, seeds: Tensor, players: Tensor) -> List[Tensor]:
        batch = seeds.shape[0]
        kv = torch.zeros(batch, self.layers, self.heads, self.positions, self.dims, dtype=torch.float32, device=seeds.device)
        pos = torch.remainder(seeds, 100003).view(batch, 1)
        return [kv, pos, self.frame(kv)]

    @torch.jit.export
    def step(self, state: List[Tensor], actions: Tensor) -> List[Tensor]:
        kv, pos = state[0], state[1]
        batch = kv.shape[0]
        a = actions.clamp(0, self.actions - 1)
        entry = self.phase.unsqueeze(0) * (pos.to(torch.float32).view(batch, 1, 1, 1) * 0.001)
        for p in range(self.max_players):
            entry = entry + self.embed[a[:, p], p]
        entry = torch.tanh(entry).view(batch, self.layers, self.heads, 1, self.dims)
        # Roll by one position: a new tensor, never an in-place write into the input (docs/durability.md).
        kv = torch.cat([kv[:, :, :, 1:, :], entry], dim=3)
        return [kv, pos + 1, self.frame(kv)]

    def frame(self, kv: Tensor) -> Tensor:
        view = kv[:, 0:3, 0, self.positions - self.side:, 0:self.side]
        return (torch.sigmoid(view * 4.0) * 255.0).to(torch.uint8).contiguous()


def manifest(weights: str, sha256: str) -> dict:
    return {
        "format": 1,
        "name": "kv-cache",
        "version": "1.0.0",
        "description": "A test world whose state is a 4 MiB rolling KV cache (8x8x256x64 float32) stepped by action embeddings.",
        "license": "MIT",
        "architecture": "kv-cache/1",
        "weights": {"file": weights, "format": "torchscript", "sha256": sha256},
        "observation": {"channels": 3, "height": SIDE, "width": SIDE},
        "actionSpace": {"type": "discrete", "n": len(ACTIONS), "names": ACTIONS},
        "maxPlayers": MAX_PLAYERS,
        "state": [
            {"name": "kv", "dtype": "float32", "shape": [LAYERS, HEADS, POSITIONS, DIMS]},
            {"name": "pos", "dtype": "int64", "shape": [1]},
        ],
        "contextLength": 0,
        # Elementwise ops and copies only: bit-identical rows at every batch size (checked by the package tests).
        "batchInvariant": True,
        "batchBuckets": [],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="packages folder; the package goes to <out>/kv-cache/1.0.0")
    args = parser.parse_args()

    torch.manual_seed(17)
    scripted = torch.jit.script(KvCacheWorld().eval())
    with torch.no_grad():
        out = scripted.init(torch.tensor([1, 2]), torch.tensor([2, 1]))
        for _ in range(2):
            out = scripted.step(out[:2], torch.tensor([[1, 4], [0, 0]]))
        assert list(out[0].shape) == [2, LAYERS, HEADS, POSITIONS, DIMS] and out[2].dtype == torch.uint8
        # A world alone is the same bits as in a batch of two.
        alone = scripted.step([out[0][:1], out[1][:1]], torch.tensor([[1, 4]]))
        together = scripted.step(out[:2], torch.tensor([[1, 4], [0, 0]]))
        assert torch.equal(alone[0][0], together[0][0])

    folder = os.path.join(args.out, "kv-cache", "1.0.0")
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
