"""CSV and JSON export of flat inventory/alert rows (what the query API and CLI hand out).

Cells are made spreadsheet-safe: a text cell that a spreadsheet would run as a formula
(leading ``= + - @``, tab or CR) is prefixed with a single quote. Lists are joined with ``;``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import orjson

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(csv_cell(item) for item in value)
    if isinstance(value, dict):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def iter_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Iterator[str]:
    """Yields the CSV text line by line (header first), so large exports stream."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(columns)
    yield flush()
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
        yield flush()


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    return "".join(iter_csv(rows, columns))


def iter_json_array(rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """Yields one JSON array in pieces, so large exports stream."""
    yield b"["
    first = True
    for row in rows:
        yield (b"" if first else b",") + orjson.dumps(row)
        first = False
    yield b"]\n"


def to_json(rows: Iterable[Mapping[str, Any]]) -> bytes:
    return b"".join(iter_json_array(rows))
