"""Free TCP ports for test servers (never assume 18789 is free: other gateways run concurrently)."""

from __future__ import annotations

import random
import socket

# Below the Linux ephemeral range (32768-60999) so outgoing connections do not take our ports.
_LOW, _HIGH = 20000, 32000


def _bindable(port: int) -> bool:
    for host in ("0.0.0.0", "127.0.0.1"):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                return False
    return True


def free_port_block(width: int = 1, attempts: int = 500) -> int:
    """A port P such that P .. P+width-1 are all free on 0.0.0.0 and 127.0.0.1 right now.

    OpenClaw derives sibling ports from the gateway port (browser control = P+2, relay = P+3),
    so gateways get a block of 4.
    """
    rng = random.SystemRandom()
    for _ in range(attempts):
        port = rng.randrange(_LOW, _HIGH - width)
        if all(_bindable(port + i) for i in range(width)):
            return port
    raise RuntimeError(f"no block of {width} free ports found in {_LOW}-{_HIGH}")
