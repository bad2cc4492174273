"""Print the Markdown table of the detection pack: one row per alerting rule.

Usage:
    .venv/bin/python scripts/gen_rules_table.py [DETECTIONS_DIR]            # print the table
    .venv/bin/python scripts/gen_rules_table.py --write docs/detections.md  # replace the table in a doc

The table lists every rule that raises alerts: plain detection rules and correlation rules. The
building blocks a correlation refers to (by ``name`` or ``id``) are left out: they do not alert on
their own. In a document the table sits between ``<!-- rules-table:start -->`` and
``<!-- rules-table:end -->``; ``--write`` replaces only that part.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sensor.schema.vocabulary import Level

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO / "detections"
START = "<!-- rules-table:start -->"
END = "<!-- rules-table:end -->"
LEVEL_ORDER = {level.value: -level.rank for level in Level}  # most severe first
TECHNIQUE = re.compile(r"^attack\.(t\d{4}(?:\.\d{3})?)$", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    area: str
    file: str
    rule_id: str
    title: str
    level: str
    kind: str
    techniques: tuple[str, ...]


def _rule_files(root: Path) -> Iterator[Path]:
    yield from sorted(root.rglob("*.yml"))  # the pack folder holds rules only (tests: tests/detections/)


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(doc, dict)]


def _techniques(tags: object) -> tuple[str, ...]:
    if not isinstance(tags, list):
        return ()
    found = [m.group(1).upper() for tag in tags if isinstance(tag, str) and (m := TECHNIQUE.match(tag))]
    return tuple(dict.fromkeys(found))


def rows(root: Path = DEFAULT_DIR) -> list[Row]:
    out: list[Row] = []
    for path in _rule_files(root):
        docs = _documents(path)
        referenced: set[str] = set()
        for doc in docs:
            correlation = doc.get("correlation")
            if isinstance(correlation, dict):
                referenced.update(str(r) for r in correlation.get("rules") or [])
        for doc in docs:
            if "title" not in doc:
                continue
            if str(doc.get("name", "")) in referenced or str(doc.get("id", "")) in referenced:
                continue
            correlation = doc.get("correlation")
            kind = "detection"
            if isinstance(correlation, dict):
                kind = f"correlation ({correlation.get('type')})"
            rel = path.relative_to(root)
            out.append(Row(
                area=rel.parts[0] if len(rel.parts) > 1 else "",
                file=rel.as_posix(),
                rule_id=str(doc.get("id", "")),
                title=str(doc["title"]),
                level=str(doc.get("level", "")),
                kind=kind,
                techniques=_techniques(doc.get("tags")),
            ))
    return out


def _technique_link(technique: str) -> str:
    return f"[{technique}](https://attack.mitre.org/techniques/{technique.replace('.', '/')}/)"


def render(table_rows: list[Row], link_prefix: str = "../detections/") -> str:
    lines = [
        "| Area | Title | Level | ATT&CK | Id | Rule file |",
        "|---|---|---|---|---|---|",
    ]
    ordered = sorted(table_rows, key=lambda r: (r.area, LEVEL_ORDER.get(r.level, 9), r.title))
    for r in ordered:
        title = r.title if r.kind == "detection" else f"{r.title} ({r.kind})"
        attack = ", ".join(_technique_link(t) for t in r.techniques)
        lines.append(
            f"| {r.area} | {title} | {r.level} | {attack} | `{r.rule_id}` | "
            f"[{r.file}]({link_prefix}{r.file}) |"
        )
    return "\n".join(lines) + "\n"


def replace_table(document: str, table: str) -> str:
    start = document.find(START)
    end = document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the document has no {START} ... {END} section")
    return document[: start + len(START)] + "\n" + table + document[end:]


def table_in(document: str) -> str:
    start = document.find(START)
    end = document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the document has no {START} ... {END} section")
    return document[start + len(START) : end].lstrip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT_DIR, help="detections directory")
    parser.add_argument("--write", type=Path, metavar="DOC", help="replace the table inside DOC")
    parser.add_argument(
        "--link-prefix", default="../detections/",
        help="prefix of the rule-file links (default suits docs/; use 'detections/' for the README)",
    )
    args = parser.parse_args(argv)
    table = render(rows(args.root), args.link_prefix)
    if args.write is None:
        sys.stdout.write(table)
        return 0
    doc: Path = args.write
    doc.write_text(replace_table(doc.read_text(encoding="utf-8"), table), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
