"""Output plumbing shared by `clawwatch fleet` and `clawwatch alerts`: errors, JSON, and list pages."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from collectors.client.collector_client import CollectorClient, CollectorError
from collectors.client.table_render import render
from collectors.exports.rows import to_csv

Row = dict[str, Any]


def fail(exc: CollectorError) -> int:
    print(f"clawwatch: {exc}", file=sys.stderr)
    return 1


def print_json(value: Any, *, indent: bool = True) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else None).decode() + "\n")


def list_page(args: argparse.Namespace, path: str, params: dict[str, Any], table: Sequence[tuple[str, str]],
              decorate: Callable[[Row], Row], *, max_width: int = 40, shown_range: bool = True) -> int:
    """One page of ``path`` (``--limit``/``--offset``) as a table, JSON or CSV; with ``--all`` and
    csv/json, the collector's whole export of ``path``. The table's footer says how many matched and
    which rows are shown (``shown_range``) or how many."""
    try:
        client = CollectorClient.from_args(args)
        if args.all and args.format in ("csv", "json"):
            sys.stdout.write(client.get_text(f"{path}.{args.format}", params))
            return 0
        page = client.get_json(path, {**params, "limit": args.limit, "offset": args.offset})
    except CollectorError as exc:
        return fail(exc)
    items = page["items"]
    if args.format == "json":
        print_json(page)
    elif args.format == "csv":
        sys.stdout.write(to_csv(items, list(items[0].keys()) if items else []))
    else:
        print(render([decorate(item) for item in items], table, max_width=max_width))
        if not shown_range:
            shown = str(len(items))
        else:
            shown = f"{args.offset + 1}-{args.offset + len(items)}" if items else "0"
        total = f"{page['total']}" if page.get("total_exact", True) else f"more than {page['total']}"
        print(f"\n{total} matching, showing {shown}")
    return 0
