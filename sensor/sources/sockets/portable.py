"""Sockets through psutil, for the OSes without a /proc reader of our own (macOS, Windows)."""

from __future__ import annotations

import socket

import psutil

from sensor.sources.sockets.base import SocketEntry


def _owner_uid(pid: int | None) -> int | None:
    if pid is None:
        return None
    try:
        uids = psutil.Process(pid).uids()  # type: ignore[attr-defined,unused-ignore]
    except (psutil.Error, AttributeError):
        return None
    return int(uids.real)


def _plain(ip: str) -> str:
    return ip[7:] if ip.startswith("::ffff:") and "." in ip else ip


def list_sockets() -> list[SocketEntry]:
    entries: list[SocketEntry] = []
    try:
        conns = psutil.net_connections(kind="inet")
    except (psutil.AccessDenied, OSError):
        return entries
    for c in conns:
        protocol = "tcp" if c.type == socket.SOCK_STREAM else "udp"
        remote = c.raddr if c.raddr else None
        entries.append(SocketEntry(
            protocol=protocol,
            family=int(c.family),
            local_ip=_plain(c.laddr.ip) if c.laddr else "",
            local_port=c.laddr.port if c.laddr else 0,
            remote_ip=_plain(remote.ip) if remote else None,
            remote_port=remote.port if remote else None,
            state=c.status if c.status != psutil.CONN_NONE else "NONE",
            pid=c.pid,
            uid=_owner_uid(c.pid),
            inode=None,
        ))
    return entries


class PortableTable:
    """psutil reports owners with every entry, so the lookups are empty."""

    def read(self, outbound: bool = True) -> list[SocketEntry]:
        return list_sockets()

    def owners(self, inodes: set[int]) -> dict[int, int]:
        return {}

    def inodes_of(self, pids: set[int]) -> dict[int, int]:
        return {}


def make_table() -> PortableTable:
    return PortableTable()
