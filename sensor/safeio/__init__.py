"""Hostile-file reading: containment below a base dir, no symlinks followed, size caps, no hangs."""

from sensor.safeio.contained import (
    DEFAULT_MAX_BYTES,
    EntryInfo,
    FileData,
    SafeIOError,
    is_symlink,
    list_dir,
    read_file,
    stat_entry,
    walk_files,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EntryInfo",
    "FileData",
    "SafeIOError",
    "is_symlink",
    "list_dir",
    "read_file",
    "stat_entry",
    "walk_files",
]
