"""IVF files from a session's VP8/VP9 frames, for ffmpeg, ffprobe and ffplay (docs/python.md, "Live sessions").

A VP8/VP9 session frame's `data` is one encoded frame, exactly what an IVF file holds after each 12-byte frame header;
the file header (32 bytes, `DKIF`) names the codec and size, and each frame is stamped with its tick in a time base of
1/ticks_per_second seconds, so the file plays at the world's pace and ffprobe's timestamps are the ticks.
"""

from __future__ import annotations

import struct
from typing import BinaryIO, Iterable

from .session import SessionFrame

_FOURCC = {"vp8": b"VP80", "vp9": b"VP90"}


class IvfWriter:
    """Appends frames to an open binary file; the header is written from the first frame (a session's first is a keyframe)."""

    def __init__(self, file: BinaryIO, ticks_per_second: int):
        if ticks_per_second < 1:
            raise ValueError(f"ticks_per_second must be at least 1, not {ticks_per_second}")
        self.file = file
        self.ticks_per_second = ticks_per_second
        self.format: str | None = None
        self.frame_count = 0

    def write(self, frame: SessionFrame) -> None:
        """Appends one frame."""
        if self.format is None:
            if frame.format not in _FOURCC:
                raise ValueError(f"IVF holds vp8 or vp9 frames, not {frame.format}")
            # Bytes 24-27, the frame count, stay 0: the file grows as frames arrive, and readers go by the frames.
            self.file.write(struct.pack("<4sHH4sHHIII4x", b"DKIF", 0, 32, _FOURCC[frame.format], frame.width, frame.height,
                                        self.ticks_per_second, 1, 0))
            self.format = frame.format
        elif frame.format != self.format:
            raise ValueError(f"this IVF file holds {self.format}, not {frame.format}")
        self.file.write(struct.pack("<Iq", len(frame.data), frame.tick))
        self.file.write(frame.data)
        self.frame_count += 1


def write_ivf(path: str, frames: Iterable[SessionFrame], ticks_per_second: int) -> int:
    """Writes frames to a new IVF file at path; returns how many."""
    with open(path, "wb") as file:
        writer = IvfWriter(file, ticks_per_second)
        for frame in frames:
            writer.write(frame)
        return writer.frame_count
