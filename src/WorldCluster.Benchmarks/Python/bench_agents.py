"""The Python half of `worldcluster-bench agents`: prints one line of JSON on stdout.

    torch:  per-world and batched loops over a TorchScript package's model.pt (its init and step methods)
    vector: VectorWorldEnv over the agent plane of a running silo, frames raw and with no frames

Run by the bench with /usr/bin/python3 (Debian's python3-torch); the worldcluster client package lies beside it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def timed(step, seconds: float) -> tuple[int, float]:
    """Calls step() at least twice and until seconds have passed; returns calls and elapsed seconds."""
    step()
    step()
    calls = 0
    started = time.perf_counter()
    while calls < 2 or time.perf_counter() - started < seconds:
        step()
        calls += 1
    return calls, time.perf_counter() - started


def torch_loops(args) -> dict:
    try:
        import torch
    except ImportError as e:
        sys.exit(f"torch is not importable by {sys.executable} ({e}): install python3-torch (bash build/install-deps.sh)")
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(args.interop)
    model = torch.jit.load(args.package)
    model.eval()
    per_world, batched = [], []
    with torch.inference_mode():
        for n in args.worlds:
            gen = torch.Generator().manual_seed(n)
            actions = torch.randint(0, args.actions, (n, args.players), generator=gen, dtype=torch.int64)
            seeds = torch.arange(1, n + 1, dtype=torch.int64)
            players = torch.full((n,), args.players, dtype=torch.int64)
            state = model.init(seeds, players)[:-1]

            def step_batched():
                nonlocal state
                state = model.step(state, actions)[:-1]

            calls, seconds = timed(step_batched, args.seconds)
            batched.append({"worlds": n, "calls": calls, "stepsPerSecond": round(calls * n / seconds, 1)})

            states = [model.init(seeds[i:i + 1], players[i:i + 1])[:-1] for i in range(n)]
            rows = [actions[i:i + 1] for i in range(n)]

            def step_each():
                for i in range(n):
                    states[i] = model.step(states[i], rows[i])[:-1]

            calls, seconds = timed(step_each, args.seconds)
            per_world.append({"worlds": n, "calls": calls * n, "stepsPerSecond": round(calls * n / seconds, 1)})
    return {"torch": torch.__version__, "threads": torch.get_num_threads(), "interopThreads": torch.get_num_interop_threads(),
            "perWorld": per_world, "batched": batched}


def vector_env(args) -> dict:
    import numpy as np
    from worldcluster import VectorWorldEnv, WorldClusterClient

    client = WorldClusterClient(args.url, args.token)
    results = {"frames": [], "noFrames": []}
    for n in args.worlds:
        rng = np.random.default_rng(n)
        actions = rng.integers(0, args.actions, size=(64, n))
        for key, frames in (("frames", True), ("noFrames", False)):
            with VectorWorldEnv(args.model, num_envs=n, client=client, frames=frames) as env:
                env.reset(seed=1)
                t = 0

                def step():
                    nonlocal t
                    env.step(actions[t % len(actions)])
                    t += 1

                calls, seconds = timed(step, args.seconds)
            results[key].append({"worlds": n, "calls": calls, "stepsPerSecond": round(calls * n / seconds, 1)})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    for name in ("torch", "vector"):
        p = sub.add_parser(name)
        p.add_argument("--worlds", type=lambda s: [int(x) for x in s.split(",")], required=True)
        p.add_argument("--seconds", type=float, default=3.0)
        p.add_argument("--actions", type=int, required=True)
    t = sub.choices["torch"]
    t.add_argument("--package", required=True, help="the package's model.pt")
    t.add_argument("--players", type=int, required=True)
    t.add_argument("--threads", type=int, required=True)
    t.add_argument("--interop", type=int, required=True)
    v = sub.choices["vector"]
    v.add_argument("--url", required=True)
    v.add_argument("--token", required=True)
    v.add_argument("--model", required=True)
    args = parser.parse_args()
    print(json.dumps(torch_loops(args) if args.mode == "torch" else vector_env(args)))


if __name__ == "__main__":
    main()
