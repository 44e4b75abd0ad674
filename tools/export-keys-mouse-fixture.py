"""Exports "keys-mouse", a tiny TorchScript world model with a dict action space {keys, mouse}.

Each player slot has a float32 cursor; W/A/S/D move it one unit, Space doubles the move, and the mouse's dx/dy (a box
in [-8, 8], merged in real time as a clipped sum of deltas) add to it. The 1x8x8 frame lights each cursor's cell. It
shows the structured-action convention (docs/model-packages.md, "Action spaces"):

    step(state: List[Tensor], actions: List[Tensor]) -> List[Tensor]
    # actions[0]: keys uint8 [B, P, 5]; actions[1]: mouse float32 [B, P, 2]

Usage: python3 tools/export-keys-mouse-fixture.py --out tests/fixtures/models
writes <out>/keys-mouse/1.0.0/{model.json, model.pt}.
"""

import argparse
import hashlib
import json
import os
from typing import Final, List

import torch
from torch import Tensor, nn

SIZE = 8
MAX_PLAYERS = 2
KEYS = ["W", "A", "S", "D", "Space"]


class KeysMouse(nn.Module):
    size: Final[int]
    max_players: Final[int]

    def __init__(self) -> None:
        super().__init__()
        self.size = SIZE
        self.max_players = MAX_PLAYERS

    @torch.jit.export
    def init(self, seeds: Tensor, players: Tensor) -> List[Tensor]:
        batch = seeds.shape[0]
        cursor = torch.remainder(seeds, self.size).to(torch.float32).view(batch, 1, 1).expand(batch, self.max_players, 2).contiguous()
        return [cursor, self.render(cursor)]

    @torch.jit.export
    def step(self, state: List[Tensor], actions: List[Tensor]) -> List[Tensor]:
        keys = actions[0].to(torch.float32)
        mouse = actions[1]
        move = torch.stack([keys[:, :, 3] - keys[:, :, 1], keys[:, :, 2] - keys[:, :, 0]], dim=2) * (1.0 + keys[:, :, 4:5])
        cursor = torch.remainder(state[0] + move + mouse, float(self.size))
        return [cursor, self.render(cursor)]

    def render(self, cursor: Tensor) -> Tensor:
        batch = cursor.shape[0]
        cells = torch.floor(cursor).to(torch.int64).clamp(0, self.size - 1)
        index = cells[:, :, 1] * self.size + cells[:, :, 0]
        image = torch.zeros(batch, self.size * self.size, dtype=torch.uint8, device=cursor.device)
        image = image.scatter(1, index, torch.full_like(index, 255).to(torch.uint8))
        return image.view(batch, 1, self.size, self.size)


def manifest(weights: str, sha256: str) -> dict:
    return {
        "format": 1,
        "name": "keys-mouse",
        "version": "1.0.0",
        "description": "Cursors moved by held keys and mouse deltas. A TorchScript example of a dict action space.",
        "license": "MIT",
        "architecture": "keys-mouse/1",
        "weights": {"file": weights, "format": "torchscript", "sha256": sha256},
        "observation": {"channels": 1, "height": SIZE, "width": SIZE},
        "actionSpace": {
            "type": "dict",
            "components": [
                {"name": "keys", "type": "keys", "names": KEYS, "merge": "latest"},
                {"name": "mouse", "type": "box", "names": ["dx", "dy"], "low": [-8, -8], "high": [8, 8], "merge": "sum"},
            ],
        },
        "maxPlayers": MAX_PLAYERS,
        "state": [{"name": "cursor", "dtype": "float32", "shape": [MAX_PLAYERS, 2]}],
        "contextLength": 0,
        "batchInvariant": True,
        "batchBuckets": [4],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="packages folder; the package goes to <out>/keys-mouse/1.0.0")
    args = parser.parse_args()
    folder = os.path.join(args.out, "keys-mouse", "1.0.0")
    os.makedirs(folder, exist_ok=True)
    weights = os.path.join(folder, "model.pt")
    torch.jit.save(torch.jit.script(KeysMouse().eval()), weights)
    with open(weights, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(manifest("model.pt", sha), f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
