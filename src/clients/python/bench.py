"""World steps per second through the Python client against a running silo: VectorWorldEnv over the agent plane and
HttpVectorWorldEnv over the JSON batch API, at each number of worlds given, frames included. Prints one line of JSON.

    python3 bench.py --url http://localhost:5080 --model reference-world --envs 1,64 --steps 200
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np

from worldcluster import AsyncVectorWorldEnv, HttpVectorWorldEnv, VectorWorldEnv, WorldClusterClient


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
        "msPerStepP50": round(statistics.median(latencies) * 1000, 2),
        "msPerStepP95": round(sorted(latencies)[int(0.95 * (len(latencies) - 1))] * 1000, 2),
    }


def measure(env_type, client, model: str, envs: int, steps: int, warmup: int, n_actions: int, **kwargs) -> dict:
    rng = np.random.default_rng(0)
    with env_type(model, envs, client=client, **kwargs) as env:
        env.reset(seed=1)
        timed_steps(env.step, rng.integers(0, n_actions, size=(warmup, envs)), warmup)
        seconds, latencies = timed_steps(env.step, rng.integers(0, n_actions, size=(steps, envs)), steps)
    return summary(envs, steps, seconds, latencies)


def measure_pipelined(client, model: str, envs: int, steps: int, warmup: int, n_actions: int) -> dict:
    """Two halves of the worlds in flight at once (AsyncVectorWorldEnv): each recv is followed by that half's next send."""
    rng = np.random.default_rng(0)
    halves = [np.arange(envs // 2), np.arange(envs // 2, envs)]
    with AsyncVectorWorldEnv(model, envs, client=client) as env:
        env.reset(seed=1)
        for ids in halves:
            env.send(rng.integers(0, n_actions, size=len(ids)), ids)
        latencies = []
        started = None
        for t in range(2 * (steps + warmup)):
            if t == 2 * warmup:
                started = time.perf_counter()
            before = time.perf_counter()
            info = env.recv()[4]
            ids = info["env_id"]
            env.send(rng.integers(0, n_actions, size=len(ids)), ids)
            if started is not None:
                latencies.append(time.perf_counter() - before)
        seconds = time.perf_counter() - started
        env.recv(), env.recv()
    return summary(envs, steps, seconds, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="gateway URL (default: $WORLDCLUSTER_URL, then http://localhost:5080)")
    parser.add_argument("--token", default=None, help="bearer token (default: $WORLDCLUSTER_TOKEN)")
    parser.add_argument("--model", default="reference-world")
    parser.add_argument("--envs", default="1,64", help="comma-separated numbers of worlds")
    parser.add_argument("--steps", type=int, default=200, help="timed vector steps per measurement")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps first")
    args = parser.parse_args()

    client = WorldClusterClient(args.url, args.token)
    n_actions = client.model(args.model)["actionSpace"]["n"]
    result: dict = {"url": client.url, "model": args.model, "frames": "raw", "python": platform.python_version(),
                    "numpy": np.__version__, "cpus": os.cpu_count(), "loadAverage": os.getloadavg()[0], "runs": []}
    for envs in (int(e) for e in args.envs.split(",")):
        plane = measure(VectorWorldEnv, client, args.model, envs, args.steps, args.warmup, n_actions)
        http = measure(HttpVectorWorldEnv, client, args.model, envs, args.steps, args.warmup, n_actions)
        run = {"worlds": envs, "plane": plane, "http": http}
        if envs >= 2:
            run["planePipelined"] = measure_pipelined(client, args.model, envs, args.steps, args.warmup, n_actions)
        result["runs"].append({**run,
                               "planeOverHttp": round(plane["worldStepsPerSecond"] / http["worldStepsPerSecond"], 2)})
    result["loadAverageAfter"] = os.getloadavg()[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
