"""What a socket snapshot is, independent of the OS that produced it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SocketEntry:
    """One TCP or UDP socket of the host at the moment of the snapshot.

    ``local_ip``/``remote_ip`` are text addresses; an IPv4-mapped IPv6 address (``::ffff:a.b.c.d``)
    is given as the plain IPv4 text while ``family`` stays ``AF_INET6``. ``remote_ip`` and
    ``remote_port`` are ``None`` for sockets without a peer (listeners, unconnected UDP).
    ``state`` is the TCP state name (``LISTEN``, ``ESTABLISHED``, ...); UDP sockets without a peer
    are ``NONE`` (psutil's naming). ``pid`` is the owning process when it could be resolved.
    """

    protocol: str
    family: int
    local_ip: str
    local_port: int
    remote_ip: str | None
    remote_port: int | None
    state: str
    pid: int | None
    uid: int | None
    inode: int | None

    @property
    def is_listener(self) -> bool:
        """A TCP socket in LISTEN, or a bound UDP socket without a peer."""
        if self.protocol == "tcp":
            return self.state == "LISTEN"
        return self.remote_ip is None and self.local_port != 0
