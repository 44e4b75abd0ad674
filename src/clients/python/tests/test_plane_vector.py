"""VectorWorldEnv over the agent plane: Gymnasium 1.x shapes and the three autoreset modes, against a real silo."""

from __future__ import annotations

import unittest

import numpy as np

from worldcluster import AutoresetMode, VectorWorldEnv, WorldClusterError, WorldEnv

from .support import MODEL, client


class PlaneVectorWorldEnvTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client()

    def single_run(self, seed: int, actions: list[int]) -> tuple[str, np.ndarray]:
        """The digest and frame of a fresh world of `seed` after `actions`, stepped one by one over HTTP."""
        with WorldEnv(MODEL, client=self.client) as single:
            obs, info = single.reset(seed=seed)
            for a in actions:
                obs, _, _, _, info = single.step(a)
            return info["state_digest"], obs.copy()

    def test_model_comes_first_and_num_envs_is_a_keyword(self) -> None:
        with VectorWorldEnv(MODEL, num_envs=3, client=self.client) as env:
            self.assertEqual(env.num_envs, 3)
            self.assertEqual(env.metadata["autoreset_mode"], AutoresetMode.NEXT_STEP)
            obs, info = env.reset(seed=10)
            self.assertEqual((obs.shape, obs.dtype), ((3, 64, 64, 3), np.uint8))
            self.assertFalse(obs.flags.owndata, "observations view the received message")
            self.assertEqual(list(info["tick"]), [0, 0, 0])
            self.assertTrue(info["_tick"].all())
            obs, rewards, terminated, truncated, info = env.step(np.array([1, 2, 3]))
            self.assertEqual((rewards.dtype, terminated.dtype, truncated.dtype), (np.float32, np.bool_, np.bool_))
            self.assertEqual(list(info["tick"]), [1, 1, 1])
            for i, world in enumerate(info["world"]):
                observed, = self.client.observe_many([world])
                np.testing.assert_array_equal(obs[i], observed.frame)
                self.assertEqual(info["state_digest"][i], observed.state_digest)

    def test_vector_steps_equal_single_env_steps(self) -> None:
        actions = np.array([[1, 4, 2], [3, 3, 5], [2, 1, 0]])
        with VectorWorldEnv(MODEL, 3, client=self.client) as env:
            env.reset(seed=70)
            for t in range(3):
                obs, _, _, _, info = env.step(actions[t])
            for i in range(3):
                digest, frame = self.single_run(70 + i, [int(a) for a in actions[:, i]])
                self.assertEqual(info["state_digest"][i], digest)
                np.testing.assert_array_equal(obs[i], frame)

    def test_next_step_resets_on_the_step_after_the_end(self) -> None:
        with VectorWorldEnv(MODEL, 4, client=self.client, max_episode_steps=2) as env:
            _, first = env.reset(seed=80)
            env.step([1, 1, 1, 1])
            _, _, terminated, truncated, ended = env.step([2, 2, 2, 2])
            self.assertTrue(truncated.all())
            self.assertFalse(terminated.any())
            self.assertEqual(list(ended["tick"]), [2] * 4, "the ending step shows the episode's last frame")
            self.assertEqual(list(ended["world"]), list(first["world"]))

            obs, rewards, terminated, truncated, info = env.step([3, 3, 3, 3])
            self.assertFalse(truncated.any() or terminated.any())
            self.assertEqual(list(info["tick"]), [0] * 4, "the next step's action is ignored: a new world's first frame")
            self.assertEqual(list(rewards), [0.0] * 4)
            self.assertTrue(set(info["world"]).isdisjoint(first["world"]))
            for old in first["world"]:
                with self.assertRaises(WorldClusterError):
                    self.client.get_world(old)
            for i, world in enumerate(info["world"]):
                np.testing.assert_array_equal(obs[i], self.client.observe_many([world])[0].frame)
            self.assertEqual(list(env.step([1, 1, 1, 1])[4]["tick"]), [1] * 4)

    def test_same_step_resets_within_the_ending_step(self) -> None:
        with VectorWorldEnv(MODEL, 2, client=self.client, max_episode_steps=2, autoreset_mode="same_step") as env:
            self.assertEqual(env.metadata["autoreset_mode"], AutoresetMode.SAME_STEP)
            _, first = env.reset(seed=84)
            _, _, _, _, info = env.step([1, 3])
            self.assertNotIn("final_obs", info)
            obs, _, terminated, truncated, info = env.step([2, 4])
            self.assertTrue(truncated.all())
            self.assertFalse(terminated.any())
            self.assertTrue(info["_final_obs"].all() and info["_final_info"].all())
            self.assertEqual(list(info["final_info"]["tick"]), [2, 2])
            self.assertEqual(list(info["final_info"]["world"]), list(first["world"]))
            self.assertEqual(list(info["tick"]), [0, 0], "the returned observation and info are the new episode's")
            self.assertTrue(set(info["world"]).isdisjoint(first["world"]))
            for i, actions in enumerate([[1, 2], [3, 4]]):
                digest, frame = self.single_run(84 + i, actions)
                self.assertEqual(info["final_info"]["state_digest"][i], digest)
                np.testing.assert_array_equal(info["final_obs"][i], frame)
                np.testing.assert_array_equal(obs[i], self.client.observe_many([info["world"][i]])[0].frame)
            _, _, _, truncated, info = env.step([1, 1])
            self.assertFalse(truncated.any())
            self.assertEqual(list(info["tick"]), [1, 1], "the new episode's first step is stepped, not skipped")

    def test_disabled_waits_for_a_masked_reset(self) -> None:
        with VectorWorldEnv(MODEL, 4, client=self.client, max_episode_steps=1, autoreset_mode=AutoresetMode.DISABLED) as env:
            env.reset(seed=88)
            before, _, _, truncated, stepped = env.step([1, 2, 3, 4])
            self.assertTrue(truncated.all())
            before = before.copy()
            with self.assertRaises(ValueError):
                env.step([1, 1, 1, 1])
            self.assertEqual([self.client.get_world(w)["tick"] for w in stepped["world"]], [1] * 4, "nothing stepped")

            mask = np.array([True, False, True, False])
            obs, info = env.reset(options={"reset_mask": mask})
            np.testing.assert_array_equal(info["_tick"], mask)
            self.assertEqual(list(info["tick"][mask]), [0, 0])
            np.testing.assert_array_equal(obs[~mask], before[~mask], "sub-envs outside the mask keep their observation")
            self.assertEqual(list(info["world"][~mask]), [None, None])
            with self.assertRaises(ValueError):
                env.step([1, 1, 1, 1])
            env.reset(options={"reset_mask": ~mask})
            _, _, _, truncated, info = env.step([1, 1, 1, 1])
            self.assertEqual(list(info["tick"]), [1] * 4)
            for bad in ({"reset_mask": np.zeros(4, bool)}, {"reset_mask": [1, 0, 1, 0]}, {"other": 1}):
                with self.subTest(options=bad), self.assertRaises(ValueError):
                    env.reset(options=bad)

    def test_from_fork_branches_one_world(self) -> None:
        source = self.client.create_world(MODEL, seed=95, players=1)["id"]
        try:
            for a in [1, 2, 4]:
                self.client.step(source, [a])
            at = self.client.get_world(source)
            with VectorWorldEnv.from_fork(source, 3, client=self.client) as env:
                _, info = env.reset()
                self.assertEqual(set(info["state_digest"]), {at["stateDigest"]})
                _, _, _, _, info = env.step([0, 1, 2])
                self.assertEqual(len(set(info["state_digest"])), 3)
                with env.fork(1, num_envs=2) as branch:
                    _, forked = branch.reset()
                    self.assertEqual(set(forked["state_digest"]), {info["state_digest"][1]})
        finally:
            self.client.delete_world(source)

    def test_close_deletes_every_world(self) -> None:
        env = VectorWorldEnv(MODEL, 2, client=self.client)
        _, info = env.reset(seed=99)
        env.close()
        for world in info["world"]:
            with self.assertRaises(WorldClusterError) as gone:
                self.client.get_world(world)
            self.assertEqual(gone.exception.status, 404)
