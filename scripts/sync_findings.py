#!/usr/bin/env python3
"""Carry the findings catalogue (sensor/openclaw/findings.py) to the rules' levels and to docs/scan.md.

The catalogue is the one source of each finding's severity and evidence keys, and names the Sigma
rules in detections/ that report the same condition: their `level` is the finding's severity. The
findings table of docs/scan.md (between the findings-table markers) is rendered from it too.
Usage (from the repo root):

    .venv/bin/python scripts/sync_findings.py           # list what differs; exit 1 if anything does
    .venv/bin/python scripts/sync_findings.py --write   # rewrite the `level:` lines and the doc table
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sensor.openclaw.findings import CATALOGUE  # noqa: E402
from sensor.schema.vocabulary import Level  # noqa: E402

DETECTIONS = REPO / "detections"
SCAN_DOC = REPO / "docs" / "scan.md"
START, END = "<!-- findings-table:start -->", "<!-- findings-table:end -->"
SIGMA_LEVEL = {"info": Level.informational.value}  # the findings' old spelling -> Sigma's (they now share it)
_ID = re.compile(r"^id:\s*['\"]?([0-9a-fA-F-]{36})['\"]?\s*$", re.MULTILINE)
_LEVEL = re.compile(r"^level:[ \t]*(\S+)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Mismatch:
    path: Path
    rule_id: str
    finding_id: str
    level: str
    wanted: str


def wanted_levels() -> dict[str, tuple[str, str]]:
    """rule id -> (finding id, Sigma level). A rule linked to two findings must get one level."""
    out: dict[str, tuple[str, str]] = {}
    for spec in CATALOGUE.values():
        level = SIGMA_LEVEL.get(str(spec.severity), str(spec.severity))
        for rule_id in spec.rules:
            if rule_id in out and out[rule_id][1] != level:
                raise SystemExit(f"rule {rule_id}: findings {out[rule_id][0]} and {spec.id} give different levels")
            out[rule_id] = (spec.id, level)
    return out


def _documents(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the YAML documents of a rule file (split at `---` lines)."""
    bounds, start = [], 0
    for match in re.finditer(r"^---[ \t]*$", text, re.MULTILINE):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return bounds


def check(write: bool = False) -> list[Mismatch]:
    wanted = wanted_levels()
    seen: set[str] = set()
    out: list[Mismatch] = []
    for path in sorted(DETECTIONS.rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        new = text
        for start, end in reversed(_documents(text)):
            doc = new[start:end]
            found = _ID.search(doc)
            if not found or found.group(1) not in wanted:
                continue
            rule_id = found.group(1)
            seen.add(rule_id)
            finding_id, level = wanted[rule_id]
            current = _LEVEL.search(doc)
            if current is None or current.group(1) != level:
                out.append(Mismatch(path, rule_id, finding_id, current.group(1) if current else "(none)", level))
                fixed = _LEVEL.sub(f"level: {level}", doc) if current else doc.rstrip("\n") + f"\nlevel: {level}\n"
                new = new[:start] + fixed + new[end:]
        if write and new != text:
            path.write_text(new, encoding="utf-8")
    missing = sorted(set(wanted) - seen)
    if missing:
        raise SystemExit(f"findings catalogue names rules that are not in detections/: {', '.join(missing)}")
    return out


def findings_table() -> str:
    """The docs/scan.md table: id, severity, title, evidence keys, rules for the same condition, fix."""
    files = {}
    for path in sorted(DETECTIONS.rglob("*.yml")):
        for found in _ID.finditer(path.read_text(encoding="utf-8")):
            files[found.group(1)] = path.relative_to(DETECTIONS).as_posix()
    lines = ["| id | severity | title | evidence keys | rules | remediation |", "|---|---|---|---|---|---|"]
    for spec in CATALOGUE.values():
        keys = ", ".join(f"`{k}`" for k in spec.evidence)
        rules = ", ".join(f"[{files[r]}](../detections/{files[r]})" for r in spec.rules)
        lines.append(f"| `{spec.id}` | {spec.severity} | {spec.title} | {keys} | {rules} | {spec.remediation} |")
    return "\n".join(lines) + "\n"


def doc_is_current(write: bool = False) -> bool:
    text = SCAN_DOC.read_text(encoding="utf-8")
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{SCAN_DOC}: no {START} ... {END} section")
    current = text[start + len(START) : end].strip("\n") + "\n"
    table = findings_table()
    if write and current != table:
        SCAN_DOC.write_text(text[: start + len(START)] + "\n" + table + text[end:], encoding="utf-8")
    return current == table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the level lines and the doc table")
    args = parser.parse_args(argv)
    mismatches = check(write=args.write)
    for m in mismatches:
        verb = "set" if args.write else "should be"
        print(f"{m.path.relative_to(REPO)}: level {m.level} {verb} {m.wanted} ({m.finding_id}, rule {m.rule_id})")
    doc_current = doc_is_current(write=args.write)
    if not doc_current:
        print(f"{SCAN_DOC.relative_to(REPO)}: findings table {'rewritten' if args.write else 'is stale'}")
    return 0 if args.write or (not mismatches and doc_current) else 1


if __name__ == "__main__":
    sys.exit(main())
