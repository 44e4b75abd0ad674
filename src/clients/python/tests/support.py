"""What the tests share: a client for the silo under test, a raw JSON poster and a small PNG decoder."""

from __future__ import annotations

import json
import os
import struct
import urllib.error
import urllib.request
import zlib

import numpy as np

from worldcluster import WorldClusterClient

MODEL = "reference-world"


def silo_url() -> str:
    """The silo under test; the tests need one (the .NET test WorldCluster.Silo.Tests/Python starts it)."""
    url = os.environ.get("WORLDCLUSTER_URL")
    if not url:
        raise RuntimeError("set WORLDCLUSTER_URL to a running silo, e.g. http://localhost:5080 (see docs/python.md)")
    return url


def client(**kwargs) -> WorldClusterClient:
    """A client for the silo under test."""
    return WorldClusterClient(silo_url(), **kwargs)


def post_raw(path: str, body: bytes | str, content_type: str = "application/json") -> tuple[int, dict]:
    """POSTs a body exactly as given (to test what the client never sends); returns status and parsed JSON."""
    data = body.encode() if isinstance(body, str) else body
    headers = {"Content-Type": content_type}
    token = os.environ.get("WORLDCLUSTER_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(silo_url().rstrip("/") + path, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def post_json(path: str, body) -> tuple[int, dict]:
    """POSTs a JSON value; returns status and parsed JSON."""
    return post_raw(path, json.dumps(body))


def decode_png(png: bytes) -> np.ndarray:
    """An 8-bit RGB, non-interlaced PNG as an H x W x 3 array (every filter type), independent of the client's code."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        chunk = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert (depth, color, interlace) == (8, 2, 0), f"unsupported PNG: depth {depth}, color {color}, interlace {interlace}"
    raw = zlib.decompress(idat)
    stride, bpp = width * 3, 3
    out = np.zeros((height, stride), np.int32)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        prior = out[y - 1] if y > 0 else np.zeros(stride, np.int32)
        row = np.zeros(stride, np.int32)
        for x in range(stride):
            a = row[x - bpp] if x >= bpp else 0
            b = prior[x]
            c = prior[x - bpp] if x >= bpp else 0
            if kind == 0:
                predictor = 0
            elif kind == 1:
                predictor = a
            elif kind == 2:
                predictor = b
            elif kind == 3:
                predictor = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            row[x] = (line[x] + predictor) & 0xFF
        out[y] = row
    return out.astype(np.uint8).reshape(height, width, 3)
