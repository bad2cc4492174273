"""fanotify (Linux, root) through ctypes: FAN_OPEN notifications carry the reader's PID.

Directories are marked with ``FAN_EVENT_ON_CHILD`` so files created after the mark are covered.
Class ``FAN_CLASS_NOTIF`` (no permission events: the sensor never blocks a read). The kernel queue
is bounded (16384 events); an overflow arrives as ``FAN_Q_OVERFLOW`` and is counted, never fatal.
Only ``FAN_OPEN`` is requested: the open is the access; ``FAN_CLOSE_NOWRITE`` would only double
the events without saying more about who read what.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import select
import struct
import threading
from collections.abc import Callable
from pathlib import Path

from sensor.sources.files.base import OnOpen

log = logging.getLogger(__name__)

FAN_CLOEXEC = 0x1
FAN_NONBLOCK = 0x2
FAN_CLASS_NOTIF = 0x0
FAN_MARK_ADD = 0x1
FAN_MARK_DONT_FOLLOW = 0x4
FAN_MARK_ONLYDIR = 0x8
FAN_OPEN = 0x20
FAN_CLOSE_NOWRITE = 0x10
FAN_Q_OVERFLOW = 0x4000
FAN_EVENT_ON_CHILD = 0x08000000
FAN_NOFD = -1
AT_FDCWD = -100
METADATA = struct.Struct("=IBBHQii")
READ_SIZE = 256 * METADATA.size


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.fanotify_init.argtypes = [ctypes.c_uint, ctypes.c_uint]
    libc.fanotify_init.restype = ctypes.c_int
    libc.fanotify_mark.argtypes = [
        ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int, ctypes.c_char_p]
    libc.fanotify_mark.restype = ctypes.c_int
    return libc


def parse_events(data: bytes) -> list[tuple[int, int, int]]:
    """(mask, fd, pid) for each event in a read buffer."""
    out = []
    offset = 0
    while offset + METADATA.size <= len(data):
        event_len, _vers, _res, _mlen, mask, fd, pid = METADATA.unpack_from(data, offset)
        if event_len < METADATA.size:
            break
        out.append((mask, fd, pid))
        offset += event_len
    return out


class FanotifyBackend:
    name = "fanotify"
    exact_pid = True

    def __init__(self) -> None:
        self._libc = _libc()
        fd = self._libc.fanotify_init(FAN_CLOEXEC | FAN_NONBLOCK | FAN_CLASS_NOTIF,
                                      os.O_RDONLY | os.O_LARGEFILE | os.O_CLOEXEC)
        if fd < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"fanotify_init: {os.strerror(err)}")
        self._fd = fd
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._own_pid = os.getpid()
        self.marked: set[Path] = set()

    def watch(self, directory: Path) -> bool:
        if directory in self.marked:
            return True
        flags = FAN_MARK_ADD | FAN_MARK_DONT_FOLLOW | FAN_MARK_ONLYDIR
        rc = self._libc.fanotify_mark(self._fd, flags, FAN_OPEN | FAN_EVENT_ON_CHILD, AT_FDCWD,
                                      os.fsencode(directory))
        if rc < 0:
            err = ctypes.get_errno()
            log.debug("fanotify_mark %s failed: %s", directory, os.strerror(err))
            return False
        self.marked.add(directory)
        return True

    def start(self, on_open: OnOpen, on_overflow: Callable[[], None]) -> None:
        self._thread = threading.Thread(target=self._run, args=(on_open, on_overflow),
                                        name="fanotify", daemon=True)
        self._thread.start()

    def _run(self, on_open: OnOpen, on_overflow: Callable[[], None]) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        while not self._stop.is_set():
            if not poller.poll(1000):
                continue
            try:
                data = os.read(self._fd, READ_SIZE)
            except BlockingIOError:
                continue
            except OSError as exc:
                if self._stop.is_set():
                    return
                log.warning("fanotify read failed: %s", exc)
                continue
            for mask, fd, pid in parse_events(data):
                self._handle(mask, fd, pid, on_open, on_overflow)

    def _handle(self, mask: int, fd: int, pid: int, on_open: OnOpen, on_overflow: Callable[[], None]) -> None:
        if mask & FAN_Q_OVERFLOW:
            on_overflow()
        if fd == FAN_NOFD or fd < 0:
            return
        try:
            path = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            path = None
        finally:
            os.close(fd)
        if path is None or pid == self._own_pid:
            return
        try:
            on_open(path, pid)
        except Exception:
            log.exception("file-open handler failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        try:
            os.close(self._fd)
        except OSError:
            pass
