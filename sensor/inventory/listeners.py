"""Listening sockets owned by an install's processes (snapshot API of ``sensor.sources.sockets``)."""

from __future__ import annotations

from sensor.openclaw.exposure import is_loopback
from sensor.schema.inventory import Listener
from sensor.sources.sockets import SocketEntry, list_sockets


def snapshot() -> list[SocketEntry]:
    try:
        return list_sockets()
    except OSError:
        return []


def listeners_for(pids: set[int], sockets: list[SocketEntry]) -> list[Listener]:
    seen: set[tuple[str, int, str]] = set()
    out: list[Listener] = []
    for entry in sockets:
        if entry.pid not in pids or not entry.is_listener or entry.protocol not in ("tcp", "udp"):
            continue
        key = (entry.local_ip, entry.local_port, entry.protocol)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Listener(
                address=entry.local_ip,
                port=entry.local_port,
                protocol=entry.protocol,  # type: ignore[arg-type]
                pid=entry.pid,
                exposed=not is_loopback(entry.local_ip),
            )
        )
    return sorted(out, key=lambda li: (li.protocol, li.port, li.address))
