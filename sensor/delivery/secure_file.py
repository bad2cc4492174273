"""Small private files (host id, credential): written atomically with mode 0600, read with a size cap."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

MAX_PRIVATE_FILE = 64 * 1024


def write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_private(path: Path) -> bytes | None:
    """The file's bytes, or None if absent, not a regular file (symlinks are refused) or too large."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not _is_regular(st.st_mode) or st.st_size > MAX_PRIVATE_FILE:
            return None
        return fh.read(MAX_PRIVATE_FILE + 1)[:MAX_PRIVATE_FILE]


def _is_regular(mode: int) -> bool:
    return stat.S_ISREG(mode)
