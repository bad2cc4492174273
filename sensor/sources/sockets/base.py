"""What a socket snapshot is, independent of the OS that produced it."""

from __future__ import annotations

from dataclasses import dataclass

TCP_STATES: dict[int, str] = {
    0x01: "ESTABLISHED",
    0x02: "SYN_SENT",
    0x03: "SYN_RECV",
    0x04: "FIN_WAIT1",
    0x05: "FIN_WAIT2",
    0x06: "TIME_WAIT",
    0x07: "CLOSE",
    0x08: "CLOSE_WAIT",
    0x09: "LAST_ACK",
    0x0A: "LISTEN",
    0x0B: "CLOSING",
    0x0C: "NEW_SYN_RECV",
}


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
