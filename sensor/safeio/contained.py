"""Read files other users control without being tricked: containment, size caps, no hangs.

Every path is opened component by component relative to a base directory (``openat`` style, with
``O_NOFOLLOW``), so a symlink anywhere below the base is refused rather than followed: a state dir
with ``openclaw.json -> /etc/shadow`` yields ``SafeIOError(reason="symlink")``. Files are opened with
``O_NONBLOCK`` and checked with ``fstat`` before reading, so FIFOs, sockets and devices are refused
without blocking. Sizes are capped. Where the OS has no ``dir_fd`` support (Windows), each component
is checked with ``lstat`` before opening (weaker against races, same against planted symlinks).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
MAX_LIST_ENTRIES = 10_000

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
_HAS_DIR_FD = os.open in os.supports_dir_fd and _O_NOFOLLOW != 0


class SafeIOError(Exception):
    """A file could not be read safely. ``reason`` is one of REASONS."""

    REASONS = ("symlink", "too_large", "not_regular", "is_directory", "missing", "unreadable", "bad_path")

    def __init__(self, reason: str, path: Path, detail: str = "") -> None:
        super().__init__(f"{reason}: {path}{': ' + detail if detail else ''}")
        self.reason = reason
        self.path = path
        self.detail = detail


@dataclass(frozen=True, slots=True)
class FileData:
    path: Path
    data: bytes
    uid: int
    mode: int  # permission bits only
    size: int
    mtime: float


@dataclass(frozen=True, slots=True)
class EntryInfo:
    name: str
    path: Path
    kind: str  # "file" | "dir" | "symlink" | "other"
    uid: int
    mode: int
    size: int


def _parts(relative: str | PurePath) -> list[str]:
    rel = PurePath(relative)
    if rel.is_absolute() or rel.anchor:
        raise SafeIOError("bad_path", Path(rel), "absolute path where a relative one was expected")
    parts = [p for p in rel.parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise SafeIOError("bad_path", Path(rel), "'..' is not allowed")
    return parts


def _oserror(exc: OSError, path: Path) -> SafeIOError:
    if exc.errno in (errno.ELOOP, errno.EMLINK):
        return SafeIOError("symlink", path, "symbolic link not followed")
    if exc.errno == errno.ENOENT:
        return SafeIOError("missing", path)
    if exc.errno == errno.ENOTDIR:
        return SafeIOError("symlink" if os.path.islink(path) else "not_regular", path, "not a directory")
    if exc.errno == errno.EISDIR:
        return SafeIOError("is_directory", path)
    return SafeIOError("unreadable", path, exc.strerror or str(exc))


def _open_dir(base: Path, parts: list[str]) -> int:
    """An fd of base/parts... where no component below base is a symlink."""
    try:
        fd = os.open(base, os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC)
    except OSError as exc:
        raise _oserror(exc, base) from exc
    current = base
    for part in parts:
        current = current / part
        try:
            nxt = os.open(part, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC, dir_fd=fd)
        except OSError as exc:
            os.close(fd)
            raise _oserror(exc, current) from exc
        os.close(fd)
        fd = nxt
    return fd


def _check_components(base: Path, parts: list[str]) -> Path:
    """Fallback without dir_fd: refuse any symlink component below base."""
    current = base
    for part in parts:
        current = current / part
        try:
            st = os.lstat(current)
        except OSError as exc:
            raise _oserror(exc, current) from exc
        if stat.S_ISLNK(st.st_mode) or bool(getattr(st, "st_reparse_tag", 0)):
            raise SafeIOError("symlink", current, "symbolic link not followed")
    return current


def _open_file(base: Path, relative: str | PurePath) -> tuple[int, Path]:
    parts = _parts(relative)
    if not parts:
        raise SafeIOError("bad_path", base, "empty relative path")
    path = base.joinpath(*parts)
    flags = os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_NOCTTY | _O_CLOEXEC | _O_BINARY
    if _HAS_DIR_FD:
        dir_fd = _open_dir(base, parts[:-1])
        try:
            fd = os.open(parts[-1], flags, dir_fd=dir_fd)
        except OSError as exc:
            raise _oserror(exc, path) from exc
        finally:
            os.close(dir_fd)
    else:
        _check_components(base, parts)
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            raise _oserror(exc, path) from exc
    return fd, path


def read_file(base: Path, relative: str | PurePath, *, max_bytes: int = DEFAULT_MAX_BYTES) -> FileData:
    """Read ``base/relative`` (a regular file, no symlinks below base, at most ``max_bytes``)."""
    fd, path = _open_file(base, relative)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise SafeIOError("is_directory", path)
        if not stat.S_ISREG(st.st_mode):
            raise SafeIOError("not_regular", path, "FIFO, socket or device")
        if st.st_size > max_bytes:
            raise SafeIOError("too_large", path, f"{st.st_size} bytes > limit {max_bytes}")
        chunks: list[bytes] = []
        total = 0
        while True:
            try:
                chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            except OSError as exc:
                raise _oserror(exc, path) from exc
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise SafeIOError("too_large", path, f"grew past limit {max_bytes}")
        return FileData(path, b"".join(chunks), st.st_uid, stat.S_IMODE(st.st_mode), total, st.st_mtime)
    finally:
        os.close(fd)


def stat_entry(base: Path, relative: str | PurePath) -> EntryInfo:
    """lstat of ``base/relative`` with no symlink followed below base (the last part may be one)."""
    parts = _parts(relative)
    path = base.joinpath(*parts)
    if _HAS_DIR_FD and parts:
        dir_fd = _open_dir(base, parts[:-1])
        try:
            st = os.stat(parts[-1], dir_fd=dir_fd, follow_symlinks=False)
        except OSError as exc:
            raise _oserror(exc, path) from exc
        finally:
            os.close(dir_fd)
    else:
        _check_components(base, parts[:-1])
        try:
            st = os.lstat(path)
        except OSError as exc:
            raise _oserror(exc, path) from exc
    return _entry(path.name, path, st)


def _entry(name: str, path: Path, st: os.stat_result) -> EntryInfo:
    if stat.S_ISLNK(st.st_mode):
        kind = "symlink"
    elif stat.S_ISDIR(st.st_mode):
        kind = "dir"
    elif stat.S_ISREG(st.st_mode):
        kind = "file"
    else:
        kind = "other"
    return EntryInfo(name, path, kind, st.st_uid, stat.S_IMODE(st.st_mode), st.st_size)


def _first_names(fd: int, limit: int) -> list[str]:
    """Up to ``limit`` names, sorted; stops reading early so a directory with millions of entries
    costs no more than ``limit`` of them (scandir dups the fd itself)."""
    names: list[str] = []
    with os.scandir(fd) as it:
        for entry in it:
            names.append(entry.name)
            if len(names) >= limit:
                break
    return sorted(names)


def list_dir(base: Path, relative: str | PurePath = "", *, limit: int = MAX_LIST_ENTRIES) -> list[EntryInfo]:
    """Entries of ``base/relative`` (sorted by name, at most ``limit``); symlinks reported, not followed."""
    parts = _parts(relative)
    directory = base.joinpath(*parts)
    out: list[EntryInfo] = []
    if _HAS_DIR_FD:
        fd = _open_dir(base, parts)
        try:
            names = _first_names(fd, limit)
            for name in names:
                try:
                    st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                except OSError:
                    continue
                out.append(_entry(name, directory / name, st))
        except OSError as exc:
            raise _oserror(exc, directory) from exc
        finally:
            os.close(fd)
        return out
    _check_components(base, parts)
    try:
        names = sorted(os.listdir(directory))[:limit]
    except OSError as exc:
        raise _oserror(exc, directory) from exc
    for name in names:
        try:
            out.append(_entry(name, directory / name, os.lstat(directory / name)))
        except OSError:
            continue
    return out


def walk_files(
    base: Path, relative: str | PurePath = "", *, max_depth: int = 6, limit: int = 2000
) -> Iterator[tuple[PurePath, EntryInfo]]:
    """Regular files and symlinks under ``base/relative`` (relative path, info), bounded in depth and
    count; symlinked directories are not entered."""
    start = PurePath(*_parts(relative))
    stack: list[tuple[PurePath, int]] = [(start, 0)]
    seen = 0
    while stack:
        rel, depth = stack.pop()
        try:
            entries = list_dir(base, rel)
        except SafeIOError:
            continue
        for entry in entries:
            child = rel / entry.name
            if entry.kind == "dir":
                if depth + 1 <= max_depth:
                    stack.append((child, depth + 1))
                continue
            seen += 1
            if seen > limit:
                return
            yield child, entry


def is_symlink(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False
