"""POST /api/steps and /api/observations: exact results, frames, rewards, and bad batches refused without effect."""

from __future__ import annotations

import unittest

import numpy as np

from worldcluster import WorldClusterError

from .support import MODEL, client, decode_png, post_json, post_raw


class BatchStepTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client()
        self.created: list[str] = []

    def tearDown(self) -> None:
        self.client.delete_worlds(self.created)

    def world(self, seed: int, players: int = 1, tick_hz: int | None = None) -> str:
        world = self.client.create_world(MODEL, seed=seed, players=players, tick_hz=tick_hz)["id"]
        self.created.append(world)
        return world

    def test_a_batch_step_equals_single_steps(self) -> None:
        single, batched, other = self.world(21, 2), self.world(21, 2), self.world(22, 2)
        for t in range(5):
            actions = [t % 6, (t + 3) % 6]
            expected = self.client.step(single, actions)
            outcome, _ = self.client.step_many([(batched, actions), (other, [5, 5])], frames="none")
            self.assertEqual((outcome.tick, outcome.state_digest), (expected["tick"], expected["stateDigest"]))
            self.assertEqual(outcome.durable_tick, outcome.tick, "a batch step answers once the tick is stored")
            self.assertIsNone(outcome.frame)

    def test_raw_and_png_frames_show_the_current_frame(self) -> None:
        world = self.world(23)
        raw, = self.client.step_many([(world, [2])], frames="raw")
        png = self.client.frame_png(world)
        self.assertEqual(raw.frame.shape, (64, 64, 3))
        self.assertEqual(raw.frame.dtype, np.uint8)
        np.testing.assert_array_equal(raw.frame, decode_png(png))
        observed, = self.client.observe_many([world], frames="png")
        self.assertEqual(observed.frame, png)

    def test_observing_changes_nothing_and_rewards_nothing(self) -> None:
        world = self.world(24, 2)
        before = self.client.get_world(world)
        observed, = self.client.observe_many([world])
        self.assertEqual((observed.tick, observed.state_digest), (before["tick"], before["stateDigest"]))
        self.assertEqual(observed.rewards, [0, 0])
        self.assertEqual(observed.scores, [0, 0])
        self.assertEqual(self.client.get_world(world)["stateDigest"], before["stateDigest"])

    def test_rewards_are_the_acting_players_score_changes(self) -> None:
        # A seeded random walk in 16 worlds: the reference world is exact, so this finds the same gems on every run.
        worlds = [self.world(100 + i) for i in range(16)]
        rng = np.random.default_rng(7)
        total = np.zeros(len(worlds), np.int64)
        for _ in range(150):
            outcomes = self.client.step_many([(w, [int(a)]) for w, a in zip(worlds, rng.integers(1, 5, len(worlds)))], frames="none")
            total += [o.rewards[0] for o in outcomes]
            self.assertTrue(all(o.rewards[0] in (0, 1) for o in outcomes), "one tick collects at most one gem")
        scores = [o.scores[0] for o in self.client.observe_many(worlds, frames="none")]
        self.assertEqual(list(total), scores)
        self.assertGreater(sum(scores), 0, "some walker collected a gem")

    def test_bad_batches_are_refused_and_step_nothing(self) -> None:
        one, two, live = self.world(31), self.world(32, 2), self.world(33, 1, tick_hz=5)
        before = {w: self.client.get_world(w)["stateDigest"] for w in (one, two)}
        ok = {"world": one, "actions": [1]}
        refused = [
            (400, {"steps": [ok, {"world": two, "actions": [1]}]}, "expected 2 actions"),
            (400, {"steps": [ok, {"world": two, "actions": [1, 6]}]}, "outside the action space"),
            (400, {"steps": [ok, {"world": two, "actions": [-1, 0]}]}, "outside the action space"),
            (400, {"steps": [ok, {"world": one, "actions": [2]}]}, "more than once"),
            (404, {"steps": [ok, {"world": "w-no-such-world", "actions": [1]}]}, "does not exist"),
            (400, {"steps": [ok, {"world": "Not A World!", "actions": [1]}]}, "is not a world id"),
            (400, {"steps": [ok, {"world": two}]}, "needs 'world'"),
            (400, {"steps": [ok, {"actions": [1]}]}, "needs 'world'"),
            (400, {"steps": [ok, None]}, "needs 'world'"),
            (400, {"steps": [ok, {"world": two, "actions": [1.5, 0]}]}, "steps[1]: actions[0] is 1.5; expected an integer"),
            (400, {"steps": [ok, {"world": two, "actions": ["up", 0]}]}, 'steps[1]: actions[0] is "up"; expected an integer'),
            (400, {"steps": [ok], "frames": "jpeg"}, "'frames' must be"),
            (400, {"steps": [ok], "extra": 1}, "invalid JSON"),
            (400, {"steps": []}, "'steps' is required"),
            (400, {}, "'steps' is required"),
            (400, {"steps": [{"world": f"w-{i}", "actions": [0]} for i in range(257)]}, "at most 256"),
            (409, {"steps": [ok, {"world": live, "actions": [1]}]}, "real time"),
        ]
        for status, body, detail in refused:
            with self.subTest(body=str(body)[:120]):
                got, problem = post_json("/api/steps", body)
                self.assertEqual(got, status, problem)
                self.assertEqual(problem["status"], status)
                self.assertIn(detail, problem["detail"])
        self.assertEqual({w: self.client.get_world(w)["stateDigest"] for w in (one, two)}, before,
                         "no refused batch stepped any world")

    def test_malformed_bodies_are_refused(self) -> None:
        for status, body, content_type in [
            (400, "{", "application/json"),
            (400, "[1, 2]", "application/json"),
            (415, '{"steps": []}', "text/plain"),
            (413, '{"steps": [' + " " * 70_000 + "]}", "application/json"),
        ]:
            with self.subTest(body=body[:20], content_type=content_type):
                got, problem = post_raw("/api/steps", body, content_type)
                self.assertEqual(got, status, problem)

    def test_bad_observation_requests_are_refused(self) -> None:
        world = self.world(34)
        for status, body in [
            (404, {"worlds": [world, "w-no-such-world"]}),
            (400, {"worlds": [world, world]}),
            (400, {"worlds": []}),
            (400, {"worlds": [world], "frames": "gif"}),
        ]:
            with self.subTest(body=body):
                got, problem = post_json("/api/observations", body)
                self.assertEqual(got, status, problem)

    def test_the_client_raises_refusals_as_exceptions(self) -> None:
        world = self.world(35)
        with self.assertRaises(WorldClusterError) as refused:
            self.client.step_many([(world, [1]), (world, [2])])
        self.assertEqual(refused.exception.status, 400)
        self.assertEqual(refused.exception.world_id, world)
        with self.assertRaises(ValueError):
            self.client.step_many([(world, [1])], frames="jpeg")

    def test_large_batches_are_split_and_keep_their_order(self) -> None:
        small = client(max_batch=3)
        worlds = [self.world(40 + i) for i in range(7)]
        first = small.step_many([(w, [1]) for w in worlds], frames="none")
        self.assertEqual([o.world for o in first], worlds)
        self.assertEqual([o.tick for o in first], [1] * 7)
        expected = [self.client.get_world(w)["stateDigest"] for w in worlds]
        self.assertEqual([o.state_digest for o in first], expected)
