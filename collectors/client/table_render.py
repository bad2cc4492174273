"""Plain-text tables for terminal output: columns sized to content, long cells cut with an ellipsis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any


def when(epoch: float | None) -> str:
    if epoch is None:
        return "never"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ",".join(cell(item) for item in value)
    return " ".join(str(value).split())


def render(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]], max_width: int = 40) -> str:
    """``columns`` is (key, header); cells are flattened to one line and cut at ``max_width``."""
    table = [[header for _, header in columns]]
    for row in rows:
        cells = []
        for key, _ in columns:
            text = cell(row.get(key))
            cells.append(text if len(text) <= max_width else text[: max_width - 1] + "…")
        table.append(cells)
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()
             for line in table]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
