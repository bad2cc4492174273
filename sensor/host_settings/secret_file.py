"""The enroll secret, read from a file only its owner (root) can read.

The file is refused, with a reason the admin can act on, when it is a symlink, not a regular file,
larger than a secret, readable or writable by group or others, or (when the sensor runs as root) not
owned by root: a secret other users could read is already leaked, and one they could write could
enroll the host into someone else's collector. The value is never logged.
"""

from __future__ import annotations

import os
from pathlib import Path

from sensor.safeio import SafeIOError, read_file

MAX_SECRET_BYTES = 4096


class SecretFileError(Exception):
    """The secret file cannot be used; the message says why and what to do (never the value)."""


def read_secret_file(path: Path, *, expected_uid: int | None = None) -> str:
    """The secret in ``path`` (surrounding whitespace removed). ``expected_uid``: the owner it must have
    (default: root when this process runs as root, anyone otherwise)."""
    if expected_uid is None and hasattr(os, "geteuid") and os.geteuid() == 0:
        expected_uid = 0
    try:
        data = read_file(path.parent, path.name, max_bytes=MAX_SECRET_BYTES)
    except SafeIOError as exc:
        raise SecretFileError(f"enroll secret file {path}: {exc.reason} {exc.detail}".rstrip()) from None
    if data.mode & 0o077:
        raise SecretFileError(f"enroll secret file {path} has mode {data.mode:04o}: other users can read or "
                              f"change it; make it 0600 (chmod 0600) and rotate the secret")
    if expected_uid is not None and data.uid != expected_uid:
        raise SecretFileError(f"enroll secret file {path} is owned by uid {data.uid}, not {expected_uid}")
    try:
        secret = data.data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise SecretFileError(f"enroll secret file {path} is not UTF-8 text") from None
    if not secret or any(ch in secret for ch in "\r\n\0"):
        raise SecretFileError(f"enroll secret file {path} must hold one line with the secret")
    return secret
