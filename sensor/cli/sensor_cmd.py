"""`clawwatch sensor run`: the live sensor daemon.

    clawwatch sensor run [--config FILE] [--home DIR ...] [--output FILE|-] [--log-level LEVEL]

Sinks are built from the arguments by ``SINK_BUILDERS``: the JSON-lines sink here (``--output``);
other modules (delivery: spool + shipper) append a builder and add their own flags through
``ARGUMENT_HOOKS``, so this file does not change when a sink is added.
Exit codes: 0 stopped cleanly (SIGTERM/SIGINT), 2 bad configuration or arguments.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sensor.daemon.assembly import build_daemon
from sensor.daemon.config import ConfigError, SensorConfig, load_config
from sensor.daemon.sinks import JsonLinesSink, Sink

log = logging.getLogger("clawwatch.sensor")

SinkBuilder = Callable[[argparse.Namespace, SensorConfig], list[Sink]]
ArgumentHook = Callable[[argparse.ArgumentParser], None]


def _json_lines(args: argparse.Namespace, config: SensorConfig) -> list[Sink]:
    target = args.output if args.output is not None else config.sensor.output
    return [JsonLinesSink(target)] if target else []


SINK_BUILDERS: list[SinkBuilder] = [_json_lines]
ARGUMENT_HOOKS: list[ArgumentHook] = []


def register(sub: Any) -> None:
    parser = sub.add_parser("sensor", help="Run the live sensor daemon",
                            description="The live sensor: process, socket, credential-file and "
                            "OpenClaw-state events, matched against Sigma rules.")
    actions = parser.add_subparsers(dest="sensor_action", metavar="ACTION")
    register_actions(actions)
    parser.set_defaults(func=lambda args: (parser.print_help(sys.stderr), 2)[1])


def register_actions(actions: Any) -> None:
    """The `run` action (shared by `clawwatch sensor` and `python -m sensor.daemon`)."""
    run = actions.add_parser("run", help="Run the daemon in the foreground until SIGTERM/SIGINT")
    run.add_argument("--config", type=Path, help="TOML config file (defaults documented in docs/sensor.md)")
    run.add_argument("--home", type=Path, action="append", default=[], metavar="DIR",
                     help="Also watch this home directory (repeatable), beyond the account database")
    run.add_argument("--only-homes", action="store_true",
                     help="Watch only the --home directories, not the account database (audits, tests)")
    run.add_argument("--output", metavar="FILE|-",
                     help="Write every event and alert as JSON lines to FILE, or - for stdout")
    run.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    for hook in ARGUMENT_HOOKS:
        hook(run)
    run.set_defaults(func=run_sensor)


def run_sensor(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"clawwatch sensor: {exc}", file=sys.stderr)
        return 2
    if args.only_homes:
        config.sensor.account_homes = False
    sinks: list[Sink] = []
    for builder in SINK_BUILDERS:
        sinks.extend(builder(args, config))
    if not sinks:
        log.warning("no output configured (--output FILE|- or a collector): events are counted only")
    daemon = build_daemon(config, sinks, extra_homes=args.home)

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping", signum)
        daemon.request_stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return daemon.run()


# Delivery to a collector (spool + shipper): --collector/--enroll-secret/--ca-bundle/--state-dir and its
# sink. Runs before the JSON-lines builder: with a collector it writes --output itself, with record ids.
from sensor.delivery import daemon_hooks  # noqa: E402

ARGUMENT_HOOKS.append(daemon_hooks.add_arguments)
SINK_BUILDERS.insert(0, daemon_hooks.build_sinks)
