"""Linux processes: /proc reader and the netlink proc connector exec trigger."""

from __future__ import annotations

import errno
import logging
import os
import socket
import struct
import threading
import time
from collections.abc import Callable

from sensor.sources.processes.base import ExecCallback, ProcessInfo

log = logging.getLogger(__name__)

PROC = "/proc"
MAX_CMDLINE = 64 * 1024
MAX_ENVIRON = 256 * 1024
AGENT_ENV_PREFIXES = (b"OPENCLAW_", b"CLAWDBOT_", b"MOLTBOT_")
KTHREAD_PARENTS = (0, 2)  # kernel threads (children of kthreadd) have no command line
EXEC_SETTLE_S = 0.002


def _read_bytes(path: str, limit: int) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(limit)
    except OSError:
        return None


def _readlink(path: str) -> str | None:
    try:
        target = os.readlink(path)
    except OSError:
        return None
    return target[: -len(" (deleted)")] if target.endswith(" (deleted)") else target


def split_cmdline(raw: bytes) -> tuple[str, ...]:
    parts = raw.split(b"\0")
    if parts and parts[-1] == b"":
        parts.pop()
    return tuple(p.decode("utf-8", "replace") for p in parts)


def parse_stat(raw: bytes) -> tuple[str, int, int] | None:
    """(comm, ppid, starttime) from /proc/<pid>/stat; comm may contain spaces and parentheses."""
    parsed = parse_stat_state(raw)
    return None if parsed is None else parsed[:3]


def parse_stat_state(raw: bytes) -> tuple[str, int, int, str] | None:
    """(comm, ppid, starttime, state letter) from /proc/<pid>/stat."""
    try:
        lpar, rpar = raw.index(b"("), raw.rindex(b")")
        comm = raw[lpar + 1 : rpar].decode("utf-8", "replace")
        rest = raw[rpar + 2 :].split()
        return comm, int(rest[1]), int(rest[19]), rest[0].decode("ascii", "replace")
    except (ValueError, IndexError):
        return None


def env_marker_names(raw: bytes) -> tuple[str, ...]:
    """Names of OpenClaw env keys in an environ block; values are never kept."""
    names = []
    for item in raw.split(b"\0"):
        if item.startswith(AGENT_ENV_PREFIXES) and b"=" in item:
            names.append(item.split(b"=", 1)[0].decode("ascii", "replace"))
    return tuple(sorted(set(names)))


class ProcReader:
    """Reads processes from /proc (root sees all; an ordinary user sees less: exe/cwd unreadable)."""

    def __init__(self, proc: str = PROC) -> None:
        self.proc = proc

    def pids(self) -> set[int]:
        try:
            return {int(n) for n in os.listdir(self.proc) if n.isdigit()}
        except OSError:
            return set()

    def read(self, pid: int) -> ProcessInfo | None:
        base = f"{self.proc}/{pid}"
        stat_raw = _read_bytes(f"{base}/stat", 4096)
        if not stat_raw and os.path.exists(base):
            time.sleep(EXEC_SETTLE_S)  # caught in the middle of execve: look again once
            stat_raw = _read_bytes(f"{base}/stat", 4096)
        stat = parse_stat_state(stat_raw) if stat_raw else None
        if stat is None:
            return None
        comm, ppid, start, state = stat
        cmd_raw = _read_bytes(f"{base}/cmdline", MAX_CMDLINE) or b""
        if not cmd_raw and state != "Z" and ppid not in KTHREAD_PARENTS and pid not in KTHREAD_PARENTS:
            # read in the middle of execve (arguments not mapped yet): look again once
            time.sleep(EXEC_SETTLE_S)
            cmd_raw = _read_bytes(f"{base}/cmdline", MAX_CMDLINE) or b""
        env_raw = _read_bytes(f"{base}/environ", MAX_ENVIRON) or b""
        try:
            uid: int | None = os.stat(base).st_uid
        except OSError:
            uid = None
        return ProcessInfo(
            pid=pid,
            ppid=ppid or None,
            name=comm,
            exe=_readlink(f"{base}/exe"),
            cmdline=split_cmdline(cmd_raw),
            cwd=_readlink(f"{base}/cwd"),
            uid=uid,
            start_ticks=start,
            env_markers=env_marker_names(env_raw),
        )

    def current_cmdline(self, pid: int) -> tuple[str, ...] | None:
        raw = _read_bytes(f"{self.proc}/{pid}/cmdline", MAX_CMDLINE)
        return split_cmdline(raw) if raw is not None else None


# netlink proc connector (linux/cn_proc.h, linux/connector.h)
NETLINK_CONNECTOR = 11
CN_IDX_PROC = 1
CN_VAL_PROC = 1
PROC_CN_MCAST_LISTEN = 1
PROC_CN_MCAST_IGNORE = 2
NLMSG_DONE = 3
PROC_EVENT_FORK = 0x1
PROC_EVENT_EXEC = 0x2
PROC_EVENT_EXIT = 0x80000000
NLMSG_HDR = struct.Struct("=IHHII")
CN_MSG = struct.Struct("=IIIIHH")
EVENT_HEAD = struct.Struct("=IIQ")
EVENT_BODY_AT = NLMSG_HDR.size + CN_MSG.size + EVENT_HEAD.size
RECV_BUFFER = 4 * 1024 * 1024


def _control_message(op: int) -> bytes:
    payload = CN_MSG.pack(CN_IDX_PROC, CN_VAL_PROC, 0, 0, 4, 0) + struct.pack("=I", op)
    return NLMSG_HDR.pack(NLMSG_HDR.size + len(payload), NLMSG_DONE, 0, 0, os.getpid()) + payload


class NetlinkExecTrigger:
    """Exec/fork/exit notifications from the kernel's proc connector; needs CAP_NET_ADMIN.

    Raises OSError from ``open()`` when unavailable; the caller falls back to polling alone.
    A receive-buffer overflow (ENOBUFS) is reported through ``on_overflow`` and reading goes on.
    """

    def __init__(self) -> None:
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def open(self) -> None:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_CONNECTOR)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECV_BUFFER)
            sock.bind((0, CN_IDX_PROC))
            sock.send(_control_message(PROC_CN_MCAST_LISTEN))
        except OSError:
            sock.close()
            raise
        sock.settimeout(1.0)
        self._sock = sock

    def start(self, on_exec: ExecCallback, on_fork: Callable[[int, int], None],
              on_exit: Callable[[int], None], on_overflow: Callable[[], None]) -> None:
        if self._sock is None:
            self.open()
        self._thread = threading.Thread(
            target=self._run, args=(on_exec, on_fork, on_exit, on_overflow),
            name="netlink-proc", daemon=True)
        self._thread.start()

    def _run(self, on_exec: ExecCallback, on_fork: Callable[[int, int], None],
             on_exit: Callable[[int], None], on_overflow: Callable[[], None]) -> None:
        sock = self._sock
        assert sock is not None
        while not self._stop.is_set():
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError as exc:
                if exc.errno == errno.ENOBUFS:
                    on_overflow()
                    continue
                if self._stop.is_set():
                    return
                log.warning("netlink proc connector read failed: %s", exc)
                on_overflow()
                continue
            self._dispatch(data, on_exec, on_fork, on_exit)

    @staticmethod
    def _dispatch(data: bytes, on_exec: ExecCallback, on_fork: Callable[[int, int], None],
                  on_exit: Callable[[int], None]) -> None:
        offset = 0
        while offset + EVENT_BODY_AT + 8 <= len(data):
            msg_len = NLMSG_HDR.unpack_from(data, offset)[0]
            if msg_len < EVENT_BODY_AT + 8:
                return
            what = EVENT_HEAD.unpack_from(data, offset + NLMSG_HDR.size + CN_MSG.size)[0]
            body = offset + EVENT_BODY_AT
            if what == PROC_EVENT_EXEC:
                _pid, tgid = struct.unpack_from("=II", data, body)
                on_exec(tgid, None, "netlink")
            elif what == PROC_EVENT_FORK and msg_len >= EVENT_BODY_AT + 16:
                _ppid, ptgid, cpid, ctgid = struct.unpack_from("=IIII", data, body)
                if cpid == ctgid:  # a new process, not a thread
                    on_fork(ctgid, ptgid)
            elif what == PROC_EVENT_EXIT:
                pid, tgid = struct.unpack_from("=II", data, body)
                if pid == tgid:
                    on_exit(tgid)
            offset += (msg_len + 3) & ~3

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            try:
                self._sock.send(_control_message(PROC_CN_MCAST_IGNORE))
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def make_reader() -> ProcReader:
    return ProcReader()


def make_trigger() -> NetlinkExecTrigger | None:
    """The exec trigger, or None with the reason logged when the kernel refuses (not root)."""
    trigger = NetlinkExecTrigger()
    try:
        trigger.open()
    except OSError as exc:
        log.warning("netlink proc connector unavailable (%s): processes seen by polling only", exc)
        return None
    return trigger
