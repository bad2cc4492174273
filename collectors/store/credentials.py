"""Tokens and enroll secrets: created, looked up and revoked; never stored in the clear.

Tokens are 256-bit random values, stored as SHA-256 (enough for high-entropy secrets and a single indexed
lookup). Enroll secrets may be chosen by people, so they get salted scrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, bindparam, select, update

from collectors.store import tables


class Role(StrEnum):
    sensor = "sensor"
    analyst = "analyst"
    admin = "admin"


@dataclass(frozen=True)
class TokenRow:
    token_id: str
    role: Role
    host_id: str | None
    label: str


def new_token() -> str:
    return "cw_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(conn: Connection, role: Role, *, host_id: str | None = None, label: str = "",
                 token: str | None = None) -> tuple[str, str]:
    """Store a new token (or the given one); return (token_id, token). The token is not kept."""
    value = token or new_token()
    token_id = secrets.token_hex(8)
    conn.execute(tables.tokens.insert().values(
        token_id=token_id, token_hash=token_hash(value), role=role.value, host_id=host_id,
        label=label, created_at=time.time(), revoked_at=None,
    ))
    return token_id, value


def ensure_token(conn: Connection, token: str, role: Role, label: str) -> str:
    """Make sure this exact token exists (e.g. the admin token given on the command line)."""
    row = conn.execute(select(tables.tokens.c.token_id, tables.tokens.c.role)
                       .where(tables.tokens.c.token_hash == token_hash(token))).first()
    if row is not None:
        conn.execute(update(tables.tokens).where(tables.tokens.c.token_id == row.token_id)
                     .values(revoked_at=None, role=role.value))
        return str(row.token_id)
    token_id, _ = create_token(conn, role, label=label, token=token)
    return token_id


# Built once: every request looks a token up, and a statement object reused keeps its compiled form cached.
_LOOKUP = (select(tables.tokens.c.token_id, tables.tokens.c.role, tables.tokens.c.host_id, tables.tokens.c.label)
           .where(tables.tokens.c.token_hash == bindparam("token_hash"), tables.tokens.c.revoked_at.is_(None)))


def lookup_token(conn: Connection, token: str) -> TokenRow | None:
    row = conn.execute(_LOOKUP, {"token_hash": token_hash(token)}).first()
    if row is None:
        return None
    return TokenRow(token_id=row.token_id, role=Role(row.role), host_id=row.host_id, label=row.label)


def revoke_token(conn: Connection, token_id: str) -> bool:
    result = conn.execute(update(tables.tokens).where(tables.tokens.c.token_id == token_id,
                                                      tables.tokens.c.revoked_at.is_(None))
                          .values(revoked_at=time.time()))
    return bool(result.rowcount)


def revoke_host_tokens(conn: Connection, host_id: str) -> None:
    conn.execute(update(tables.tokens).where(tables.tokens.c.host_id == host_id,
                                             tables.tokens.c.role == Role.sensor.value,
                                             tables.tokens.c.revoked_at.is_(None))
                 .values(revoked_at=time.time()))


def count_tokens(conn: Connection, role: Role) -> int:
    rows = conn.execute(select(tables.tokens.c.token_id).where(tables.tokens.c.role == role.value,
                                                              tables.tokens.c.revoked_at.is_(None)))
    return len(rows.all())


# --- enroll secrets -----------------------------------------------------------------------------------

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode("utf-8", "surrogatepass"), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def secret_matches(secret: str, stored: str) -> bool:
    try:
        scheme, salt_hex, _ = stored.split("$", 2)
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    return hmac.compare_digest(hash_secret(secret, salt), stored)


def add_enroll_secret(conn: Connection, secret: str, label: str = "") -> str:
    secret_id = secrets.token_hex(8)
    conn.execute(tables.enroll_secrets.insert().values(
        secret_id=secret_id, secret_hash=hash_secret(secret), label=label, created_at=time.time(),
    ))
    return secret_id


def find_enroll_secret(conn: Connection, secret: str) -> str | None:
    """The id of the active enroll secret equal to ``secret``, if any."""
    rows = conn.execute(select(tables.enroll_secrets.c.secret_id, tables.enroll_secrets.c.secret_hash)
                        .where(tables.enroll_secrets.c.revoked_at.is_(None))).all()
    for row in rows:
        if secret_matches(secret, row.secret_hash):
            return str(row.secret_id)
    return None


def ensure_enroll_secret(conn: Connection, secret: str, label: str) -> str:
    existing = find_enroll_secret(conn, secret)
    return existing if existing is not None else add_enroll_secret(conn, secret, label)


def revoke_enroll_secret(conn: Connection, secret_id: str) -> bool:
    result = conn.execute(update(tables.enroll_secrets)
                          .where(tables.enroll_secrets.c.secret_id == secret_id,
                                 tables.enroll_secrets.c.revoked_at.is_(None))
                          .values(revoked_at=time.time()))
    return bool(result.rowcount)
