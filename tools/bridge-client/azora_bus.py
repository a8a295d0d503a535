#!/usr/bin/env python3
"""Azora's event bus from Python, standard library only.

The gateway bridges the bus at /api/bridge/websocket: a plain WebSocket whose text messages are the
Vert.x bridge's JSON frames ({"type": "register"|"send"|"ping", "address", "headers", "body", "replyAddress"};
the server answers {"type": "message"|"err", ...}). Authenticate with an access token at the upgrade.

    bus = AzoraBus.connect("127.0.0.1", 4000, token)
    bus.register("azora.notifications." + user_id)
    print(bus.receive())                        # {"type": "message", "address": ..., "body": {...}}
    print(bus.call("azora.tutoring", "notifications", {"unreadOnly": False, "limit": 20, "cursor": None}))

Run as a program, it prints the caller's notifications as they happen:

    python3 azora_bus.py --host 127.0.0.1 --port 4000 --token <accessToken> --user-id <id>
"""

import argparse
import base64
import hashlib
import json
import os
import socket
import struct
import uuid

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_MESSAGE = 4 * 1024 * 1024


class BridgeError(Exception):
    """The bridge refused a frame ({"type": "err", "body": "access_denied"}, ...) or a call failed."""


class AzoraBus:
    def __init__(self, sock):
        self._sock = sock
        self._buffer = b""
        self.pending = []  # messages received while waiting for something else

    @classmethod
    def connect(cls, host, port, token, path="/api/bridge/websocket", timeout=10.0):
        sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   f"Authorization: Bearer {token}\r\n\r\n")
        sock.sendall(request.encode())
        bus = cls(sock)
        head = bus._read_until(b"\r\n\r\n").decode("iso-8859-1")
        status = head.split("\r\n", 1)[0]
        if " 101 " not in status + " ":
            raise BridgeError("upgrade refused: " + status)
        expected = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        headers = dict((k.strip().lower(), v.strip()) for k, _, v in
                       (line.partition(":") for line in head.split("\r\n")[1:]))
        if headers.get("sec-websocket-accept") != expected:
            raise BridgeError("bad Sec-WebSocket-Accept: " + head)
        return bus

    # --- the bridge's frames ---

    def register(self, address):
        self._send_json({"type": "register", "address": address})

    def send(self, address, body, headers=None):
        self._send_json({"type": "send", "address": address, "body": body, "headers": headers or {}})

    def call(self, address, action, body, timeout=10.0):
        """A request to a service on the bus (a @ProxyGen action); its reply body, or BridgeError."""
        reply_to = str(uuid.uuid4())
        self._send_json({"type": "send", "address": address, "body": body, "headers": {"action": action},
                         "replyAddress": reply_to})
        while True:
            frame = self.receive(timeout)
            if frame.get("address") == reply_to:
                if frame.get("type") == "err":
                    raise BridgeError(f"{frame.get('failureCode')}: {frame.get('message')}")
                return frame.get("body")
            if frame.get("type") == "err":
                raise BridgeError(str(frame.get("body")))
            self.pending.append(frame)

    def receive(self, timeout=30.0):
        """The next bridge frame (pending ones first)."""
        if self.pending:
            return self.pending.pop(0)
        self._sock.settimeout(timeout)
        return json.loads(self._read_message())

    def close(self):
        try:
            self._write_frame(0x8, struct.pack("!H", 1000))
        finally:
            self._sock.close()

    # --- WebSocket (RFC 6455), client side ---

    def _send_json(self, frame):
        self._write_frame(0x1, json.dumps(frame).encode())

    def _write_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self._sock.sendall(header + mask + masked)

    def _read_message(self):
        parts = []
        size = 0
        while True:
            fin, opcode, payload = self._read_frame()
            if opcode == 0x9:  # ping
                self._write_frame(0xA, payload)
            elif opcode == 0xA:  # pong
                pass
            elif opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                raise ConnectionError(f"closed by the server: {code} {payload[2:].decode(errors='replace')}")
            else:
                size += len(payload)
                if size > MAX_MESSAGE:
                    raise BridgeError("message too large")
                parts.append(payload)
                if fin:
                    return b"".join(parts).decode()

    def _read_frame(self):
        b1, b2 = self._read_exactly(2)
        n = b2 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read_exactly(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read_exactly(8))[0]
        if n > MAX_MESSAGE:
            raise BridgeError("frame too large")
        mask = self._read_exactly(4) if b2 & 0x80 else None
        payload = self._read_exactly(n)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return bool(b1 & 0x80), b1 & 0x0F, payload

    def _read_exactly(self, n):
        while len(self._buffer) < n:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self._buffer += chunk
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def _read_until(self, marker):
        while marker not in self._buffer:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed during the upgrade")
            self._buffer += chunk
            if len(self._buffer) > 65536:
                raise BridgeError("upgrade response too large")
        head, self._buffer = self._buffer.split(marker, 1)
        return head


def main():
    parser = argparse.ArgumentParser(description="Print an Azora user's notifications as they happen.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4000)
    parser.add_argument("--token", required=True, help="an access token")
    parser.add_argument("--user-id", required=True, help="the token's user id")
    args = parser.parse_args()
    bus = AzoraBus.connect(args.host, args.port, args.token)
    bus.register("azora.notifications." + args.user_id)
    backlog = bus.call("azora.tutoring", "notifications", {"unreadOnly": True, "limit": 20, "cursor": None})
    print(json.dumps({"unread": backlog.get("unread")}), flush=True)
    while True:
        print(json.dumps(bus.receive(timeout=None).get("body")), flush=True)


if __name__ == "__main__":
    main()
