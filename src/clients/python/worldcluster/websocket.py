"""A minimal blocking WebSocket client (RFC 6455) over the standard library, for the agent plane's binary messages.

Debian 12's python3-websockets is 10.4, which has no synchronous client; a blocking socket is also the fastest way for
one Python thread to pipeline binary messages. Client frames are masked as the RFC requires (with numpy, 4 bytes at a
time); server frames are read straight into a fresh bytearray, which numpy arrays then view without copying.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
import urllib.parse

import numpy as np

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WebSocketClosed(Exception):
    """The server closed the connection: `code` and `reason` are its close frame's (1006 when none came)."""

    def __init__(self, code: int, reason: str):
        self.code = code
        self.reason = reason
        super().__init__(f"connection closed ({code}): {reason}")


class HandshakeRefused(Exception):
    """The server answered the upgrade with an HTTP status instead of 101; `body` is what it sent (a problem JSON)."""

    def __init__(self, status: int, body: bytes):
        self.status = status
        self.body = body
        super().__init__(f"upgrade refused with HTTP {status}: {body[:200]!r}")


class WebSocket:
    """One client connection; `send_binary`/`recv` are blocking and not thread-safe (one sender, one receiver)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None, protocols: tuple[str, ...] = (),
                 timeout: float | None = 60.0):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("ws", "http"):
            raise ValueError(f"only ws:// and http:// URLs are supported here, not {url!r}")
        port = parts.port or 80
        self.sock = socket.create_connection((parts.hostname, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1", f"Host: {parts.hostname}:{port}",
                 "Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if protocols:
            lines.append("Sec-WebSocket-Protocol: " + ", ".join(protocols))
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        self._buffer = bytearray()
        head = self._read_until(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ")[1])
        answer = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
        if status != 101:
            length = int(answer.get("content-length", "0"))
            body = self._read_exact(length) if length else bytes(self._buffer)
            self.sock.close()
            raise HandshakeRefused(status, bytes(body))
        expected = base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest()).decode()
        if answer.get("sec-websocket-accept") != expected:
            self.sock.close()
            raise ConnectionError("the server's Sec-WebSocket-Accept does not match the key")
        self.protocol = answer.get("sec-websocket-protocol")
        self.closed: WebSocketClosed | None = None

    def send_binary(self, payload: bytes | bytearray | memoryview) -> None:
        """Sends one binary message (one frame)."""
        self._send_frame(0x2, payload)

    def send_text(self, text: str) -> None:
        """Sends one text message (one frame)."""
        self._send_frame(0x1, text.encode("utf-8"))

    def recv(self) -> bytearray:
        """The next binary message; raises WebSocketClosed when the server closes (answering its close frame)."""
        return self.recv_message()[1]

    def recv_message(self) -> tuple[bool, bytearray]:
        """The next message and whether it is text; raises WebSocketClosed as recv does."""
        message = bytearray()
        text = False
        while True:
            first, second = self._read_exact(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read_exact(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read_exact(8))[0]
            payload = self._read_exact(length)
            if opcode == 0x8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
                self.closed = WebSocketClosed(code, payload[2:].decode("utf-8", "replace"))
                try:
                    self._send_frame(0x8, payload[:2])
                except OSError:
                    pass
                self.sock.close()
                raise self.closed
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode in (0x1, 0x2):
                text = opcode == 0x1
                if first & 0x80:
                    return text, payload
            message += payload
            if first & 0x80:
                return text, message

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Sends a close frame and closes the socket (without waiting for the server's answer)."""
        if self.closed is None:
            try:
                self._send_frame(0x8, struct.pack(">H", code) + reason.encode())
            except OSError:
                pass
            self.closed = WebSocketClosed(code, reason)
        self.sock.close()

    def _send_frame(self, opcode: int, payload: bytes | bytearray | memoryview) -> None:
        n = len(payload)
        if n < 126:
            head = struct.pack(">BB", 0x80 | opcode, 0x80 | n)
        elif n < 1 << 16:
            head = struct.pack(">BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack(">BBQ", 0x80 | opcode, 0x80 | 127, n)
        mask = os.urandom(4)
        padded = np.zeros((n + 3) // 4 * 4, np.uint8)
        padded[:n] = np.frombuffer(payload, np.uint8)
        masked = (padded.view(np.uint32) ^ np.frombuffer(mask, np.uint32)[0]).view(np.uint8)[:n]
        self.sock.sendall(head + mask + masked.tobytes())

    def _read_exact(self, n: int) -> bytearray:
        if len(self._buffer) >= n:
            out = self._buffer[:n]
            del self._buffer[:n]
            return out
        out = bytearray(n)
        view = memoryview(out)
        have = len(self._buffer)
        view[:have] = self._buffer
        self._buffer.clear()
        while have < n:
            got = self.sock.recv_into(view[have:], n - have)
            if got == 0:
                self.closed = self.closed or WebSocketClosed(1006, "the connection dropped without a close frame")
                raise self.closed
            have += got
        return out

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self._buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection during the upgrade")
            self._buffer += chunk
        head, _, rest = bytes(self._buffer).partition(marker)
        self._buffer = bytearray(rest)
        return head
