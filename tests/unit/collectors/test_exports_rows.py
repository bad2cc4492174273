"""CSV/JSON export of inventory rows."""

from __future__ import annotations

import csv
import io

import orjson

from collectors.exports.rows import csv_cell, iter_csv, to_csv, to_json

ROWS = [
    {"hostname": "laptop-alice", "grants": ["shell", "gmail"], "exposed": True, "version": "2026.9.6"},
    {"hostname": '=HYPERLINK("http://evil")', "grants": [], "exposed": False, "version": None},
]
COLUMNS = ["hostname", "grants", "exposed", "version"]


def test_csv_round_trips_through_the_csv_reader() -> None:
    text = to_csv(ROWS, COLUMNS)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == COLUMNS
    assert rows[1] == ["laptop-alice", "shell;gmail", "true", "2026.9.6"]
    assert rows[2] == ['\'=HYPERLINK("http://evil")', "", "false", ""]


def test_csv_streams_one_line_per_row() -> None:
    parts = list(iter_csv(ROWS, COLUMNS))
    assert len(parts) == 3 and all(part.endswith("\n") for part in parts)


def test_csv_cell_neutralises_formulas_only_for_text() -> None:
    assert csv_cell("-cmd") == "'-cmd"
    assert csv_cell(-3) == "-3"
    assert csv_cell({"b": 1, "a": 2}) == '{"a":2,"b":1}'


def test_json_array_is_valid_and_complete() -> None:
    assert orjson.loads(to_json(ROWS)) == ROWS
    assert orjson.loads(to_json([])) == []
