"""`clawwatch scan [--home DIR ...] [--format table|json] [--fail-on LEVEL]`.

Exit codes: 0 nothing at or above ``--fail-on`` (default ``high``), 1 something was, 2 usage error
(argparse). Usable as a Jamf extension attribute / Intune detection script.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from sensor.inventory.scanner import scan_host
from sensor.schema.inventory import ScanReport
from sensor.schema.timestamps import format_utc
from sensor.schema.vocabulary import Level
from sensor.secrets import load_or_create_salt

DEFAULT_FAIL_ON = Level.high


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "scan",
        help="find OpenClaw/Clawdbot/Moltbot installs, what they can reach, and report findings",
        description="Scan this host for OpenClaw (ex-Clawdbot/Moltbot) installs. Read-only; runs nothing.",
    )
    parser.add_argument(
        "--home",
        action="append",
        type=Path,
        metavar="DIR",
        help="limit home discovery to DIR (repeatable); default: every account in the account database",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    parser.add_argument(
        "--fail-on",
        choices=[*(level.value for level in Level), "info"],  # info: the spelling before Sigma's
        default=DEFAULT_FAIL_ON.value,
        help="exit 1 when a finding at or above this severity exists (default: high)",
    )
    parser.add_argument("--no-processes", action="store_true", help="skip running processes and sockets")
    parser.add_argument("--salt-file", type=Path, help="fingerprint salt file (default: per-host salt)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    homes: list[Path] | None = args.home
    if homes is not None:
        missing = [str(h) for h in homes if not h.is_dir()]
        if missing:
            print(f"clawwatch scan: --home is not a directory: {', '.join(missing)}", file=sys.stderr)
            return 2
    salt = load_or_create_salt(args.salt_file) if args.salt_file is not None else None
    report = scan_host(homes, include_processes=not args.no_processes, salt=salt, system_wide=homes is None)
    if args.format == "json":
        sys.stdout.write(render_json(report))
    else:
        sys.stdout.write(render_table(report))
    return exit_code(report, Level(args.fail_on))


def exit_code(report: ScanReport, fail_on: Level) -> int:
    return 1 if any(f.severity.rank >= fail_on.rank for f in report.findings) else 0


def render_json(report: ScanReport) -> str:
    return orjson.dumps(report.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode() + "\n"


def _cell(value: object, width: int) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(report: ScanReport) -> str:
    """Plain-text report: one block per install, then findings sorted by severity."""
    lines: list[str] = []
    host = report.host
    lines.append(f"clawwatch scan  host={host.hostname}  os={host.os}  at={format_utc(host.scanned_at)}  "
                 f"root={host.is_root}")
    if not report.installs:
        lines.append("No OpenClaw/Clawdbot/Moltbot install found.")
    for inst in report.installs:
        lines.append("")
        lines.append(f"== {inst.product} ({inst.variant})  {inst.state_dir}")
        listeners = ", ".join(f"{li.address}:{li.port}" for li in inst.listeners) or "-"
        rows = [
            ("owner", inst.owner or "?"),
            (
                "version",
                f"{inst.version or 'unknown'}" + (f"  ({inst.version_source})" if inst.version_source else ""),
            ),
            ("config", inst.config_path or "-"),
            ("layout", inst.layout),
            ("running", f"{'yes' if inst.running else 'no'}" + (f"  pids {inst.pids}" if inst.pids else "")),
            ("listeners", listeners),
            (
                "exposed",
                f"{'YES' if inst.exposed else 'no'}  bind={inst.exposure.get('bind_mode')}"
                f"  auth={inst.exposure.get('auth_mode')}"
                f"  token={inst.exposure.get('token_length_class') or '-'}",
            ),
            ("grants", ", ".join(inst.grants) or "-"),
            ("persistence", ", ".join(f"{p.mechanism}:{p.name}" for p in inst.persistence) or "-"),
        ]
        for key, value in rows:
            lines.append(f"  {key:<12} {value}")
        if inst.grant_evidence:
            lines.append("  grant evidence:")
            for ev in inst.grant_evidence:
                risk = f"  [{'; '.join(ev.risk)}]" if ev.risk else ""
                lines.append(f"    {ev.grant:<14} {_cell(ev.source, 70)}{risk}")
        if inst.credentials:
            lines.append(f"  credentials ({len(inst.credentials)}):")
            lines.append(f"    {'KIND':<28} {'MODE':<5} {'LENGTH':<11} {'FINGERPRINT':<29} WHERE")
            for cred in inst.credentials:
                where = cred.path + (f" :: {cred.location}" if cred.location else "")
                lines.append(
                    f"    {_cell(cred.kind, 28):<28} {cred.mode or '-':<5} {cred.length_class or '-':<11} "
                    f"{_cell(cred.reference or cred.fingerprint, 29):<29} {where}"
                )
    if report.packages:
        lines.append("")
        lines.append("Packages:")
        for pkg in report.packages:
            lines.append(f"  {pkg.product:<9} {pkg.version or '?':<12} {pkg.method:<12} {pkg.path}")
    findings = sorted(report.findings, key=lambda f: -f.severity.rank)
    lines.append("")
    lines.append(f"Findings ({len(findings)}):")
    for finding in findings:
        lines.append(f"  {finding.severity.value.upper():<13} {finding.id:<28} {finding.title}")
        if finding.evidence:
            lines.append(f"           evidence: {_cell(finding.evidence, 160)}")
        if finding.path:
            lines.append(f"           path: {finding.path}")
        lines.append(f"           fix: {finding.remediation}")
    if report.warnings:
        lines.append("")
        lines.append(f"Warnings ({len(report.warnings)}):")
        lines.extend(f"  {w}" for w in report.warnings)
    return "\n".join(lines) + "\n"
