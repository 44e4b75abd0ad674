"""The agent plane itself and AsyncVectorWorldEnv: pipelining, refusals that step nothing, auth."""

from __future__ import annotations

import unittest

import numpy as np

from worldcluster import AgentPlane, AsyncVectorWorldEnv, PlaneClosed, PlaneRefused, WorldClusterError

from .support import MODEL, client, silo_url


class AgentPlaneTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client()
        self.worlds = [self.client.create_world(MODEL, seed=200 + i, players=1)["id"] for i in range(3)]
        self.addCleanup(self.client.delete_worlds, self.worlds)

    def test_pipelined_steps_of_one_world_run_in_the_order_sent(self) -> None:
        plane = AgentPlane(self.client.url, self.client.token)
        self.addCleanup(plane.close)
        self.assertEqual(plane.bind([5], self.worlds[:1]), [(5, 1, 6)])
        sent = [plane.send_step(np.array([[a]]), np.array([5])) for a in [1, 2, 3, 4, 5]]
        answers = [plane.recv() for _ in sent]
        self.assertEqual(sorted(r.request_id for r in answers), sent)
        self.assertEqual(sorted(int(r.ticks[0]) for r in answers), [1, 2, 3, 4, 5])
        last = max(answers, key=lambda r: int(r.ticks[0]))
        reference = self.client.create_world(MODEL, seed=200, players=1)["id"]
        self.addCleanup(self.client.delete_world, reference)
        for a in [1, 2, 3, 4, 5]:
            self.client.step(reference, [a])
        self.assertEqual(last.digest(0), self.client.get_world(reference)["stateDigest"])

    def test_a_refused_step_steps_nothing_and_the_connection_stays(self) -> None:
        plane = AgentPlane(self.client.url, self.client.token)
        self.addCleanup(plane.close)
        plane.bind([0, 1], self.worlds[:2])
        for actions, envs, why in [([[1], [6]], [0, 1], "outside the action space"), ([[1], [1]], [0, 2], "not bound"),
                                   ([[1, 1], [1, 1]], [0, 1], "player slots")]:
            with self.subTest(why=why), self.assertRaises(PlaneRefused) as refused:
                plane.send_step(np.array(actions), np.array(envs))
                plane.recv()
            self.assertEqual(refused.exception.status, 400)
            self.assertIn(why, refused.exception.detail)
        self.assertEqual([self.client.get_world(w)["tick"] for w in self.worlds[:2]], [0, 0])
        plane.send_step(np.array([[1], [2]]), np.array([0, 1]))
        self.assertEqual(list(plane.recv().ticks), [1, 1])

    def test_a_malformed_message_closes_with_a_reason_and_other_connections_go_on(self) -> None:
        bad, good = AgentPlane(self.client.url, self.client.token), AgentPlane(self.client.url, self.client.token)
        self.addCleanup(good.close)
        bad.bind([0], self.worlds[:1])
        good.bind([0], self.worlds[1:2])
        bad.socket.send_binary(b"WCAP\x02" + bytes(11))
        with self.assertRaises(PlaneClosed) as closed:
            bad.recv()
        self.assertEqual(closed.exception.code, 1007)
        self.assertIn("version 2 is not supported", closed.exception.detail)
        good.send_step(np.array([[3]]), np.array([0]))
        self.assertEqual(list(good.recv().ticks), [1])
        self.assertEqual(self.client.get_world(self.worlds[0])["tick"], 0)

    def test_binding_an_unknown_or_real_time_world_is_refused(self) -> None:
        plane = AgentPlane(self.client.url, self.client.token)
        self.addCleanup(plane.close)
        with self.assertRaises(PlaneRefused) as missing:
            plane.bind([0, 1], [self.worlds[0], "no-such-world"])
        self.assertEqual(missing.exception.status, 404)
        ticking = self.client.create_world(MODEL, seed=1, players=1, tick_hz=1)["id"]
        self.addCleanup(self.client.delete_world, ticking)
        with self.assertRaises(PlaneRefused) as live:
            plane.bind([0], [ticking])
        self.assertEqual(live.exception.status, 409)
        with self.assertRaises(PlaneRefused):
            plane.send_step(np.array([[1]]), np.array([0]))
            plane.recv()

    def test_the_plane_needs_an_admin_token(self) -> None:
        for token in ["", "not-a-token"]:
            with self.subTest(token=token), self.assertRaises(WorldClusterError) as refused:
                AgentPlane(silo_url(), token)
            self.assertEqual(refused.exception.status, 401)


class AsyncVectorWorldEnvTests(unittest.TestCase):
    def test_send_and_recv_step_subsets_independently(self) -> None:
        with AsyncVectorWorldEnv(MODEL, 4, client=client(), max_episode_steps=2) as env:
            env.reset(seed=300)
            env.send([1, 2], env_ids=[0, 1])
            env.send([3, 4], env_ids=[2, 3])
            with self.assertRaises(ValueError):
                env.send([1], env_ids=[0])
            answers = [env.recv(), env.recv()]
            self.assertEqual(sorted(tuple(a[4]["env_id"]) for a in answers), [(0, 1), (2, 3)])
            for obs, _, _, truncated, info in answers:
                self.assertEqual((obs.shape, list(info["tick"]), truncated.any()), ((2, 64, 64, 3), [1, 1], False))
            env.send([1, 1, 1, 1])
            _, _, _, truncated, info = env.recv()
            self.assertTrue(truncated.all())
            old = list(info["world"])
            env.send([2, 2], env_ids=[1, 3])
            _, rewards, _, truncated, info = env.recv()
            self.assertEqual((list(info["env_id"]), list(info["tick"]), list(rewards)), ([1, 3], [0, 0], [0.0, 0.0]))
            self.assertNotIn(info["world"][0], old)
            with self.assertRaises(RuntimeError):
                env.recv()
