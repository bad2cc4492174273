"""Entry point of the `clawwatch` console script.

Each sub-command lives in its own module exposing ``register(subparsers)``; the module path is listed
in ``COMMANDS``. A module that fails to import (a missing optional dependency) only disables its command.
Exit codes: 0 ok, 1 "found something" / failure the command defines, 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sensor import __version__

COMMANDS: tuple[str, ...] = (
    "sensor.cli.scan_cmd",
    "sensor.cli.rules_cmd",
    "sensor.cli.sensor_cmd",
    "sensor.cli.schema_cmd",
    "collectors.cli",
    "sensor.cli.fleet_cmd",
    "sensor.cli.alerts_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clawwatch",
        description="Find shadow OpenClaw (Clawdbot/Moltbot) installs and watch what they can reach.",
    )
    parser.add_argument("--version", action="version", version=f"clawwatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
