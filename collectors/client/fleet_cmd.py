"""`clawwatch fleet hosts|host|installs|summary`: the fleet inventory from a collector.

Examples::

    clawwatch fleet hosts --collector https://cw:8765 --grant slack --exposed
    clawwatch fleet hosts --grant gmail --grant slack --grant-mode all --format csv > hosts.csv
    clawwatch fleet host laptop-alice
"""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import quote

import orjson

from collectors.client.collector_client import CollectorClient, CollectorError, add_connection_args
from collectors.client.listing import Row, fail, list_page, print_json
from collectors.client.table_render import render, when
from sensor.schema.vocabulary import GRANTS, Product

HOST_TABLE = (("hostname", "HOST"), ("os", "OS"), ("products", "PRODUCT"), ("versions", "VERSION"),
              ("owners", "OWNER"), ("running", "RUNNING"), ("exposed", "EXPOSED"), ("grants", "GRANTS"),
              ("last_seen_text", "LAST SEEN"), ("stale", "STALE"))
INSTALL_TABLE = (("hostname", "HOST"), ("product", "PRODUCT"), ("version", "VERSION"), ("owner", "OWNER"),
                 ("state_dir", "STATE DIR"), ("running", "RUNNING"), ("exposed", "EXPOSED"),
                 ("listen", "LISTENERS"), ("grants", "GRANTS"), ("status", "STATUS"))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("fleet", help="query the fleet inventory on a collector",
                            description="Query the fleet inventory kept by a clawwatch collector.")
    fleet_sub = parser.add_subparsers(dest="fleet_command", metavar="SUBCOMMAND", required=True)

    hosts = fleet_sub.add_parser("hosts", help="hosts, filtered (latest inventory per host)")
    _filters(hosts)
    hosts.set_defaults(func=run_hosts)

    installs = fleet_sub.add_parser("installs", help="OpenClaw installs across the fleet, filtered")
    _filters(installs)
    installs.add_argument("--include-removed", action="store_true", help="also list removed installs")
    installs.set_defaults(func=run_installs)

    host = fleet_sub.add_parser("host", help="one host: installs, grants, exposure, timeline")
    host.add_argument("host", metavar="HOSTNAME", help="hostname or host id")
    host.add_argument("--format", choices=("table", "json"), default="table")
    host.add_argument("--timeline", type=int, default=20, metavar="N", help="timeline entries to show")
    add_connection_args(host)
    host.set_defaults(func=run_host)

    summary = fleet_sub.add_parser("summary", help="counts: with OpenClaw, exposed, shell, Gmail, Slack")
    summary.add_argument("--format", choices=("table", "json"), default="table")
    add_connection_args(summary)
    summary.set_defaults(func=run_summary)


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--grant", action="append", default=[], choices=GRANTS, metavar="GRANT",
                        help=f"has this grant (repeatable): {', '.join(GRANTS)}")
    parser.add_argument("--grant-mode", choices=("any", "all"), default="any",
                        help="with several --grant: any of them (default) or all of them")
    exposed = parser.add_mutually_exclusive_group()
    exposed.add_argument("--exposed", dest="exposed", action="store_const", const=True, default=None,
                         help="a gateway listens on a non-loopback address")
    exposed.add_argument("--not-exposed", dest="exposed", action="store_const", const=False)
    running = parser.add_mutually_exclusive_group()
    running.add_argument("--running", dest="running", action="store_const", const=True, default=None)
    running.add_argument("--not-running", dest="running", action="store_const", const=False)
    stale = parser.add_mutually_exclusive_group()
    stale.add_argument("--stale", dest="stale", action="store_const", const=True, default=None,
                       help="no contact from the sensor for --stale-minutes")
    stale.add_argument("--fresh", dest="stale", action="store_const", const=False)
    parser.add_argument("--stale-minutes", type=int, default=15)
    parser.add_argument("--product", choices=[product.value for product in Product])
    parser.add_argument("--owner", help="install owner (user name)")
    parser.add_argument("--hostname", help="hostname contains this text")
    parser.add_argument("--version-min", help="lowest version, inclusive (e.g. 2026.1.0)")
    parser.add_argument("--version-max", help="highest version, inclusive")
    parser.add_argument("--last-seen-after", help="ISO 8601 time or epoch seconds")
    parser.add_argument("--last-seen-before", help="ISO 8601 time or epoch seconds")
    parser.add_argument("--sort", default="hostname", help="column; '-' prefix sorts descending")
    parser.add_argument("--limit", type=int, default=100, help="rows per page (max 1000; default 100)")
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--all", action="store_true", help="every matching row (export; ignores --limit)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    add_connection_args(parser)


def _params(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {
        "grant": args.grant, "grant_mode": args.grant_mode, "product": args.product, "owner": args.owner,
        "hostname": args.hostname, "version_min": args.version_min, "version_max": args.version_max,
        "last_seen_after": args.last_seen_after, "last_seen_before": args.last_seen_before,
        "sort": args.sort, "stale_minutes": args.stale_minutes,
    }
    for key in ("exposed", "running", "stale"):
        value = getattr(args, key)
        if value is not None:
            params[key] = "true" if value else "false"
    if getattr(args, "include_removed", False):
        params["include_removed"] = "true"
    return {key: value for key, value in params.items() if value not in (None, [], "")}


def _host_row(item: Row) -> Row:
    return {**item, "last_seen_text": when(item.get("last_seen"))}


def _install_row(item: Row) -> Row:
    listen = [f"{entry['address']}:{entry['port']}" for entry in item.get("listeners") or []]
    status = "removed " + when(item["removed_at"]) if item.get("removed_at") else "present"
    return {**item, "listen": listen, "status": status}


def run_hosts(args: argparse.Namespace) -> int:
    return list_page(args, "/api/v1/fleet/hosts", _params(args), HOST_TABLE, _host_row)


def run_installs(args: argparse.Namespace) -> int:
    return list_page(args, "/api/v1/fleet/installs", _params(args), INSTALL_TABLE, _install_row)


def run_host(args: argparse.Namespace) -> int:
    try:
        client = CollectorClient.from_args(args)
        detail = client.get_json(f"/api/v1/fleet/hosts/{_quote(args.host)}")
        timeline = client.get_json(f"/api/v1/fleet/hosts/{_quote(args.host)}/timeline",
                                   {"limit": max(1, args.timeline)})
    except CollectorError as exc:
        return fail(exc)
    if args.format == "json":
        print_json({**detail, "timeline": timeline})
        return 0
    print(f"{detail['hostname']}  (host id {detail['host_id']}, sensor {detail['sensor_version'] or '?'})")
    stale = "  STALE" if detail["stale"] else ""
    print(f"last seen {when(detail['last_seen'])}{stale}; alerts: "
          + (", ".join(f"{count} {status}" for status, count in sorted(detail["alerts"].items())) or "none"))
    print()
    print(render([_install_row({**item}) for item in detail["installs"]], INSTALL_TABLE[1:]))
    print("\nTimeline (newest first):")
    for entry in timeline:
        print(f"  {when(entry['time'])}  {entry['type']:<9} {entry['what']}"
              + (f"  {orjson.dumps(entry['detail']).decode()[:120]}" if entry.get("detail") else ""))
    return 0


def run_summary(args: argparse.Namespace) -> int:
    try:
        counts = CollectorClient.from_args(args).get_json("/api/v1/fleet/summary")
    except CollectorError as exc:
        return fail(exc)
    if args.format == "json":
        print_json(counts, indent=False)
        return 0
    labels = (("enrolled", "enrolled hosts"), ("with_agent", "hosts with OpenClaw"), ("exposed", "exposed"),
              ("running", "running"), ("with_shell", "with shell"), ("with_gmail", "with Gmail"),
              ("with_slack", "with Slack"), ("stale", "stale"))
    for key, label in labels:
        print(f"{counts[key]:>8}  {label}")
    return 0


def _quote(value: str) -> str:
    return quote(value, safe="")
