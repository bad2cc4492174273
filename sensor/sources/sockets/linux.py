"""Linux sockets from /proc/net/{tcp,tcp6,udp,udp6} and the /proc/<pid>/fd inode map (no ss/lsof)."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import struct
from collections.abc import Iterable, Iterator

from sensor.sources.sockets.base import TCP_STATES, SocketEntry
from sensor.sources.sockets.sock_diag import SockDiag, SockDiagUnavailable

log = logging.getLogger(__name__)

PROC = "/proc"
MAX_TABLE_BYTES = 64 * 1024 * 1024  # a host with a million sockets is still readable; beyond, truncate


TABLES: tuple[tuple[str, str, int], ...] = (
    ("tcp", "tcp", socket.AF_INET),
    ("tcp6", "tcp", socket.AF_INET6),
    ("udp", "udp", socket.AF_INET),
    ("udp6", "udp", socket.AF_INET6),
)


def decode_address(hex_addr: str, family: int) -> str:
    """Turn the kernel's hex address (32-bit words in host byte order) into text."""
    words = [int(hex_addr[i : i + 8], 16) for i in range(0, len(hex_addr), 8)]
    raw = b"".join(struct.pack("=I", w) for w in words)
    if family == socket.AF_INET:
        return socket.inet_ntop(socket.AF_INET, raw)
    addr = ipaddress.IPv6Address(raw)
    mapped = addr.ipv4_mapped
    return str(mapped) if mapped is not None else str(addr)


def _decode_endpoint(field: str, family: int) -> tuple[str, int]:
    hex_addr, hex_port = field.split(":")
    return decode_address(hex_addr, family), int(hex_port, 16)


def parse_table(text: str, protocol: str, family: int) -> Iterator[SocketEntry]:
    """Parse one /proc/net table; malformed lines are skipped, never raised."""
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        try:
            local_ip, local_port = _decode_endpoint(fields[1], family)
            remote_ip, remote_port = _decode_endpoint(fields[2], family)
            state_code = int(fields[3], 16)
            uid = int(fields[7])
            inode = int(fields[9])
        except (ValueError, struct.error):
            continue
        has_peer = remote_port != 0
        if protocol == "tcp":
            state = TCP_STATES.get(state_code, f"UNKNOWN_{state_code:02X}")
        else:
            state = "ESTABLISHED" if state_code == 0x01 and has_peer else "NONE"
        yield SocketEntry(
            protocol=protocol,
            family=family,
            local_ip=local_ip,
            local_port=local_port,
            remote_ip=remote_ip if has_peer else None,
            remote_port=remote_port if has_peer else None,
            state=state,
            pid=None,
            uid=uid,
            inode=inode or None,
        )


def _read_table(name: str, proc: str) -> str:
    try:
        with open(os.path.join(proc, "net", name), "rb") as fh:
            return fh.read(MAX_TABLE_BYTES).decode("ascii", "replace")
    except OSError:
        return ""


def read_sockets(proc: str = PROC) -> list[SocketEntry]:
    """All sockets of the host's (this process's) network namespace, without owners."""
    entries: list[SocketEntry] = []
    for name, protocol, family in TABLES:
        entries.extend(parse_table(_read_table(name, proc), protocol, family))
    return entries


def _all_pids(proc: str) -> Iterator[int]:
    try:
        names = os.listdir(proc)
    except OSError:
        return
    for name in names:
        if name.isdigit():
            yield int(name)


def socket_inodes_of(pid: int, proc: str = PROC) -> set[int]:
    """Socket inodes held open by one process (empty when it is gone or not readable)."""
    fd_dir = f"{proc}/{pid}/fd"
    inodes: set[int] = set()
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            try:
                inodes.add(int(target[8:-1]))
            except ValueError:
                continue
    return inodes


def inode_owners(wanted: set[int] | None = None, pids: Iterable[int] | None = None,
                 proc: str = PROC) -> dict[int, int]:
    """Map socket inode -> owning pid by walking /proc/<pid>/fd.

    ``wanted`` stops the walk once every wanted inode is found; ``pids`` limits the walk.
    A socket shared by several processes is given to the first one found.
    """
    owners: dict[int, int] = {}
    for pid in pids if pids is not None else _all_pids(proc):
        for inode in socket_inodes_of(pid, proc):
            if wanted is None or inode in wanted:
                owners.setdefault(inode, pid)
        if wanted is not None and wanted.issubset(owners):
            break
    return owners


def with_owners(entries: list[SocketEntry], owners: dict[int, int]) -> list[SocketEntry]:
    out = []
    for e in entries:
        pid = owners.get(e.inode) if e.inode is not None else None
        out.append(e if pid is None else _replace_pid(e, pid))
    return out


def _replace_pid(e: SocketEntry, pid: int) -> SocketEntry:
    return SocketEntry(e.protocol, e.family, e.local_ip, e.local_port, e.remote_ip, e.remote_port,
                       e.state, pid, e.uid, e.inode)


def list_sockets() -> list[SocketEntry]:
    entries = read_sockets()
    wanted = {e.inode for e in entries if e.inode is not None}
    return with_owners(entries, inode_owners(wanted) if wanted else {})


class LinuxTable:
    """What the socket watcher needs: sock_diag (state-filtered in the kernel) when the kernel
    allows it, else the /proc/net tables; owners from /proc/<pid>/fd."""

    def __init__(self, proc: str = PROC, use_sock_diag: bool = True) -> None:
        self.proc = proc
        self._diag: SockDiag | None = None
        if use_sock_diag:
            try:
                self._diag = SockDiag()
                self._diag.listeners_and(False)
            except (SockDiagUnavailable, OSError) as exc:
                log.info("sock_diag unavailable (%s): reading /proc/net tables", exc)
                self._diag = None

    def read(self, outbound: bool = True) -> list[SocketEntry]:
        if self._diag is not None:
            try:
                return self._diag.listeners_and(outbound)
            except OSError as exc:
                log.warning("sock_diag failed (%s): reading /proc/net tables from now on", exc)
                self._diag = None
        return read_sockets(self.proc)

    def owners(self, inodes: set[int]) -> dict[int, int]:
        return inode_owners(inodes, proc=self.proc)

    def inodes_of(self, pids: set[int]) -> dict[int, int]:
        return inode_owners(None, pids=sorted(pids), proc=self.proc)


def make_table() -> LinuxTable:
    return LinuxTable()
