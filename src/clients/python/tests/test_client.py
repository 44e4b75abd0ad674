"""WorldClusterClient against a running silo: worlds, problems as exceptions, tokens."""

from __future__ import annotations

import http.server
import json
import os
import socket
import threading
import unittest
from unittest import mock

from worldcluster import WorldClusterClient, WorldClusterError

from .support import MODEL, client


class ClientTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client()

    def test_models_describe_the_reference_world(self) -> None:
        model = self.client.model(MODEL)
        self.assertEqual(model["observationShape"], [3, 64, 64])
        self.assertEqual(model["actionSpace"]["n"], 6)
        self.assertEqual(model["maxPlayers"], 4)

    def test_a_world_is_created_stepped_and_deleted(self) -> None:
        world = self.client.create_world(MODEL, seed=5, players=2)
        self.assertEqual((world["tick"], world["players"]), (0, 2))
        stepped = self.client.step(world["id"], [1, 2])
        self.assertEqual(stepped["tick"], 1)
        self.assertEqual(self.client.get_world(world["id"])["stateDigest"], stepped["stateDigest"])
        self.assertIn(world["id"], self.client.list_worlds())
        self.assertEqual(self.client.frame_png(world["id"])[:4], b"\x89PNG")

        self.client.delete_world(world["id"])
        with self.assertRaises(WorldClusterError) as gone:
            self.client.get_world(world["id"])
        self.assertEqual(gone.exception.status, 404)
        self.assertEqual(gone.exception.world_id, world["id"])

    def test_a_refused_request_raises_with_the_problem(self) -> None:
        world = self.client.create_world(MODEL, seed=6, players=1)
        with self.assertRaises(WorldClusterError) as refused:
            self.client.step(world["id"], [1, 2, 3])
        e = refused.exception
        self.assertEqual((e.status, e.title), (400, "Invalid request"))
        self.assertIn("expected 1 actions", e.detail)
        self.assertIn("expected 1 actions", str(e))
        self.assertEqual(self.client.get_world(world["id"])["tick"], 0, "a refused step changes nothing")
        self.client.delete_world(world["id"])

    def test_an_unknown_model_is_a_404(self) -> None:
        with self.assertRaises(WorldClusterError) as refused:
            self.client.create_world("no-such-model")
        self.assertEqual(refused.exception.status, 404)

    def test_an_unreachable_gateway_raises_a_clear_error(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with self.assertRaises(WorldClusterError) as unreachable:
            WorldClusterClient(f"http://127.0.0.1:{port}", timeout=5).models()
        self.assertIsNone(unreachable.exception.status)
        self.assertIn(f"127.0.0.1:{port}", unreachable.exception.detail)


class TokenTests(unittest.TestCase):
    """Bearer tokens, checked against a stub gateway that records headers and answers 401 problems."""

    def setUp(self) -> None:
        seen: list[str | None] = []

        class Stub(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.headers.get("Authorization"))
                body = json.dumps({"status": 401, "title": "Unauthorized", "detail": "a bearer token is required"}).encode()
                self.send_response(401)
                self.send_header("Content-Type", "application/problem+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.seen = seen
        self.server = http.server.HTTPServer(("127.0.0.1", 0), Stub)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def tearDown(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def test_the_token_is_sent_as_a_bearer_header(self) -> None:
        with self.assertRaises(WorldClusterError) as refused:
            WorldClusterClient(self.url, token="s3cret").models()
        self.assertEqual(self.seen, ["Bearer s3cret"])
        self.assertEqual((refused.exception.status, refused.exception.detail), (401, "a bearer token is required"))

    def test_url_and_token_come_from_the_environment(self) -> None:
        with mock.patch.dict(os.environ, {"WORLDCLUSTER_URL": self.url, "WORLDCLUSTER_TOKEN": "from-env"}):
            with self.assertRaises(WorldClusterError):
                WorldClusterClient().models()
        self.assertEqual(self.seen, ["Bearer from-env"])

    def test_no_token_sends_no_header(self) -> None:
        with mock.patch.dict(os.environ, {"WORLDCLUSTER_TOKEN": ""}):
            with self.assertRaises(WorldClusterError):
                WorldClusterClient(self.url).models()
        self.assertEqual(self.seen, [None])
