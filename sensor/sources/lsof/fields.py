"""Parse ``lsof -F`` output into ``SocketEntry`` rows.

Field output (lsof(8), "OUTPUT FOR OTHER PROGRAMS"): every field is one line (or, with ``-F0``, ends
with a NUL and each process/file set ends with a newline) whose first character names it. The sensor
asks for ``pcuRftPnT``:

    p  PID (starts a process set)        f  file descriptor (starts a file set)
    c  command name                      t  type: IPv4, IPv6, ...
    u  user ID                           P  protocol: TCP, UDP
    R  parent PID                        n  name: 127.0.0.1:18789, [::1]:80, *:5353, a:1->b:2
                                         T  TCP/TPI info, repeated: ST=LISTEN, QR=0, QS=0

Anything else (other file types, unknown tags, names that are not addresses) is counted and skipped;
the input is bounded. ``lsof -n -P`` keeps names numeric, which is what this expects.
"""

from __future__ import annotations

import ipaddress
import socket
from collections import Counter
from dataclasses import dataclass, field

from sensor.sources.sockets.base import SocketEntry

MAX_ENTRIES = 100_000
MAX_FIELD_BYTES = 4096
_PROTOCOLS = {"TCP": "tcp", "UDP": "udp"}
_FAMILIES = {"IPv4": socket.AF_INET, "IPv6": socket.AF_INET6}


@dataclass
class LsofSockets:
    entries: list[SocketEntry]
    counters: Counter[str] = field(default_factory=Counter)
    commands: dict[int, str] = field(default_factory=dict)  # pid -> command name (as lsof shows it)
    parents: dict[int, int] = field(default_factory=dict)  # pid -> parent pid


@dataclass
class _File:
    fd: str
    type: str = ""
    protocol: str = ""
    name: str = ""
    state: str = ""


def _fields(data: bytes) -> list[str]:
    """The fields in order, NUL- or newline-terminated."""
    if b"\0" in data:
        raw = [part.lstrip(b"\n") for part in data.split(b"\0")]
    else:
        raw = data.split(b"\n")
    return [part.decode("utf-8", "replace") for part in raw if part]


def _address(text: str, family: int) -> tuple[str, int, int] | None:
    """'127.0.0.1:80' | '[::1]:80' | '*:5353' -> (ip, port, family); None if not an address."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit() or int(port_text) > 65535:
        return None
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "*":
        return ("::" if family == socket.AF_INET6 else "0.0.0.0", int(port_text), family)  # noqa: S104
    host = host.split("%", 1)[0]  # fe80::1%en0
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return (str(ip.ipv4_mapped), int(port_text), socket.AF_INET6)
    return (str(ip), int(port_text), socket.AF_INET6 if ip.version == 6 else socket.AF_INET)


def _entry(f: _File, pid: int | None, uid: int | None, counters: Counter[str]) -> SocketEntry | None:
    protocol = _PROTOCOLS.get(f.protocol.upper())
    family = _FAMILIES.get(f.type)
    if protocol is None or family is None:
        counters["skipped_not_inet"] += 1
        return None
    local_text, arrow, remote_text = f.name.partition("->")
    local = _address(local_text, family)
    remote = _address(remote_text, family) if arrow else None
    if local is None or (arrow and remote is None):
        counters["skipped_bad_name"] += 1
        return None
    if protocol == "tcp":
        state = f.state or "UNKNOWN"
    else:
        state = "NONE"  # psutil's name for a UDP socket (lsof gives UDP no state)
    return SocketEntry(protocol=protocol, family=local[2], local_ip=local[0], local_port=local[1],
                       remote_ip=remote[0] if remote else None, remote_port=remote[1] if remote else None,
                       state=state, pid=pid, uid=uid, inode=None)


def parse(data: bytes) -> LsofSockets:
    """Every TCP/UDP socket in ``data`` (lsof field output), with its owner."""
    out = LsofSockets([])
    pid: int | None = None
    uid: int | None = None
    current: _File | None = None

    def flush() -> None:
        if current is None:
            return
        if len(out.entries) >= MAX_ENTRIES:
            out.counters["entries_over_limit"] += 1
            return
        entry = _entry(current, pid, uid, out.counters)
        if entry is not None:
            out.entries.append(entry)

    for item in _fields(data):
        tag, value = item[0], item[1:MAX_FIELD_BYTES]
        if tag == "p":
            flush()
            current = None
            pid = int(value) if value.isdigit() else None
            uid = None
            if pid is None:
                out.counters["bad_pid"] += 1
        elif tag == "f":
            flush()
            current = _File(value)
        elif tag == "c" and pid is not None:
            out.commands[pid] = value
        elif tag == "u":
            uid = int(value) if value.isdigit() else None
        elif tag == "R" and pid is not None and value.isdigit():
            out.parents[pid] = int(value)
        elif current is None:
            out.counters["field_outside_file"] += 1
        elif tag == "t":
            current.type = value
        elif tag == "P":
            current.protocol = value
        elif tag == "n":
            current.name = value
        elif tag == "T":
            key, _, val = value.partition("=")
            if key == "ST":
                current.state = val
        else:
            out.counters[f"unknown_field.{tag}" if tag.isprintable() else "unknown_field"] += 1
    flush()
    return out
