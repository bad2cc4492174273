"""Real loopback receivers for the forwarder tests: syslog over TCP/TLS and a Splunk HEC endpoint.

Each binds 127.0.0.1 on a free port, can be stopped (closing live connections) and started again on the
same port, and records what it received.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def make_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1/localhost made with the openssl CLI."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def parse_octet_counted(buffer: bytearray) -> list[bytes]:
    """Pops every complete ``LEN SP MSG`` frame off the front of the buffer."""
    frames: list[bytes] = []
    while True:
        space = buffer.find(b" ")
        if space <= 0:
            return frames
        length = int(buffer[:space])
        end = space + 1 + length
        if len(buffer) < end:
            return frames
        frames.append(bytes(buffer[space + 1:end]))
        del buffer[:end]


class SyslogReceiver:
    def __init__(self, port: int | None = None, tls: tuple[Path, Path] | None = None) -> None:
        self.port = port or free_port()
        self.tls = tls
        self.messages: list[bytes] = []
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._running = False

    def start(self) -> SyslogReceiver:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        server.settimeout(0.2)
        self._server = server
        self._running = True
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        thread.start()
        self._threads = [thread]
        return self

    def _accept_loop(self) -> None:
        context = None
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
        while self._running:
            assert self._server is not None
            try:
                conn, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            if context is not None:
                try:
                    conn.settimeout(5)
                    conn = context.wrap_socket(conn, server_side=True)
                except (OSError, ssl.SSLError):
                    conn.close()
                    continue
            conn.settimeout(0.2)
            self._conns.append(conn)
            threading.Thread(target=self._read_loop, args=(conn,), daemon=True).start()

    def _read_loop(self, conn: socket.socket) -> None:
        buffer = bytearray()
        while self._running:
            try:
                data = conn.recv(65536)
            except (TimeoutError, ssl.SSLWantReadError):
                continue
            except OSError:
                return
            if not data:
                return
            buffer.extend(data)
            frames = parse_octet_counted(buffer)
            if frames:
                with self._lock:
                    self.messages.extend(frames)

    def stop(self) -> None:
        self._running = False
        for thread in self._threads:
            thread.join(2)
        for conn in self._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        self._conns = []
        if self._server is not None:
            self._server.close()
            self._server = None

    def received(self) -> list[bytes]:
        with self._lock:
            return list(self.messages)


class HecReceiver:
    """Speaks the Splunk HEC protocol: token auth, event endpoint, channels and indexer acknowledgement.

    ``withhold_acks`` makes the first N ackIds never report indexed (so the sender must resend).
    """

    def __init__(self, token: str, port: int | None = None, require_channel: bool = True) -> None:
        self.token = token
        self.port = port or free_port()
        self.require_channel = require_channel
        self.events: list[dict[str, Any]] = []
        self.requests = 0
        self.withhold_acks = 0
        self.reject_next_with: int | None = None
        self._lock = threading.Lock()
        self._next_ack = 0
        self._indexed: set[int] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> HecReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.requests += 1
                if self.headers.get("Authorization") != f"Splunk {receiver.token}":
                    self._reply(401, {"text": "Invalid authorization", "code": 3})
                    return
                channel = self.headers.get("X-Splunk-Request-Channel")
                if receiver.require_channel and not channel:
                    self._reply(400, {"text": "Data channel is missing", "code": 10})
                    return
                path = self.path.split("?", 1)[0]
                if path == "/services/collector/event":
                    self._event(body)
                elif path == "/services/collector/ack":
                    acks = json.loads(body)["acks"]
                    with receiver._lock:
                        self._reply(200, {"acks": {str(a): a in receiver._indexed for a in acks}})
                else:
                    self._reply(404, {"text": "The requested URL was not found on this server.", "code": 404})

            def _event(self, body: bytes) -> None:
                if receiver.reject_next_with is not None:
                    status, receiver.reject_next_with = receiver.reject_next_with, None
                    self._reply(status, {"text": "Invalid data format", "code": 6})
                    return
                decoder = json.JSONDecoder()
                text = body.decode()
                position, events = 0, []
                while position < len(text):
                    while position < len(text) and text[position].isspace():
                        position += 1
                    if position >= len(text):
                        break
                    obj, position = decoder.raw_decode(text, position)
                    if "event" not in obj:
                        self._reply(400, {"text": "Event field is required", "code": 12})
                        return
                    events.append(obj)
                with receiver._lock:
                    receiver.events.extend(events)
                    ack_id = receiver._next_ack
                    receiver._next_ack += 1
                    if receiver.withhold_acks > 0:
                        receiver.withhold_acks -= 1
                    else:
                        receiver._indexed.add(ack_id)
                self._reply(200, {"text": "Success", "code": 0, "ackId": ack_id})

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None
