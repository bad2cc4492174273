"""Salted fingerprints: HMAC-SHA256 with a per-host salt, so equal secrets match on one host (and a
fleet can spot reuse when it shares a salt) while the value cannot be recovered or brute-forced offline
without the salt. The salt file is created 0600 and never shipped."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import platformdirs

SALT_BYTES = 32
SALT_ENV = "CLAWWATCH_SALT_FILE"


def default_salt_path() -> Path:
    override = os.environ.get(SALT_ENV)
    if override:
        return Path(override)
    getuid = getattr(os, "getuid", None)
    if getuid is not None and getuid() == 0:
        return Path("/var/lib/clawwatch/fingerprint.salt")
    return Path(platformdirs.user_data_dir("clawwatch")) / "fingerprint.salt"


def load_or_create_salt(path: Path | None = None) -> bytes:
    """Read the host salt, creating it (0600, parent 0700) on first use."""
    path = path or default_salt_path()
    try:
        data = path.read_bytes()
        if len(data) >= 16:
            return data
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    salt = secrets.token_bytes(SALT_BYTES)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, salt)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path.read_bytes()


class Fingerprinter:
    """``fingerprint(value)`` -> 'hmac-sha256:<16 hex>' under one salt."""

    def __init__(self, salt: bytes) -> None:
        if len(salt) < 16:
            raise ValueError("salt must be at least 16 bytes")
        self._salt = salt

    def fingerprint(self, value: str | bytes) -> str:
        raw = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
        return "hmac-sha256:" + hmac.new(self._salt, raw, hashlib.sha256).hexdigest()[:16]


def length_class(value: str | bytes) -> str:
    """Coarse length, never the length itself: 'empty', 'short(<24)', 'ok(24-63)', 'long(>=64)'."""
    n = len(value)
    if n == 0:
        return "empty"
    if n < 24:
        return "short(<24)"
    if n < 64:
        return "ok(24-63)"
    return "long(>=64)"
