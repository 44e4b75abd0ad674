"""Steps per second through the Python client against a running silo: VectorWorldEnv (many worlds per request) and
WorldEnv (one world per request), frames included. Prints one line of JSON.

    python3 bench.py --url http://localhost:5080 --envs 64 --steps 100 --single-steps 200
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np

from worldcluster import VectorWorldEnv, WorldClusterClient, WorldEnv


def timed_steps(step, actions, steps: int) -> tuple[float, list[float]]:
    latencies = []
    started = time.perf_counter()
    for t in range(steps):
        before = time.perf_counter()
        step(actions[t])
        latencies.append(time.perf_counter() - before)
    return time.perf_counter() - started, latencies


def summary(worlds: int, steps: int, seconds: float, latencies: list[float]) -> dict:
    return {
        "worlds": worlds,
        "steps": steps,
        "seconds": round(seconds, 3),
        "worldStepsPerSecond": round(worlds * steps / seconds, 1),
        "requestsPerSecond": round(steps / seconds, 1),
        "msPerRequestP50": round(statistics.median(latencies) * 1000, 2),
        "msPerRequestP95": round(sorted(latencies)[int(0.95 * (len(latencies) - 1))] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="gateway URL (default: $WORLDCLUSTER_URL, then http://localhost:5080)")
    parser.add_argument("--token", default=None, help="bearer token (default: $WORLDCLUSTER_TOKEN)")
    parser.add_argument("--model", default="reference-world")
    parser.add_argument("--envs", type=int, default=64, help="worlds in the vector env")
    parser.add_argument("--steps", type=int, default=100, help="timed vector steps")
    parser.add_argument("--single-steps", type=int, default=200, help="timed single-world steps")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    args = parser.parse_args()

    client = WorldClusterClient(args.url, args.token)
    rng = np.random.default_rng(0)
    n_actions = client.model(args.model)["actionSpace"]["n"]
    result: dict = {"url": client.url, "model": args.model, "frames": "raw",
                    "python": platform.python_version(), "numpy": np.__version__, "cpus": os.cpu_count()}

    with VectorWorldEnv(args.envs, args.model, client=client) as env:
        env.reset(seed=1)
        warm = rng.integers(0, n_actions, size=(args.warmup, args.envs))
        timed_steps(env.step, warm, args.warmup)
        actions = rng.integers(0, n_actions, size=(args.steps, args.envs))
        seconds, latencies = timed_steps(env.step, actions, args.steps)
        result["vector"] = summary(args.envs, args.steps, seconds, latencies)

    with WorldEnv(args.model, client=client) as env:
        env.reset(seed=1)
        timed_steps(env.step, [int(a) for a in rng.integers(0, n_actions, size=args.warmup)], args.warmup)
        actions = [int(a) for a in rng.integers(0, n_actions, size=args.single_steps)]
        seconds, latencies = timed_steps(env.step, actions, args.single_steps)
        result["single"] = summary(1, args.single_steps, seconds, latencies)

    result["vectorOverSingle"] = round(result["vector"]["worldStepsPerSecond"] / result["single"]["worldStepsPerSecond"], 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
