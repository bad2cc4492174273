"""`python -m sensor.daemon run [...]`: the sensor daemon without the full CLI dispatcher.

Same flags as `clawwatch sensor run`; it imports only what the daemon needs (the dispatcher imports
every command, including the collector's web stack), which keeps the resident set small.
"""

from __future__ import annotations

import argparse
import sys

from sensor.cli import sensor_cmd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sensor.daemon")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sensor_cmd.register_actions(sub)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    return int(func(args))


if __name__ == "__main__":
    sys.exit(main())
