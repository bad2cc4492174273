"""`clawwatch schema export [DIR]`: write the JSON Schema of events, alerts, scan reports, records."""

from __future__ import annotations

import argparse
from pathlib import Path

from sensor.schema import export


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("schema", help="export the event/inventory JSON Schema")
    inner = parser.add_subparsers(dest="schema_command", metavar="ACTION", required=True)
    exp = inner.add_parser("export", help="write *.schema.json files")
    exp.add_argument("directory", nargs="?", type=Path, default=export.DEFAULT_DIR)
    exp.set_defaults(func=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    for path in export.export(args.directory):
        print(path)
    return 0
