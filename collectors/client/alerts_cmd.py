"""`clawwatch alerts list|show|ack|assign|close|reopen|note`: the alert queue on a collector.

Examples::

    clawwatch alerts list --status new --min-level high --since 2026-11-22T00:00Z
    clawwatch alerts show laptop-1234abcd:42 --format ocsf
    clawwatch alerts ack laptop-1234abcd:42 --note "looking at it"
    clawwatch alerts assign laptop-1234abcd:42 alice
"""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import quote

from collectors.client.collector_client import CollectorClient, CollectorError, add_connection_args
from collectors.client.listing import Row, fail, list_page, print_json
from collectors.client.table_render import when
from sensor.schema.vocabulary import Level

LEVELS = tuple(level.value for level in Level)
SHOWN_EVENT_FIELDS = ("Image", "CommandLine", "ParentImage", "TargetFilename", "DestinationHostname",
                      "AgentProduct")
ALERT_TABLE = (("record_id", "ID"), ("time_text", "TIME"), ("hostname", "HOST"), ("level", "LEVEL"),
               ("title", "RULE"), ("status", "STATUS"), ("assignee", "ASSIGNEE"))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("alerts", help="list and triage alerts on a collector",
                            description="The alert queue of a clawwatch collector: list, show, triage.")
    alerts_sub = parser.add_subparsers(dest="alerts_command", metavar="SUBCOMMAND", required=True)

    listing = alerts_sub.add_parser("list", help="alerts, filtered, newest first")
    listing.add_argument("--rule", dest="rule_id", help="Sigma rule id")
    listing.add_argument("--level", action="append", default=[], choices=LEVELS,
                         help="exact level (repeatable)")
    listing.add_argument("--min-level", choices=LEVELS, help="this level or higher")
    listing.add_argument("--host", help="host id or hostname")
    listing.add_argument("--since", help="ISO 8601 time or epoch seconds (inclusive)")
    listing.add_argument("--until", help="ISO 8601 time or epoch seconds (exclusive)")
    listing.add_argument("--status", action="append", default=[], choices=("new", "acknowledged", "closed"))
    listing.add_argument("--assignee")
    listing.add_argument("--sort", default="-ts", help="ts, level, hostname, rule_id, status; '-' descending")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--offset", type=int, default=0)
    listing.add_argument("--all", action="store_true", help="every matching alert (csv/json export)")
    listing.add_argument("--format", choices=("table", "json", "csv"), default="table")
    add_connection_args(listing)
    listing.set_defaults(func=run_list)

    show = alerts_sub.add_parser("show", help="one alert with its triage log")
    show.add_argument("record_id", metavar="ID", help="alert id as listed (host_id:seq)")
    show.add_argument("--format", choices=("table", "json", "ecs", "ocsf"), default="table")
    add_connection_args(show)
    show.set_defaults(func=run_show)

    for action, help_text in (("ack", "acknowledge"), ("close", "close"), ("reopen", "reopen")):
        cmd = alerts_sub.add_parser(action, help=f"{help_text} alerts")
        cmd.add_argument("record_ids", metavar="ID", nargs="+")
        cmd.add_argument("--note", default="", help="note recorded with the action")
        add_connection_args(cmd)
        cmd.set_defaults(func=run_triage, action=action)

    assign = alerts_sub.add_parser("assign", help="assign an alert to someone")
    assign.add_argument("record_ids", metavar="ID", nargs=1)
    assign.add_argument("assignee")
    assign.add_argument("--note", default="")
    add_connection_args(assign)
    assign.set_defaults(func=run_triage, action="assign")

    note = alerts_sub.add_parser("note", help="add a note to an alert")
    note.add_argument("record_ids", metavar="ID", nargs=1)
    note.add_argument("note")
    add_connection_args(note)
    note.set_defaults(func=run_triage, action="note")


def _row(item: Row) -> Row:
    return {**item, "time_text": when(item.get("time"))}


def run_list(args: argparse.Namespace) -> int:
    params = {key: value for key, value in {
        "rule_id": args.rule_id, "level": args.level, "min_level": args.min_level, "host": args.host,
        "since": args.since, "until": args.until, "status": args.status, "assignee": args.assignee,
        "sort": args.sort,
    }.items() if value not in (None, [], "")}
    return list_page(args, "/api/v1/alerts", params, ALERT_TABLE, _row, max_width=60, shown_range=False)


def run_show(args: argparse.Namespace) -> int:
    fmt = args.format if args.format in ("ecs", "ocsf") else "detail"
    try:
        alert = CollectorClient.from_args(args).get_json(f"/api/v1/alerts/{quote(args.record_id, safe=':')}",
                                                          {"format": fmt})
    except CollectorError as exc:
        return fail(exc)
    if args.format != "table":
        print_json(alert)
        return 0
    print(f"{alert['title']}\n  id {alert['record_id']}  level {alert['level']}  status {alert['status']}"
          + (f"  assignee {alert['assignee']}" if alert.get("assignee") else ""))
    print(f"  host {alert['hostname']} ({alert['host_id']})  at {when(alert['time'])}"
          f"  rule {alert['rule_id']}")
    event = alert["alert"].get("event") or {}
    for key in SHOWN_EVENT_FIELDS:
        if event.get(key) is not None:
            print(f"  {key}: {event[key]}")
    if alert["triage"]:
        print("Triage:")
        for entry in alert["triage"]:
            print(f"  {when(entry['at'])}  {entry['author']}  {entry['action']}  {entry['text']}")
    return 0


def run_triage(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"action": args.action, "note": args.note}
    if args.action == "assign":
        body["assignee"] = args.assignee
    try:
        client = CollectorClient.from_args(args)
        for record_id in args.record_ids:
            alert = client.post_json(f"/api/v1/alerts/{quote(record_id, safe=':')}/triage", body)
            print(f"{alert['record_id']}: {alert['status']}"
                  + (f", assigned to {alert['assignee']}" if alert.get("assignee") else ""))
    except CollectorError as exc:
        return fail(exc)
    return 0
