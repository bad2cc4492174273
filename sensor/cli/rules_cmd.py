"""`clawwatch rules check|test|match|compile`: validate Sigma rules, run their example events, match
JSONL, build a compiled rule bundle.

Exit codes: 0 ok; 1 rule errors (check/match/compile), failing or missing tests (test); 2 unreadable
input or unusable options (unknown pipeline, bad --logsource).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import IO

from sensor.engine.bundle import BundleError, RuleBundle
from sensor.engine.engine import Engine

LOGSOURCE_KEYS = ("category", "product", "service")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("rules", help="check, test, compile and run Sigma rules")
    inner = parser.add_subparsers(dest="rules_command", metavar="ACTION", required=True)

    chk = inner.add_parser("check", help="parse, compile and validate rules (offline)")
    chk.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    chk.add_argument("--strict", action="store_true", help="also fail on validator findings")
    _variables_option(chk)
    chk.set_defaults(func=_run_check)

    tst = inner.add_parser("test", help="run each rule's <stem>.tests.yml example events")
    tst.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    tst.add_argument(
        "--tests",
        type=Path,
        metavar="DIR",
        help="tests tree mirroring PATH (DIR/<area>/<stem>.tests.yml); default: beside each rule",
    )
    tst.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    tst.set_defaults(func=_run_test)

    mat = inner.add_parser("match", help="match events (one JSON object per line) against rules")
    mat.add_argument("--rules", nargs="+", type=Path, default=[], metavar="PATH")
    mat.add_argument("--bundle", type=Path, metavar="FILE", help="compiled rules (from `rules compile`)")
    mat.add_argument("--events", type=Path, required=True, metavar="FILE.jsonl", help="'-' for stdin")
    mat.add_argument("--format", choices=("jsonl", "text"), default="jsonl")
    mat.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes (default 1)")
    mat.add_argument(
        "--logsource", metavar="K=V,...", help="every event's logsource, e.g. product=zeek,service=dns "
        "(the events' own category/product/service keys are then data fields)",
    )
    _variables_option(mat)
    _pipeline_option(mat)
    mat.set_defaults(func=_run_match)

    cmp = inner.add_parser("compile", help="compile rules into a bundle the sensor loads without pySigma")
    cmp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    cmp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    _variables_option(cmp)
    _pipeline_option(cmp)
    cmp.set_defaults(func=_run_compile)


def _variables_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--var", action="append", default=[], metavar="NAME=V1,V2", help="|expand placeholder values"
    )


def _pipeline_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pipeline", action="append", default=[], metavar="NAME|FILE",
        help="pySigma processing pipeline applied to the rules (repeatable; e.g. sysmon, windows-logsources, "
        "windows-audit, ecs_windows, evtx-json, or a pipeline YAML file)",
    )


def _run_check(args: argparse.Namespace) -> int:
    from sensor.engine.validation import check  # noqa: PLC0415 - pySigma's validators only for this command

    result = check(args.paths, variables=_variables(args.var))
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
    from sensor.engine.rule_tests import run_tests  # noqa: PLC0415 - YAML test files only for this command

    try:
        report = run_tests(args.paths, args.tests)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
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


def _logsource(spec: str | None) -> dict[str, str] | None:
    if spec is None:
        return None
    out: dict[str, str] = {}
    for item in spec.split(","):
        key, sep, value = item.partition("=")
        if not sep or key.strip() not in LOGSOURCE_KEYS or not value.strip():
            raise ValueError(f"--logsource {spec!r}: expected category=...,product=...,service=...")
        out[key.strip()] = value.strip()
    return out


def _engine(args: argparse.Namespace, variables: dict[str, list[str]]) -> tuple[Engine, RuleBundle] | None:
    from sensor.engine.loader import PipelineError  # noqa: PLC0415 - pySigma only when compiling rules
    from sensor.engine.ruleset import load_rules  # noqa: PLC0415

    if args.bundle is not None and not args.rules:
        try:
            bundle = RuleBundle.read(args.bundle)
        except BundleError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return None
        return Engine.from_bundle(bundle), bundle
    if not args.rules:
        print("error: give --rules PATH... and/or --bundle FILE", file=sys.stderr)
        return None
    try:
        loaded = load_rules(
            args.rules, variables=variables, pipelines=args.pipeline,
            bundles=[args.bundle] if args.bundle is not None else [],
        )
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    if args.bundle is not None and loaded.bundle_file is None:
        print(f"warning: {args.bundle} was not built from these rules; compiled them instead", file=sys.stderr)
    return loaded.engine, loaded.bundle


def _run_match(args: argparse.Namespace) -> int:
    from sensor.engine import batch  # noqa: PLC0415 - multiprocessing only for this command

    try:
        logsource = _logsource(args.logsource)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    built = _engine(args, _variables(args.var))
    if built is None:
        return 2
    engine, bundle = built
    for error in engine.errors:
        print(f"error: {error}", file=sys.stderr)
    try:
        stream: IO[bytes] = sys.stdin.buffer if str(args.events) == "-" else args.events.open("rb")
    except OSError as exc:
        print(f"cannot read {args.events}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    out = sys.stdout
    write = out.write
    if args.format == "jsonl":
        import orjson  # noqa: PLC0415

        def emit(number: int, rule_id: str, title: str, level: str) -> None:
            line = orjson.dumps({"event": number, "rule": rule_id, "title": title, "level": level})
            write(line.decode() + "\n")
    else:

        def emit(number: int, rule_id: str, title: str, level: str) -> None:
            write(f"{number}\t{level}\t{rule_id}\t{title}\n")

    with stream:
        batch.run(engine, stream, emit, jobs=max(1, args.jobs), bundle=bundle, logsource=logsource)
    out.flush()
    return 1 if engine.errors else 0


def _run_compile(args: argparse.Namespace) -> int:
    from sensor.engine.loader import PipelineError  # noqa: PLC0415
    from sensor.engine.ruleset import compile_bundle  # noqa: PLC0415

    try:
        bundle = compile_bundle(args.paths, _variables(args.var), args.pipeline)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for error in bundle.errors:
        print(f"error: {error}", file=sys.stderr)
    try:
        bundle.write(args.output)
    except OSError as exc:
        print(f"cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    size = os.path.getsize(args.output)
    print(f"{len(bundle.rules)} rules, {len(bundle.correlations)} correlations, {len(bundle.errors)} errors "
          f"-> {args.output} ({size:,} bytes, source hash {bundle.source_hash[:16]})")
    return 1 if bundle.errors else 0
