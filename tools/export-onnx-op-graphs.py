#!/usr/bin/env python3
"""Exports one small ONNX graph per op measured in docs/model-packages.md ("Batch invariance of ONNX Runtime").

Each graph takes x [batch, ...] and returns y [batch, ...]; measure one with

    python3 tools/export-onnx-op-graphs.py --out /tmp/onnx-ops        # Debian's python3-torch 1.13
    dotnet run --project src/WorldCluster.Benchmarks -c Release -- onnx-invariance /tmp/onnx-ops/conv3x3.onnx
"""

import argparse
import os

import torch
from torch import nn


class Attention(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.attention = nn.MultiheadAttention(32, 4, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attention(x, x, x, need_weights=False)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder for the .onnx files")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    ops = {
        "conv3x3": (nn.Conv2d(8, 16, 3, padding=1), [8, 16, 16]),
        "conv1x1": (nn.Conv2d(32, 32, 1), [32, 8, 8]),
        "convtranspose4x4s2": (nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1), [16, 8, 8]),
        "linear": (nn.Linear(256, 256), [256]),
        "gru": (nn.GRUCell(64, 64), [64]),
        "layernorm": (nn.LayerNorm(64), [16, 64]),
        "groupnorm": (nn.GroupNorm(4, 16), [16, 8, 8]),
        "softmax": (nn.Softmax(dim=-1), [16, 64]),
        "attention16": (Attention(), [16, 32]),
    }
    for name, (module, shape) in ops.items():
        path = os.path.join(args.out, f"{name}.onnx")
        torch.onnx.export(module.eval(), (torch.randn(3, *shape),), path, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=17)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
