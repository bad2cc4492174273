"""Types shared by the per-OS platform modules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class AccountHome:
    user: str
    uid: int | None
    home: Path


def dedupe_homes(entries: list[AccountHome]) -> list[AccountHome]:
    """Keep the first account per home directory (several service accounts share `/`, `/nonexistent`)."""
    seen: set[str] = set()
    out: list[AccountHome] = []
    for entry in entries:
        key = str(entry.home)
        if key in seen or key in ("/", "") or not entry.home.is_dir():
            continue
        seen.add(key)
        out.append(entry)
    return out
