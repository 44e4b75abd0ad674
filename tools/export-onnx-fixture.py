#!/usr/bin/env python3
"""Exports the bouncing-balls world model as a WorldCluster model package in ONNX (two graphs: init.onnx, step.onnx).

The PyTorch module is the one tools/export-torchscript-fixture.py scripts; this script takes its weights from that
package's model.pt, so the same model exists in both formats. The graph convention (docs/model-packages.md):

    init.onnx: seeds int64 [B], players int64 [B]          -> next_<state>..., frames uint8 [B, C, H, W]
    step.onnx: <state>... (manifest order), actions int64 [B, P] -> next_<state>..., frames

Every graph's first dimension is the symbolic batch "batch". Usage (Debian's python3-torch 1.13 and python3-onnx 1.12):

    python3 tools/export-torchscript-fixture.py --out tests/fixtures/models      # if model.pt is not there yet
    python3 tools/export-onnx-fixture.py --out tests/fixtures/models

writes <out>/bouncing-balls-onnx/1.0.0/{model.json, init.onnx, step.onnx}.
"""

import argparse
import hashlib
import importlib.util
import json
import os
from typing import Dict, List

import onnx
import torch
from torch import Tensor, nn

OPSET = 17  # torch 1.13 exports up to 17; ScatterElements with reduction "add" needs 16.
HERE = os.path.dirname(os.path.abspath(__file__))


def load_torchscript_exporter():
    spec = importlib.util.spec_from_file_location("export_torchscript_fixture", os.path.join(HERE, "export-torchscript-fixture.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def onnx_friendly(ts):
    """The same module with one exporter-friendly rewrite: repeat_interleave (exported by torch 1.13 as
    SplitToSequence, which ONNX Runtime has no uint8 kernel for) becomes the equal integer gather."""

    class BouncingBallsForOnnx(ts.BouncingBalls):
        def render(self, trail: Tensor) -> Tensor:
            rgb = torch.sigmoid(self.render2(torch.relu(self.render1(trail))))
            pixels = (rgb * 255.0).to(torch.uint8)
            rows = torch.div(torch.arange(pixels.shape[2] * self.scale), self.scale, rounding_mode="floor")
            cols = torch.div(torch.arange(pixels.shape[3] * self.scale), self.scale, rounding_mode="floor")
            return pixels.index_select(2, rows).index_select(3, cols).contiguous()

    return BouncingBallsForOnnx


class Init(nn.Module):
    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, seeds: Tensor, players: Tensor) -> List[Tensor]:
        return self.model.init(seeds, players)


class Step(nn.Module):
    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, pos: Tensor, vel: Tensor, active: Tensor, trail: Tensor, actions: Tensor) -> List[Tensor]:
        out = self.model.step([pos, vel, active, trail], actions)
        # 'active' passes through unchanged; an Identity keeps next_active a graph output of its own.
        out[2] = out[2].clone()
        return out


def export(module: nn.Module, args: tuple, inputs: List[str], outputs: Dict[str, List[int]], path: str) -> None:
    axes = {name: {0: "batch"} for name in inputs + list(outputs)}
    torch.onnx.export(module, args, path, input_names=inputs, output_names=list(outputs), dynamic_axes=axes,
                      opset_version=OPSET, do_constant_folding=True)
    # The tracer leaves some output sizes symbolic (e.g. after repeat_interleave); state them, so that the graph
    # itself says what the manifest says and the loader can check it.
    graph = onnx.load(path)
    for output in graph.graph.output:
        dims = output.type.tensor_type.shape.dim
        for dim, size in zip(dims[1:], outputs[output.name]):
            dim.Clear()
            dim.dim_value = size
    onnx.checker.check_model(graph, full_check=True)
    onnx.save(graph, path)


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="packages folder: reads <out>/bouncing-balls/1.0.0/model.pt, writes <out>/bouncing-balls-onnx/1.0.0")
    args = parser.parse_args()

    ts = load_torchscript_exporter()
    model = onnx_friendly(ts)().eval()
    scripted = torch.jit.load(os.path.join(args.out, "bouncing-balls", "1.0.0", "model.pt"))
    model.load_state_dict(scripted.state_dict())

    state = ["pos", "vel", "active", "trail"]
    shapes = [[ts.MAX_PLAYERS, 2], [ts.MAX_PLAYERS, 2], [ts.MAX_PLAYERS], [1, ts.FIELD, ts.FIELD]]
    outputs = {f"next_{name}": shape for name, shape in zip(state, shapes)}
    outputs["frames"] = [3, ts.FIELD * ts.SCALE, ts.FIELD * ts.SCALE]
    with torch.no_grad():
        # The rewrite is exact: the same frames as the scripted module.
        probe = model.init(torch.tensor([5, 6]), torch.tensor([2, 1]))
        assert torch.equal(probe[4], scripted.init(torch.tensor([5, 6]), torch.tensor([2, 1]))[4])
    folder = os.path.join(args.out, "bouncing-balls-onnx", "1.0.0")
    os.makedirs(folder, exist_ok=True)
    init_path, step_path = os.path.join(folder, "init.onnx"), os.path.join(folder, "step.onnx")
    with torch.no_grad():
        seeds, players = torch.tensor([1, 2, 3]), torch.tensor([2, 1, 2])
        export(Init(model), (seeds, players), ["seeds", "players"], outputs, init_path)
        first = model.init(seeds, players)
        actions = torch.tensor([[1, 4], [0, 0], [3, 2]])
        export(Step(model), (*first[:4], actions), state + ["actions"], outputs, step_path)

    manifest = {
        "format": 1,
        "name": "bouncing-balls-onnx",
        "version": "1.0.0",
        "description": "The bouncing-balls world exported to ONNX (init.onnx, step.onnx) from the same PyTorch module and weights as the TorchScript fixture.",
        "license": "MIT",
        "architecture": "bouncing-balls/1",
        "weights": {"file": "step.onnx", "format": "onnx", "sha256": sha256(step_path),
                    "init": {"file": "init.onnx", "sha256": sha256(init_path)}},
        "observation": {"channels": 3, "height": ts.FIELD * ts.SCALE, "width": ts.FIELD * ts.SCALE},
        "actionSpace": {"type": "discrete", "n": len(ts.ACTIONS), "names": ts.ACTIONS},
        "maxPlayers": ts.MAX_PLAYERS,
        "state": [
            {"name": "pos", "dtype": "int64", "shape": [ts.MAX_PLAYERS, 2]},
            {"name": "vel", "dtype": "int64", "shape": [ts.MAX_PLAYERS, 2]},
            {"name": "active", "dtype": "uint8", "shape": [ts.MAX_PLAYERS]},
            {"name": "trail", "dtype": "float32", "shape": [1, ts.FIELD, ts.FIELD]},
        ],
        "contextLength": 0,
        # ONNX Runtime's CPU kernels give bit-identical rows at every batch size (docs/model-packages.md, "Batch
        # invariance of ONNX Runtime"), so the batcher may run this model at any size: no buckets, no padding.
        "batchInvariant": True,
        "batchBuckets": [],
    }
    with open(os.path.join(folder, "model.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    # Graphs for the tests (tests/fixtures/onnx-graphs): the same step graph stamped with an opset no ONNX Runtime
    # knows, and a graph whose rows depend on the rest of the batch (it adds the batch's mean), which the
    # invariance bench must tell apart from an invariant one.
    graphs = os.path.join(args.out, "..", "onnx-graphs")
    os.makedirs(graphs, exist_ok=True)
    too_new = onnx.load(step_path)
    for opset in too_new.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = 99
    onnx.save(too_new, os.path.join(graphs, "step-opset-99.onnx"))
    mean = onnx.helper.make_graph(
        [onnx.helper.make_node("ReduceMean", ["x"], ["m"], axes=[0], keepdims=1), onnx.helper.make_node("Add", ["x", "m"], ["y"])],
        "batch-mean",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["batch", 4])],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["batch", 4])])
    mean_model = onnx.helper.make_model(mean, opset_imports=[onnx.helper.make_opsetid("", 17)], producer_name="export-onnx-fixture.py")
    mean_model.ir_version = 8
    onnx.checker.check_model(mean_model)
    onnx.save(mean_model, os.path.join(graphs, "batch-mean.onnx"))
    print(f"wrote {folder} (init.onnx {os.path.getsize(init_path)} bytes, step.onnx {os.path.getsize(step_path)} bytes)")


if __name__ == "__main__":
    main()
