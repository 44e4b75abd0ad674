"""Live sessions against a running silo: PNG frames, VP8 and JPEG streams (checked with the machine's ffmpeg), refusals."""

from __future__ import annotations

import os
import subprocess
import tempfile
import unittest

from worldcluster import SessionFrame, WorldClusterError, write_ivf

from .support import MODEL, client, decode_png


def take(session, count: int, act: int | None = None) -> list[SessionFrame]:
    """At least `count` frames; with `act`, sends it after the first frame and reads on until a frame shows it."""
    frames: list[SessionFrame] = []
    for frame in session.frames():
        frames.append(frame)
        if act is not None and len(frames) == 1:
            session.send_action(act)
        if len(frames) >= count and (act is None or any(f.actions[:1] == [act] for f in frames)):
            break
    return frames


def run(*command: str) -> bytes:
    done = subprocess.run(command, capture_output=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"{command[0]} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


class SessionTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client()

    def realtime_world(self, seed: int) -> str:
        world = self.client.create_world(MODEL, seed=seed, players=1, tick_hz=20)
        self.addCleanup(self.client.delete_world, world["id"])
        return world["id"]

    def assert_contiguous(self, frames: list[SessionFrame]) -> None:
        ticks = [f.tick for f in frames]
        self.assertEqual(ticks, list(range(ticks[0], ticks[0] + len(ticks))))

    def test_a_png_player_and_spectator_see_the_same_ticks_and_the_players_action(self) -> None:
        world = self.realtime_world(31)
        with self.client.session(world, "player", name="py") as player, self.client.session(world, "spectator") as spectator:
            self.assertEqual((player.format, player.slot, player.tick_hz, spectator.slot), ("png", 0, 20, None))
            with self.assertRaises(RuntimeError):
                spectator.send_action(1)

            frames = take(player, 3, act=3)
            acted = next(f for f in frames if f.actions[:1] == [3])
            seen = next(f for f in spectator.frames() if f.tick >= acted.tick)

        self.assert_contiguous(frames)
        self.assertTrue(all(f.format == "png" and f.keyframe and f.durable_tick <= f.tick for f in frames))
        self.assertEqual(decode_png(acted.data).shape, (64, 64, 3))
        self.assertEqual(player.errors, [])
        # The spectator sees the tick that took the player's action, with the same digest.
        self.assertEqual((seen.tick, seen.state_digest, seen.actions[0]), (acted.tick, acted.state_digest, 3))

    def test_a_vp8_player_gets_contiguous_ticks_from_a_keyframe_that_ffmpeg_decodes(self) -> None:
        world = self.realtime_world(32)
        with self.client.session(world, "player", format="vp8") as player:
            self.assertEqual((player.format, player.welcome["codec"]), ("vp8", "vp8"))
            frames = take(player, 10, act=3)

        self.assertTrue(frames[0].keyframe, "a joining viewer starts at a keyframe")
        self.assert_contiguous(frames)
        self.assertTrue(all(f.format == "vp8" and (f.width, f.height) == (64, 64) and f.data for f in frames))
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "session.ivf")
            self.assertEqual(write_ivf(path, frames, player.tick_hz), len(frames))
            packets = run("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts,flags",
                          "-of", "csv=p=0", path).decode().split()
            rgb = run("ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1")
        # ffprobe reads one packet per tick, stamped with it; ffmpeg decodes every one into a 64x64 picture.
        self.assertEqual([(int(p.split(",")[0]), p.split(",")[1].startswith("K")) for p in packets],
                         [(f.tick, f.keyframe) for f in frames])
        self.assertEqual(len(rgb), len(frames) * 64 * 64 * 3)

    def test_a_jpeg_spectator_gets_contiguous_ticks_each_a_jpeg(self) -> None:
        world = self.realtime_world(33)
        # A real-time world ticks while a player is in it.
        with self.client.session(world, "player"), self.client.session(world, "spectator", format="jpeg") as spectator:
            frames = take(spectator, 5)

        self.assertEqual(spectator.format, "jpeg")
        self.assert_contiguous(frames)
        self.assertTrue(all(f.format == "jpeg" and f.keyframe for f in frames))
        self.assertTrue(all(f.data[:3] == b"\xff\xd8\xff" and f.data[-2:] == b"\xff\xd9" for f in frames))

    def test_an_unknown_format_is_refused_naming_the_formats_and_nobody_joins(self) -> None:
        world = self.realtime_world(34)
        with self.assertRaises(WorldClusterError) as refused:
            self.client.session(world, "player", format="h264")

        self.assertEqual(refused.exception.status, 400)
        self.assertIn("png, jpeg, webp, vp8, vp9", refused.exception.detail)
        self.assertEqual(self.client.participants(world), [])

    def test_a_refused_action_lands_in_errors_and_the_session_goes_on(self) -> None:
        world = self.realtime_world(36)
        with self.client.session(world, "player") as player:
            player.send_action(99)
            frames = []
            for frame in player.frames():
                frames.append(frame)
                if player.errors and len(frames) >= 3:
                    break

        self.assertEqual(len(player.errors), 1)
        self.assertIn("99", player.errors[0])
        self.assert_contiguous(frames)
        self.assertTrue(all(f.actions[:1] != [99] for f in frames))

    def test_a_second_loop_over_frames_while_one_runs_is_refused(self) -> None:
        world = self.realtime_world(35)
        with self.client.session(world, "player") as player:
            reading = player.frames()
            first = next(reading)
            with self.assertRaises(RuntimeError):
                next(player.frames())
            during = next(reading)
            reading.close()
            after = next(player.frames())

        self.assertEqual((during.tick, after.tick), (first.tick + 1, first.tick + 2))


if __name__ == "__main__":
    unittest.main()
