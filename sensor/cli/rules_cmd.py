"""`clawwatch rules check|test|match`: validate Sigma rules, run their example events, match JSONL.

Exit codes: 0 ok; 1 rule errors (check/match), failing or missing tests (test); 2 unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sensor.engine import Engine
from sensor.engine.rule_tests import run_tests
from sensor.engine.validation import check

MAX_EVENT_LINE = 1 << 20


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("rules", help="check, test and run Sigma rules")
    inner = parser.add_subparsers(dest="rules_command", metavar="ACTION", required=True)

    chk = inner.add_parser("check", help="parse, compile and validate rules (offline)")
    chk.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    chk.add_argument("--strict", action="store_true", help="also fail on validator findings")
    chk.set_defaults(func=_run_check)

    tst = inner.add_parser("test", help="run each rule's <stem>.tests.yml example events")
    tst.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    tst.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    tst.set_defaults(func=_run_test)

    mat = inner.add_parser("match", help="match events (one JSON object per line) against rules")
    mat.add_argument("--rules", nargs="+", type=Path, required=True, metavar="PATH")
    mat.add_argument("--events", type=Path, required=True, metavar="FILE.jsonl", help="'-' for stdin")
    mat.add_argument("--format", choices=("jsonl", "text"), default="jsonl")
    mat.add_argument(
        "--var", action="append", default=[], metavar="NAME=V1,V2", help="|expand placeholder values"
    )
    mat.set_defaults(func=_run_match)


def _run_check(args: argparse.Namespace) -> int:
    result = check(args.paths)
    for error in result.errors:
        print(f"error: {error}", file=sys.stderr)
    for finding in result.findings:
        print(f"warning: {finding}", file=sys.stderr)
    print(
        f"{result.rules} rules loaded, {len(result.errors)} errors, {len(result.findings)} validator findings"
    )
    if result.errors or (args.strict and result.findings):
        return 1
    return 0


def _run_test(args: argparse.Namespace) -> int:
    report = run_tests(args.paths)
    for problem in report.problems:
        print(f"ERROR {problem}")
    for result in report.results:
        if not result.passed:
            print(f"FAIL  {result.rule_file} :: {result.name}: {result.detail}")
        elif not args.quiet:
            print(f"ok    {result.rule_file} :: {result.name}")
    failed = sum(not r.passed for r in report.results)
    print(f"{len(report.results)} cases, {failed} failed, {len(report.problems)} errors")
    return 0 if report.ok else 1


def _variables(specs: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for spec in specs:
        name, _, values = spec.partition("=")
        out.setdefault(name, []).extend(v for v in values.split(",") if v)
    return out


def _run_match(args: argparse.Namespace) -> int:
    engine = Engine.load(args.rules, variables=_variables(args.var))
    for error in engine.errors:
        print(f"error: {error}", file=sys.stderr)
    try:
        stream = sys.stdin if str(args.events) == "-" else args.events.open(encoding="utf-8")
    except OSError as exc:
        print(f"cannot read {args.events}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    with stream:
        for number, line in enumerate(stream):
            event = _parse_line(line, number)
            if event is None:
                continue
            for alert in engine.process(event):
                _print_match(args.format, number, alert.rule_id, alert.title, alert.level)
    return 1 if engine.errors else 0


def _parse_line(line: str, number: int) -> dict[str, Any] | None:
    if not line.strip():
        return None
    if len(line) > MAX_EVENT_LINE:
        print(f"line {number}: longer than {MAX_EVENT_LINE} bytes, skipped", file=sys.stderr)
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError as exc:
        print(f"line {number}: not JSON ({exc.msg}), skipped", file=sys.stderr)
        return None
    except (ValueError, RecursionError) as exc:  # e.g. an integer too long to convert
        print(f"line {number}: unreadable JSON ({exc}), skipped", file=sys.stderr)
        return None
    if not isinstance(event, dict):
        print(f"line {number}: not a JSON object, skipped", file=sys.stderr)
        return None
    return event


def _print_match(fmt: str, number: int, rule_id: str, title: str, level: str) -> None:
    if fmt == "jsonl":
        print(json.dumps({"event": number, "rule": rule_id, "title": title, "level": level}))
    else:
        print(f"{number}\t{level}\t{rule_id}\t{title}")
