"""A structured (keys + mouse) model through WorldEnv: Gymnasium-shaped spaces from GET /api/models, dict actions.

Needs a silo serving tests/fixtures/models/keys-mouse (the .NET test WorldCluster.Silo.Tests/Python/
PythonStructuredActionTests starts one and sets WORLDCLUSTER_KEYS_MOUSE=1); skipped against a silo without it.
"""

from __future__ import annotations

import os
import unittest

import numpy as np

from worldcluster import Dict, MultiBinary, WorldClusterError, WorldEnv

from .support import client

MODEL = "keys-mouse"


class StructuredEnvTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client()
        if not any(m["name"] == MODEL for m in self.client.models()):
            if os.environ.get("WORLDCLUSTER_KEYS_MOUSE") == "1":
                self.fail(f"the silo does not serve {MODEL}")
            self.skipTest(f"the silo does not serve {MODEL}")

    def test_the_action_space_is_a_dict_of_multibinary_keys_and_a_float_box(self) -> None:
        env = WorldEnv(MODEL, players=2, client=self.client)
        space = env.action_space
        self.assertIsInstance(space, Dict)
        self.assertEqual(["keys", "mouse"], list(space.spaces))
        self.assertIsInstance(space["keys"], MultiBinary)
        self.assertEqual(("W", "A", "S", "D", "Space"), space["keys"].names)
        self.assertEqual((5,), space["keys"].shape)
        mouse = space["mouse"]
        self.assertEqual(((2,), np.float32, ("dx", "dy")), (mouse.shape, mouse.dtype, mouse.names))
        np.testing.assert_array_equal([-8, -8], mouse.low)
        np.testing.assert_array_equal([8, 8], mouse.high)
        space.seed(3)
        for _ in range(20):
            self.assertTrue(space.contains(space.sample()))
        self.assertTrue(space.contains({"mouse": [8, -8]}))
        self.assertFalse(space.contains({"mouse": [8.5, 0]}))
        self.assertFalse(space.contains({"keys": [0, 0, 2, 0, 0]}))
        self.assertFalse(space.contains({"wheel": [1]}))

    def test_a_dict_action_steps_the_world_and_a_bad_one_is_refused_before_anything_is_sent(self) -> None:
        with WorldEnv(MODEL, players=2, client=self.client) as env:
            obs, info = env.reset(seed=0)
            self.assertEqual((8, 8, 1), obs.shape)
            # Seed 0: both cursors at (0, 0). D and Space held (x + 2), the mouse moved (+1.5, +3.25): (3.5, 3.25).
            obs, reward, terminated, truncated, info = env.step({"keys": np.array([0, 0, 0, 1, 1]), "mouse": np.array([1.5, 3.25])})
            self.assertEqual(1, info["tick"])
            self.assertEqual(255, obs[3, 3, 0])
            self.assertEqual(255, obs[0, 0, 0])  # slot 1 did nothing
            self.assertEqual(2, int(np.count_nonzero(obs == 255)))
            # A no-op (no component) leaves the cursors where they are.
            obs, *_ , info = env.step({})
            self.assertEqual(2, info["tick"])
            self.assertEqual(255, obs[3, 3, 0])
            digest = info["state_digest"]

            with self.assertRaisesRegex(ValueError, r"action\['mouse'\] is \[9, 0\]"):
                env.step({"mouse": [9, 0]})
            with self.assertRaisesRegex(ValueError, r"action\['wheel'\]"):
                env.step({"wheel": [1]})
            # What the client lets through, the server checks too: a 400 naming the field, nothing applied.
            with self.assertRaises(WorldClusterError) as refused:
                self.client.step_many([(env.world_id, [{"keys": ["Q"]}, {}])])
            self.assertEqual(400, refused.exception.status)
            self.assertIn('actions[0].keys[0] is "Q", not a key of the space', refused.exception.detail)
            world = self.client.get_world(env.world_id)
            self.assertEqual((2, digest), (world["tick"], world["stateDigest"]))


if __name__ == "__main__":
    unittest.main()
