"""Grants as bits (in ``GRANTS`` order) so 'any of' / 'all of' filters are one integer test in SQL."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sensor.schema.vocabulary import GRANTS

GRANT_BIT: dict[str, int] = {name: 1 << index for index, name in enumerate(GRANTS)}


def to_bits(grants: Iterable[str]) -> int:
    bits = 0
    for grant in grants:
        bits |= GRANT_BIT.get(grant, 0)
    return bits


def from_bits(bits: int) -> list[str]:
    return [name for name in GRANTS if bits & GRANT_BIT[name]]


def unknown(grants: Iterable[str]) -> list[str]:
    return [grant for grant in grants if grant not in GRANT_BIT]


def version_key(version: str | None) -> str:
    """A string that sorts like the version: numeric parts zero-padded to 9 digits, dot-joined."""
    if not version:
        return ""
    parts = re.findall(r"\d+", version)[:4]
    return ".".join(part[-9:].zfill(9) for part in parts)
