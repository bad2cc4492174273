"""Entry point of the `clawwatch` console script.

Each sub-command lives in its own module exposing ``register(subparsers)``; the module path is listed
in ``COMMANDS``; only the chosen command's module is imported.
Exit codes: 0 ok, 1 "found something" / failure the command defines, 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sensor import __version__

# name -> (module, one-line help). Only the chosen command's module is imported, so `clawwatch sensor run`
# does not carry the collector's web stack (fastapi, sqlalchemy, uvicorn) in its memory.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("sensor.cli.scan_cmd", "find OpenClaw installs on this host and what they can reach"),
    "rules": ("sensor.cli.rules_cmd", "check, test and run Sigma rules"),
    "sensor": ("sensor.cli.sensor_cmd", "run the live sensor daemon"),
    "schema": ("sensor.cli.schema_cmd", "export the event/inventory JSON Schema"),
    "collector": ("collectors.cli", "run the fleet collector (enrollment, ingest, storage)"),
    "fleet": ("collectors.client.fleet_cmd", "query the fleet inventory on a collector"),
    "alerts": ("collectors.client.alerts_cmd", "list and triage alerts on a collector"),
}


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The sub-command named on the command line (the first word that is not an option)."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the module of the command it names is imported."""
    parser = argparse.ArgumentParser(
        prog="clawwatch",
        description="Find shadow OpenClaw (Clawdbot/Moltbot) installs and watch what they can reach.",
    )
    parser.add_argument("--version", action="version", version=f"clawwatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = _chosen_command(argv) if argv is not None else None
    for name, (module_name, help_text) in COMMANDS.items():
        if argv is not None and name != chosen:
            sub.add_parser(name, help=help_text, add_help=False)  # listed in --help, not loaded
            continue
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(words)
    args = parser.parse_args(words)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
