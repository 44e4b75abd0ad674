"""HttpVectorWorldEnv: one JSON batch request per step, seeds, autoreset, forks and cleanup."""

from __future__ import annotations

import unittest

import numpy as np

from worldcluster import HttpVectorWorldEnv, WorldClusterError, WorldEnv

from .support import MODEL, client


class HttpVectorWorldEnvTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client()
        self.requests: list[str] = []
        inner = self.client._json

        def counting(method, path, body=None):
            self.requests.append(f"{method} {path}")
            return inner(method, path, body)

        self.client._json = counting

    def test_reset_and_step_shapes_and_one_request_per_step(self) -> None:
        with HttpVectorWorldEnv(MODEL, 8, client=self.client) as env:
            obs, info = env.reset(seed=50)
            self.assertEqual(obs.shape, (8, 64, 64, 3))
            self.assertEqual(obs.dtype, np.uint8)
            self.assertEqual(list(info["tick"]), [0] * 8)
            self.assertEqual(len(set(info["world"])), 8)

            self.requests.clear()
            obs, rewards, terminated, truncated, info = env.step(env.action_space.sample())
            self.assertEqual(self.requests, ["POST /api/steps"], "eight worlds step in one request")
            self.assertEqual((rewards.shape, rewards.dtype), ((8,), np.float32))
            self.assertEqual((terminated.dtype, truncated.dtype), (np.dtype(bool), np.dtype(bool)))
            self.assertFalse(terminated.any() or truncated.any())
            self.assertEqual(list(info["tick"]), [1] * 8)
            for i, world in enumerate(info["world"]):
                observed, = self.client.observe_many([world])
                np.testing.assert_array_equal(obs[i], observed.frame)

    def test_seed_s_gives_the_worlds_of_seeds_s_to_s_plus_n(self) -> None:
        with HttpVectorWorldEnv(MODEL, 3, client=self.client) as env, WorldEnv(MODEL, client=self.client) as single:
            _, info = env.reset(seed=60)
            for i in range(3):
                _, one = single.reset(seed=60 + i)
                self.assertEqual(info["state_digest"][i], one["state_digest"])

    def test_vector_steps_equal_single_env_steps(self) -> None:
        actions = np.array([[1, 4, 2], [3, 3, 5], [2, 1, 0]])
        with HttpVectorWorldEnv(MODEL, 3, client=self.client) as env, WorldEnv(MODEL, client=self.client) as single:
            env.reset(seed=70)
            for t in range(3):
                digests = env.step(actions[t])[4]["state_digest"]
            for i in range(3):
                single.reset(seed=70 + i)
                for t in range(3):
                    last = single.step(int(actions[t][i]))[4]["state_digest"]
                self.assertEqual(digests[i], last)

    def test_ended_sub_envs_are_reset_on_the_next_step(self) -> None:
        with HttpVectorWorldEnv(MODEL, 4, client=self.client, max_episode_steps=2) as env:
            _, first = env.reset(seed=80)
            env.step([1, 1, 1, 1])
            _, _, _, truncated, info = env.step([2, 2, 2, 2])
            self.assertTrue(truncated.all())
            self.assertEqual(list(info["tick"]), [2] * 4)

            obs, rewards, _, truncated, info = env.step([3, 3, 3, 3])
            self.assertFalse(truncated.any())
            self.assertEqual(list(info["tick"]), [0] * 4, "the step after an ending shows a new world's first frame")
            self.assertEqual(list(rewards), [0.0] * 4)
            self.assertTrue(set(info["world"]).isdisjoint(first["world"]))
            for old in first["world"]:
                with self.assertRaises(WorldClusterError):
                    self.client.get_world(old)
            self.assertEqual(list(env.step([1, 1, 1, 1])[4]["tick"]), [1] * 4)

    def test_batches_over_the_cap_are_split(self) -> None:
        small = client(max_batch=3)
        with HttpVectorWorldEnv(MODEL, 7, client=small) as env:
            _, info = env.reset(seed=90)
            _, _, _, _, stepped = env.step(np.ones(7, np.int64))
            self.assertEqual(list(stepped["world"]), list(info["world"]))
            self.assertEqual(list(stepped["tick"]), [1] * 7)

    def test_from_fork_branches_one_world_into_many(self) -> None:
        source = self.client.create_world(MODEL, seed=95, players=1)["id"]
        try:
            for a in [1, 2, 4]:
                self.client.step(source, [a])
            at = self.client.get_world(source)
            with HttpVectorWorldEnv.from_fork(source, 5, client=self.client) as env:
                _, info = env.reset()
                self.assertEqual(set(info["state_digest"]), {at["stateDigest"]})
                self.assertEqual(list(info["tick"]), [3] * 5)
                self.assertNotIn(source, list(info["world"]))
                _, _, _, _, info = env.step([4] * 5)
                self.assertEqual(len(set(info["state_digest"])), 1, "equal actions keep the branches equal")
                _, _, _, _, info = env.step([0, 1, 2, 3, 4])
                self.assertEqual(len(set(info["state_digest"])), 5, "different actions make them differ")
            self.assertEqual(self.client.get_world(source)["tick"], 3)
        finally:
            self.client.delete_world(source)

    def test_close_deletes_every_world(self) -> None:
        env = HttpVectorWorldEnv(MODEL, 4, client=self.client)
        _, info = env.reset(seed=99)
        env.close()
        for world in info["world"]:
            with self.assertRaises(WorldClusterError) as gone:
                self.client.get_world(world)
            self.assertEqual(gone.exception.status, 404)

    def test_bad_actions_are_refused_before_any_request(self) -> None:
        with HttpVectorWorldEnv(MODEL, 2, client=self.client) as env:
            env.reset(seed=1)
            self.requests.clear()
            for bad in ([1], [1, 6], [1, -1], [[1, 2]], [0.5, 1]):
                with self.subTest(actions=bad), self.assertRaises(ValueError):
                    env.step(bad)
            self.assertEqual(self.requests, [])
