"""`clawwatch collector serve|migrate`: run the collector on uvicorn, or bring its database up to date."""

from __future__ import annotations

import argparse
import math
import os
import socket
import sys
from pathlib import Path

import uvicorn

from collectors.api.app import create_app
from collectors.api.settings import CollectorSettings
from collectors.forwarders.config import ConfigError, build_forwarders, load
from collectors.forwarders.relay import Forwarding
from collectors.store import maintenance, migrations, open_store, retention
from collectors.store.credentials import Role, count_tokens, create_token, ensure_enroll_secret, ensure_token

FORWARDERS_ENV = "CLAWWATCH_FORWARDERS"


def _not_negative(text: str) -> float:
    """argparse type: a finite number >= 0 (0 switches the feature off)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("collector", help="run the fleet collector (enrollment, ingest, storage)")
    inner = parser.add_subparsers(dest="collector_command", metavar="ACTION", required=True)

    serve = inner.add_parser("serve", help="serve the collector API over HTTP(S)")
    _add_db(serve)
    serve.add_argument("--listen", default="127.0.0.1:8765", metavar="HOST:PORT",
                       help="address to listen on (default 127.0.0.1:8765; port 0 picks a free one)")
    serve.add_argument("--enroll-secret", default=os.environ.get("CLAWWATCH_ENROLL_SECRET"),
                       help="shared secret sensors exchange for a per-host token "
                            "(env CLAWWATCH_ENROLL_SECRET)")
    serve.add_argument("--admin-token", default=os.environ.get("CLAWWATCH_ADMIN_TOKEN"),
                       help="admin bearer token to accept (env CLAWWATCH_ADMIN_TOKEN); without it and "
                            "without any admin token in the database, one is generated and printed once")
    serve.add_argument("--admin-token-file", type=Path,
                       help="write a generated admin token to this file (mode 0600) instead of stderr")
    serve.add_argument("--tls-cert", type=Path, help="PEM certificate chain; enables HTTPS")
    serve.add_argument("--tls-key", type=Path, help="PEM private key of --tls-cert")
    serve.add_argument("--max-body-bytes", type=int, default=CollectorSettings.max_body_bytes)
    serve.add_argument("--host-rate", type=float, default=CollectorSettings.host_records_per_s,
                       help="records per second each host may send (token bucket; 0 disables)")
    serve.add_argument("--host-burst", type=float, default=CollectorSettings.host_records_burst)
    serve.add_argument("--enroll-rate", type=float, default=CollectorSettings.enroll_attempts_per_s,
                       help="enrollment attempts per second per client address (0 disables)")
    serve.add_argument("--forwarders", type=Path, default=os.environ.get(FORWARDERS_ENV) or None, metavar="FILE",
                       help="JSON file of SIEM forwarders (syslog, Splunk HEC, webhook) that get every new alert "
                            f"(env {FORWARDERS_ENV}); checked before the collector starts listening")
    serve.add_argument("--table-upkeep-interval", type=_not_negative, default=maintenance.DEFAULT_INTERVAL_S,
                       metavar="SECONDS",
                       help="how often the collector prunes old heartbeats and, on PostgreSQL with autovacuum "
                            "off, runs VACUUM (ANALYZE) on its tables (default 300; 0 never)")
    serve.add_argument("--heartbeat-retention-days", type=_not_negative, default=retention.DEFAULT_DAYS, metavar="DAYS",
                       help="delete heartbeats and sensor health reports older than this (default 7; 0 keeps "
                            "them forever). Inventory snapshots and alerts are always kept")
    serve.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    serve.set_defaults(func=_serve)

    migrate = inner.add_parser("migrate", help="create or upgrade the collector database, then exit")
    _add_db(migrate)
    migrate.set_defaults(func=_migrate)


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=os.environ.get("CLAWWATCH_COLLECTOR_DB"),
                        help="sqlite:///FILE, a file path, or postgresql://USER@HOST:PORT/DB "
                             "(env CLAWWATCH_COLLECTOR_DB; default: collector.db in the user data dir)")


def _bind(listen: str) -> socket.socket:
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise SystemExit(f"--listen wants HOST:PORT, got {listen!r}")
    host = host.strip("[]") or "127.0.0.1"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: with protocol 0 asyncio never sets TCP_NODELAY on accepted sockets, and every
    # kept-alive response then waits for the client's delayed ACK (~40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, int(port)))
    except OSError as exc:
        sock.close()
        raise SystemExit(f"cannot listen on {listen}: {exc.strerror}; pick another --listen") from None
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _write_secret_file(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    os.chmod(path, 0o600)


def _provision(args: argparse.Namespace) -> None:
    store = open_store(args.db)
    try:
        with store.engine.begin() as conn:
            if args.enroll_secret:
                ensure_enroll_secret(conn, args.enroll_secret, "command line")
            if args.admin_token:
                ensure_token(conn, args.admin_token, Role.admin, "command line")
            elif count_tokens(conn, Role.admin) == 0:
                _, token = create_token(conn, Role.admin, label="generated at first start")
                if args.admin_token_file:
                    _write_secret_file(args.admin_token_file, token)
                    print(f"[collector] admin token written to {args.admin_token_file}", file=sys.stderr)
                else:
                    print(f"[collector] admin token (shown once, keep it): {token}", file=sys.stderr)
    finally:
        store.dispose()


def _forwarding(path: Path | None) -> Forwarding | None:
    """The forwarders of ``--forwarders`` built, not started; ConfigError when the file is unusable."""
    if path is None:
        return None
    config = load(path)
    forwarding = Forwarding(build_forwarders(config, path), config.min_level, config.outbox_poll_seconds)
    names = ", ".join(f.sink.name for f in forwarding.forwarders) or "nothing (the file lists no forwarders)"
    print(f"[collector] forwarding alerts of level {config.min_level} and above to {names} (from {path})",
          file=sys.stderr, flush=True)
    return forwarding


def _serve(args: argparse.Namespace) -> int:
    if bool(args.tls_cert) != bool(args.tls_key):
        print("--tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    try:  # before the database and the socket: a bad file stops the start, with the file and the problem named
        forwarding = _forwarding(args.forwarders)
    except ConfigError as exc:  # the message never carries a value from the file (no secret leaks)
        from_env = os.environ.get(FORWARDERS_ENV) == str(args.forwarders)
        drop = f"unset {FORWARDERS_ENV} (the default of --forwarders)" if from_env else "leave out --forwarders"
        print(f"[collector] not starting: {exc}. Fix the file or {drop}.",
              file=sys.stderr, flush=True)
        return 2
    _provision(args)
    store = open_store(args.db)
    settings = CollectorSettings(
        max_body_bytes=args.max_body_bytes, host_records_per_s=args.host_rate,
        host_records_burst=args.host_burst, enroll_attempts_per_s=args.enroll_rate,
    )
    sock = _bind(args.listen)
    host, port = sock.getsockname()[:2]
    upkeep = None
    if args.table_upkeep_interval > 0:
        keep_s = args.heartbeat_retention_days * 86400 if args.heartbeat_retention_days > 0 else None
        upkeep = maintenance.start_if_needed(store, args.table_upkeep_interval,
                                             min(maintenance.FIRST_RUN_AFTER_S, args.table_upkeep_interval), keep_s)
    if upkeep is not None and upkeep.heartbeat_retention_s is not None:
        print(f"[collector] heartbeat and health records older than {args.heartbeat_retention_days:g} days are "
              f"pruned every {args.table_upkeep_interval:g} s (--heartbeat-retention-days)", file=sys.stderr,
              flush=True)
    if upkeep is not None and upkeep.vacuum:
        print(f"[collector] PostgreSQL autovacuum is off: the collector vacuums and analyzes its tables every "
              f"{args.table_upkeep_interval:g} s (--table-upkeep-interval)", file=sys.stderr, flush=True)
    scheme = "https" if args.tls_cert else "http"
    config = uvicorn.Config(
        create_app(store, settings, forwarding), log_level=args.log_level, access_log=False,
        ssl_certfile=str(args.tls_cert) if args.tls_cert else None,
        ssl_keyfile=str(args.tls_key) if args.tls_key else None,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    print(f"[collector] listening on {scheme}://{host}:{port} (database: {store.dialect})",
          file=sys.stderr, flush=True)
    try:
        server.run(sockets=[sock])  # uvicorn picks its event loop (uvloop where installed)
    finally:
        if upkeep is not None:
            upkeep.stop()
        store.dispose()
    return 0


def _migrate(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    with store.engine.connect() as conn:
        print(f"[collector] schema version {migrations.current_version(conn)} ({store.dialect})")
    store.dispose()
    return 0
