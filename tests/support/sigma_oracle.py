"""The SQLite-backend approach (Zircolite-style): pySigma 2.0.1 + pysigma-backend-sqlite 2.1.1.

Used as the oracle of the engine's differential test and as the baseline of bench_engine.py.
Events go into one in-memory table: one column per field (``INTEGER`` when every value of the field
is an integer, else ``TEXT COLLATE NOCASE`` as Zircolite lays it out), ``_fulltext`` for keyword
rules (the same text the engine's keyword matching reads) and ``eid`` (the event's position).
``REGEXP`` is Python ``re`` search (ASCII classes, as PCRE without UCP): what the backend's
documentation and Zircolite register, and the PCRE semantics SIEMs give ``|re`` (``$`` also matches
before a final newline). pySigma 2 accepts only patterns RE2 can run, so no pattern backtracks badly.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sigma.backends.sqlite import sqliteBackend
from sigma.collection import SigmaCollection
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from sensor.engine.event_view import ROUTING_KEYS, fulltext, scalar_text
from sensor.engine.loader import placeholder_pipeline
from sensor.engine.sources import rule_files

FULLTEXT_COLUMN = "_fulltext"


@dataclass
class OracleRule:
    id: str
    title: str
    sql: str
    rule: SigmaRule


def load_sigma_rules(paths: Sequence[Path], variables: Mapping[str, list[str]] | None = None) -> list[SigmaRule]:
    """Every detection rule under ``paths``; ``variables`` fill ``|expand`` placeholders."""
    pipeline = placeholder_pipeline(variables) if variables else None
    rules: list[SigmaRule] = []
    for path in rule_files(paths):
        # Unresolved: a detection rule used by a correlation still converts to its own query.
        text = path.read_text(encoding="utf-8")
        collection = SigmaCollection.from_yaml(text, collect_errors=True, resolve_references=False)
        for rule in collection.rules:
            if not isinstance(rule, SigmaRule) or rule.errors:
                continue
            if pipeline is not None:
                try:
                    pipeline.apply(rule)
                except SigmaError:
                    continue
            rules.append(rule)
    return rules


def convert(rules: Iterable[SigmaRule]) -> tuple[list[OracleRule], list[tuple[str, str]]]:
    """SQL per rule (the WHERE clause against table ``logs``), and (rule id, reason) for failures."""
    backend = sqliteBackend(fulltext_field=FULLTEXT_COLUMN)
    out: list[OracleRule] = []
    failed: list[tuple[str, str]] = []
    for rule in rules:
        rule_id = str(rule.id) if rule.id else str(rule.title)
        try:
            queries = backend.convert_rule(rule)
        except SigmaError as exc:
            failed.append((rule_id, str(exc)))
            continue
        sql = " UNION ".join(q.replace("SELECT * FROM logs", "SELECT eid FROM logs") for q in queries)
        out.append(OracleRule(rule_id, str(rule.title), sql, rule))
    return out, failed


@lru_cache(maxsize=4096)
def _regex(pattern: str) -> Any:
    return re.compile(pattern, re.ASCII)


def _regexp(pattern: str, value: Any) -> bool:
    return value is not None and _regex(pattern).search(str(value)) is not None


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _column_types(events: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    types: dict[str, str] = {}
    for event in events:
        for key, value in event.items():
            if key in ROUTING_KEYS:
                continue
            is_int = isinstance(value, int) and not isinstance(value, bool)
            if types.get(key) != "TEXT COLLATE NOCASE":
                types[key] = "INTEGER" if is_int and types.get(key, "INTEGER") == "INTEGER" else "TEXT COLLATE NOCASE"
    return types


class SQLiteOracle:
    """An in-memory table of events plus converted rules; answers which events each rule matches."""

    def __init__(self, rules: Sequence[OracleRule], columns: Iterable[str] = (), *, routed: bool = False) -> None:
        """``routed``: events keep category/product/service columns and each rule only reads rows of
        its logsource (what the engine's routing does); otherwise every rule reads every row."""
        self.rules = rules
        self.routed = routed
        self.db = sqlite3.connect(":memory:")
        self.db.create_function("regexp", 2, _regexp, deterministic=True)
        self.columns: dict[str, str] = {}
        self._wanted = set(columns)

    def _create(self, types: Mapping[str, str]) -> None:
        for rule in self.rules:  # every field a rule names must exist, as NULL if no event has it
            for name in _rule_fields(rule.rule):
                self._wanted.add(name)
        cols = dict(types)
        taken = {name.lower() for name in cols}
        for name in sorted(self._wanted):  # SQLite column names are case-insensitive: one column per spelling
            if name.lower() not in taken:
                cols[name] = "TEXT COLLATE NOCASE"
                taken.add(name.lower())
        self.columns = cols
        if self.routed:
            for key in sorted(ROUTING_KEYS):
                cols[key] = "TEXT"
        defs = ", ".join(f"{_quote(n)} {t}" for n, t in cols.items())
        self.db.execute(f"CREATE TABLE logs (eid INTEGER PRIMARY KEY, {_quote(FULLTEXT_COLUMN)} TEXT, {defs})")

    def prepare(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Create the table with column types read from ``events`` (call before batched inserts)."""
        self._create(_column_types(events))

    def insert(self, events: Sequence[Mapping[str, Any]], first_id: int = 0) -> None:
        if not self.columns:
            self._create(_column_types(events))
        names = list(self.columns)
        placeholders = ", ".join("?" * (len(names) + 2))
        columns = ", ".join(["eid", _quote(FULLTEXT_COLUMN), *map(_quote, names)])
        sql = f"INSERT INTO logs ({columns}) VALUES ({placeholders})"
        rows = []
        for i, event in enumerate(events):
            row: list[Any] = [first_id + i, fulltext(event)]
            for name in names:
                value = event.get(name)
                if isinstance(value, int) and not isinstance(value, bool) and self.columns[name] == "INTEGER":
                    row.append(value)
                else:
                    row.append(None if value is None else scalar_text(value))
            rows.append(row)
        self.db.executemany(sql, rows)

    def clear(self) -> None:
        self.db.execute("DELETE FROM logs")

    def matches(self) -> dict[str, set[int]]:
        """Rule id -> event ids it matches in the table."""
        return {rule.id: {row[0] for row in self.db.execute(self._sql(rule))} for rule in self.rules}

    def _sql(self, rule: OracleRule) -> str:
        if not self.routed:
            return rule.sql
        source = rule.rule.logsource
        wanted = {"category": source.category, "product": source.product, "service": source.service}
        where = " AND ".join(f"{k} = '{v.lower()}'" for k, v in wanted.items() if v)
        if not where:
            return rule.sql
        return rule.sql.replace("FROM logs", f"FROM (SELECT * FROM logs WHERE {where}) AS logs")


def _rule_fields(rule: SigmaRule) -> set[str]:
    from sigma.conditions import ConditionFieldEqualsValueExpression
    from sigma.types import SigmaFieldReference

    fields: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, ConditionFieldEqualsValueExpression):
            if node.field:
                fields.add(node.field)
            if isinstance(node.value, SigmaFieldReference):
                fields.add(node.value.field)
        for arg in getattr(node, "args", []) or []:
            walk(arg)

    for condition in rule.detection.parsed_condition:
        walk(condition.parsed)
    return fields
