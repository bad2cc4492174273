"""`python -m sensor.delivery`: run the delivery path on its own.

  drill   produce synthetic alerts through the real spool and shipper until the spool has allocated
          --until-seq numbers (resumes after a crash), then keep shipping until drained. A pipeline
          check for a new collector, and what the delivery fault tests drive.
  pipe    spool and ship JSON lines from stdin ({"kind": ..., "severity": ..., "body": {...}}), e.g. the
          output of another tool; exits once stdin ends and the spool is drained.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path
from types import FrameType

import orjson

from sensor.delivery.agent import DeliveryAgent, DeliveryConfig
from sensor.delivery.shipper import ShipperConfig
from sensor.delivery.spool import DEFAULT_MAX_BYTES
from sensor.schema.records import RecordKind, record_severity
from sensor.schema.timestamps import utc_now
from sensor.schema.vocabulary import Level


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sensor.delivery", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--state-dir", type=Path, required=True)
    p.add_argument("--collector", required=True, help="collector base URL, e.g. http://127.0.0.1:8765")
    p.add_argument("--enroll-secret")
    p.add_argument("--ca-bundle")
    p.add_argument("--proxy", help="HTTP(S) proxy URL for the collector")
    p.add_argument("--spool-max-bytes", type=int, default=DEFAULT_MAX_BYTES)
    p.add_argument("--batch-records", type=int, default=500)
    p.add_argument("--backoff-max", type=float, default=60.0)
    p.add_argument("--read-timeout", type=float, default=30.0)
    p.add_argument("--verbose", action="store_true")
    sub = p.add_subparsers(dest="mode", required=True)
    drill = sub.add_parser("drill")
    drill.add_argument("--until-seq", type=int, required=True)
    drill.add_argument("--rate", type=float, default=200.0, help="alerts per second")
    drill.add_argument("--severities", default="0,1,2,3,4",
                       help="comma list; record n gets severities[n mod len]")
    drill.add_argument("--pad", type=int, default=200, help="bytes of padding per alert body")
    drill.add_argument("--no-ship-until-done", action="store_true",
                       help="produce everything first, then start shipping")
    sub.add_parser("pipe")
    return p


def _agent(args: argparse.Namespace) -> DeliveryAgent:
    proxies = {"http": args.proxy, "https": args.proxy} if args.proxy else None
    shipper = ShipperConfig(collector_url=args.collector, enroll_secret=args.enroll_secret,
                            ca_bundle=args.ca_bundle, proxies=proxies, batch_records=args.batch_records,
                            backoff_max=args.backoff_max, read_timeout=args.read_timeout,
                            idle_wait=0.2)
    return DeliveryAgent(DeliveryConfig(state_dir=args.state_dir, shipper=shipper,
                                        spool_max_bytes=args.spool_max_bytes))


def _drill(agent: DeliveryAgent, args: argparse.Namespace) -> None:
    severities = [int(s) for s in args.severities.split(",")]
    interval = 1.0 / args.rate if args.rate > 0 else 0.0
    next_at = time.monotonic()
    while True:
        seq = agent.spool.last_seq() + 1
        if seq > args.until_seq:
            break
        severity = severities[seq % len(severities)]
        body = {"rule_id": "clawwatch-delivery-drill", "title": "delivery drill", "level": Level.informational.value,
                "n": seq, "UtcTime": utc_now(), "pad": "x" * args.pad}
        agent.spool.put(RecordKind.alert, body, severity)  # the drill ships bodies as they are, not typed
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def _pipe(agent: DeliveryAgent) -> None:
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
            kind, body, severity = RecordKind(item.get("kind", "event")), item["body"], item.get("severity")
            if severity is None:
                severity = record_severity(body.get("level")) if kind == RecordKind.alert else 0
            agent.spool.put(kind, body, severity)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            print(f"[delivery] skipped a line that is not a record: {type(exc).__name__}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="[delivery] %(message)s")
    agent = _agent(args)
    def _on_term(_sig: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _on_term)
    print(f"[delivery] host {agent.host_id} -> {args.collector}", file=sys.stderr, flush=True)
    try:
        if not (args.mode == "drill" and args.no_ship_until_done):
            agent.start()
        if args.mode == "drill":
            _drill(agent, args)
        else:
            _pipe(agent)
        last = agent.spool.last_seq()
        print(f"[delivery] produced up to seq {last}; draining", file=sys.stderr, flush=True)
        agent.drain()
        stats = agent.spool.stats()
        print(f"[delivery] drained: delivered={agent.shipper.stats.delivered if agent.shipper else 0} "
              f"dropped={stats.dropped_total} rejected={stats.rejected_total}", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        return 130
    finally:
        agent.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
