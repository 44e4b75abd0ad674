"""WorldEnv: Gymnasium's reset/step contract over one world, seeds, truncation, forks and cleanup."""

from __future__ import annotations

import unittest

import numpy as np

from worldcluster import WorldClusterError, WorldEnv

from .support import MODEL, client


class WorldEnvTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client()
        self.env = WorldEnv(MODEL, client=self.client, max_episode_steps=4)

    def tearDown(self) -> None:
        self.env.close()

    def test_reset_and_step_follow_gymnasiums_signatures(self) -> None:
        obs, info = self.env.reset(seed=3)
        self.assertEqual(obs.shape, self.env.observation_space.shape)
        self.assertEqual(obs.shape, (64, 64, 3))
        self.assertEqual(obs.dtype, np.uint8)
        self.assertTrue(self.env.observation_space.contains(obs))
        self.assertEqual((info["tick"], info["scores"]), (0, [0]))
        self.assertEqual(self.env.action_space.n, 6)

        obs2, reward, terminated, truncated, info2 = self.env.step(self.env.action_space.sample())
        self.assertEqual(obs2.shape, (64, 64, 3))
        self.assertIsInstance(reward, float)
        self.assertEqual((terminated, truncated, info2["tick"]), (False, False, 1))
        np.testing.assert_array_equal(self.env.render(), obs2)

    def test_the_frame_is_the_worlds_frame(self) -> None:
        obs, info = self.env.reset(seed=3)
        self.assertEqual(self.client.frame_png(info["world"])[:4], b"\x89PNG")
        observed, = self.client.observe_many([info["world"]])
        np.testing.assert_array_equal(obs, observed.frame)

    def test_equal_seeds_give_equal_worlds(self) -> None:
        _, first = self.env.reset(seed=11)
        _, again = self.env.reset(seed=11)
        _, other = self.env.reset(seed=12)
        self.assertNotEqual(first["world"], again["world"])
        self.assertEqual(first["state_digest"], again["state_digest"])
        self.assertNotEqual(first["state_digest"], other["state_digest"])

    def test_unseeded_resets_continue_the_seeded_sequence(self) -> None:
        self.env.reset(seed=5)
        _, a = self.env.reset()
        self.env.reset(seed=5)
        _, b = self.env.reset()
        self.assertEqual(a["state_digest"], b["state_digest"])

    def test_episodes_are_truncated_at_max_episode_steps(self) -> None:
        self.env.reset(seed=1)
        truncations = [self.env.step(0)[3] for _ in range(4)]
        self.assertEqual(truncations, [False, False, False, True])

    def test_reset_and_close_delete_the_worlds_the_env_created(self) -> None:
        _, first = self.env.reset(seed=1)
        _, second = self.env.reset(seed=2)
        self.assert_gone(first["world"])
        self.env.close()
        self.assert_gone(second["world"])
        self.assertIsNone(self.env.world_id)

    def test_misuse_is_refused_before_any_request(self) -> None:
        with self.assertRaises(RuntimeError):
            self.env.step(0)
        self.env.reset(seed=1)
        with self.assertRaises(ValueError):
            self.env.step(6)
        with self.assertRaises(ValueError):
            self.env.reset(options={"anything": 1})
        with self.assertRaises(ValueError):
            WorldEnv(MODEL, client=self.client, players=2, slot=2)

    def test_a_fork_starts_every_episode_from_the_source_at_a_tick(self) -> None:
        _, info = self.env.reset(seed=8)
        digests = [info["state_digest"]]
        for a in [1, 4, 2, 4]:
            digests.append(self.env.step(a)[4]["state_digest"])

        fork = self.env.fork(at_tick=2)
        try:
            for _ in range(2):
                _, start = fork.reset()
                self.assertEqual((start["tick"], start["state_digest"]), (2, digests[2]))
                self.assertNotEqual(start["world"], info["world"])
                replay = [fork.step(a)[4]["state_digest"] for a in [2, 4]]
                self.assertEqual(replay, digests[3:5], "a fork replays the source's future exactly")
        finally:
            fork.close()
        self.assert_gone(start["world"])
        self.assertEqual(self.client.get_world(info["world"])["tick"], 4, "forks never touch the source")

    def test_from_fork_pins_the_durable_tick_at_construction(self) -> None:
        _, info = self.env.reset(seed=9)
        self.env.step(1)
        pinned = self.client.get_world(info["world"])["stateDigest"]
        forked = WorldEnv.from_fork(info["world"], client=self.client)
        try:
            self.env.step(2)
            _, start = forked.reset()
            self.assertEqual((start["tick"], start["state_digest"]), (1, pinned))
        finally:
            forked.close()

    def assert_gone(self, world: str) -> None:
        with self.assertRaises(WorldClusterError) as gone:
            self.client.get_world(world)
        self.assertEqual(gone.exception.status, 404)
