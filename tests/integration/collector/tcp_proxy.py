"""A loopback TCP proxy the test controls: pass through, slow down, hold or swallow responses, reset.

Runs in a background thread (threads + blocking sockets: simple and fully deterministic per connection).
Upstreams are tried round-robin per new connection, so one proxy can also stand in for a load balancer
in front of several collector processes.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass


@dataclass
class ProxyFaults:
    delay_s: float = 0.0  # sleep before forwarding each chunk (both directions)
    chunk: int = 65536  # forward at most this many bytes at a time
    reset_every_nth_response: int = 0  # swallow the Nth upstream chunk and reset both sides (0: never)
    hold_response_s: float = 0.0  # wait this long before forwarding a response chunk


@dataclass
class ProxyCounters:
    connections: int = 0
    responses: int = 0
    resets: int = 0
    requests_forwarded: int = 0


def _rst(sock: socket.socket) -> None:
    """Abort the connection with a TCP RST. SHUT_RD first wakes a thread blocked in recv() on it (a
    plain close() would not, and the RST would wait for that recv to return)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class TcpProxy:
    def __init__(self, upstreams: list[tuple[str, int]]) -> None:
        self.upstreams = list(upstreams)
        self.faults = ProxyFaults()
        self.counters = ProxyCounters()
        self.response_held = threading.Event()  # set while a response from upstream is being held back
        self.request_forwarded = threading.Event()  # set when request bytes reached the upstream
        self._lock = threading.Lock()
        self._rr = 0
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port: int = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset_all(self) -> None:
        with self._lock:
            socks = list(self._open)
            self._open.clear()
        for s in socks:
            _rst(s)

    def close(self) -> None:
        self._stopping.set()
        try:
            self._listener.close()
        except OSError:
            pass
        self.reset_all()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                target = self.upstreams[self._rr % len(self.upstreams)]
                self._rr += 1
                self.counters.connections += 1
            try:
                upstream = socket.create_connection(target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _rst(client)
                continue
            with self._lock:
                self._open.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, is_response: bool) -> None:
        try:
            while True:
                faults = self.faults
                data = src.recv(faults.chunk)
                if not data:
                    break
                if is_response:
                    with self._lock:
                        self.counters.responses += 1
                        nth = self.counters.responses
                    if faults.reset_every_nth_response and nth % faults.reset_every_nth_response == 0:
                        with self._lock:
                            self.counters.resets += 1
                        _rst(dst)
                        _rst(src)
                        return
                    if faults.hold_response_s:
                        self.response_held.set()
                        time.sleep(faults.hold_response_s)
                        self.response_held.clear()
                else:
                    with self._lock:
                        self.counters.requests_forwarded += 1
                if faults.delay_s:
                    time.sleep(faults.delay_s)
                dst.sendall(data)
                if not is_response:
                    self.request_forwarded.set()
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            if is_response:  # the response pump ends last in a normal close: release both sockets
                with self._lock:
                    self._open.discard(src)
                    self._open.discard(dst)
                src.close()
                dst.close()
