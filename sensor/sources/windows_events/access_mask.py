"""File access masks of Security 4663 (winnt.h FILE_* rights) and what our ``FileAccess`` calls them."""

from __future__ import annotations

FILE_READ_DATA = 0x1
FILE_WRITE_DATA = 0x2
FILE_APPEND_DATA = 0x4
FILE_EXECUTE = 0x20
DELETE = 0x10000
WRITE_DAC = 0x40000
WRITE_OWNER = 0x80000
_MODIFY = FILE_WRITE_DATA | FILE_APPEND_DATA | WRITE_DAC | WRITE_OWNER


def parse_mask(text: str | None) -> int | None:
    """``0x1`` -> 1; None for absent or unreadable masks."""
    if not text:
        return None
    try:
        return int(text.strip(), 16) if text.strip().lower().startswith("0x") else int(text.strip())
    except ValueError:
        return None


def file_access(mask: int | None) -> str:
    """delete | modify | open: the strongest access in the mask (an unknown mask is an open)."""
    if mask is None:
        return "open"
    if mask & DELETE:
        return "delete"
    if mask & _MODIFY:
        return "modify"
    return "open"
