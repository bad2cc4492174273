"""Benchmark: a simulated fleet of N hosts (default 100,000) against real collector processes on PostgreSQL.

Run: ``.venv/bin/python tests/benchmarks/bench_fleet.py [--hosts N] [--heartbeat-seconds S]`` (``make bench``;
``--hosts 2000`` for a quick check). Needs the PostgreSQL on 127.0.0.1:5432 (``scripts/ensure-postgres.sh``);
works in a fresh schema it drops at the end.

Phases, each timed on its own:
1. enrollment: ``--api-enroll`` hosts enroll through ``POST /api/v1/enroll`` (each costs a salted scrypt
   check of the enroll secret, by design); the other hosts are provisioned in bulk through the store's own
   credential functions (the same rows enrollment writes), because N scrypt checks would take hours here.
2. snapshots: every host ships one inventory snapshot (``kind: inventory``, a ScanReport: ~35% of hosts
   run OpenClaw, some several installs, ~6% exposed, grants drawn per install) through ``POST /api/v1/ingest``
   with its own sensor token; the collector projects them into the fleet tables in the same transaction.
3. heartbeats: hosts, round-robin, ship their heartbeat for ``--heartbeat-seconds``: a sensor health report
   as the real daemon ships one every 5 minutes (``[collector] heartbeat_s``); the sustained rate is the
   number stored divided by the time (target >= 333/s: 100,000 hosts every 5 minutes). Also printed:
   the CPU seconds per heartbeat of the collectors, of the PostgreSQL backends and of this simulator (they
   share the cores), and the database growth per heartbeat.
4. queries: the fleet/alert queries of the API and the console page, each ``--query-repeats`` times, as an
   analyst over HTTP; p50/p95 per query and overall (target p95 <= 100 ms).
5. database size: ``pg_total_relation_size`` of every table of the schema.

Load comes from ``--concurrency`` client threads spread over ``--collectors`` collector processes sharing
the one database (the deployment the design describes). Client and servers share this machine's cores, so
ingest goes over kept-alive ``http.client`` connections with bodies built by orjson: the simulator's own CPU
per request is a fraction of the collector's.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import signal
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import orjson  # noqa: E402
import psutil  # noqa: E402
import requests  # noqa: E402
from sqlalchemy import create_engine, insert, text  # noqa: E402

from collectors.store import tables  # noqa: E402
from collectors.store.credentials import new_token, token_hash  # noqa: E402
from sensor.schema.inventory import GRANTS  # noqa: E402
from tests.integration.collector.processes import ENROLL_SECRET, Collector  # noqa: E402

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_HEARTBEATS = 333.0
TARGET_P95_MS = 100.0
_local = threading.local()


def session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
        _local.session.trust_env = False
    s: requests.Session = _local.session
    return s


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


# --- simulated inventory ----------------------------------------------------------------------------------

def make_snapshot(rng: random.Random, hostname: str) -> dict[str, Any]:
    installs = []
    if rng.random() < 0.35:
        for index in range(1 if rng.random() < 0.9 else 2):
            product = "openclaw" if rng.random() < 0.9 else rng.choice(["clawdbot", "moltbot"])
            running = rng.random() < 0.6
            exposed = running and rng.random() < 0.17
            grants = [g for g in GRANTS if rng.random() < {"shell": 0.7, "filesystem": 0.6, "browser": 0.4,
                                                            "slack": 0.15, "gmail": 0.12}.get(g, 0.05)]
            owner = f"user{rng.randrange(5000)}"
            installs.append({
                "install_id": uuid.uuid4().hex, "product": product,
                "variant": "default" if product == "openclaw" else f"legacy:{product}",
                "state_dir": f"/home/{owner}/.{product}{'-' + str(index) if index else ''}", "owner": owner,
                "version": f"2026.{rng.randrange(1, 10)}.{rng.randrange(0, 30)}", "running": running,
                "exposed": exposed, "grants": grants,
                "listeners": [{"address": "0.0.0.0" if exposed else "127.0.0.1", "port": 18789,
                               "exposed": exposed}] if running else [],
            })
    return {"host": {"hostname": hostname, "os": rng.choice(["linux", "macos", "windows"]),
                     "sensor_version": "0.1.0", "scanned_at": now_iso()},
            "installs": installs}


def make_health(host: Host) -> dict[str, Any]:
    """A health report as ``clawwatch sensor run`` ships it every 5 minutes (its heartbeat): the shape of one
    captured from the real daemon, about 500 bytes, with the counters moving."""
    n = host.seq
    return {"EventId": uuid.uuid4().hex, "UtcTime": now_iso(), "Hostname": host.hostname, "category": "sensor_health",
            "product": "linux", "source": "daemon",
            "Counters": {"cpu_permille": 3 + n % 7, "drops": 0, "events": 40 * n, "files.watched_dirs": 6,
                         "inventory_snapshots": 1 + n // 12, "openclaw_state.accepted": n, "openclaw_state.scans": n,
                         "openclaw_state.watched_dirs": 3, "overflows": 0, "processes.accepted": 35 * n,
                         "processes.execs": 35 * n, "processes.exited_before_read": 2 * n, "queue_depth": 0,
                         "restarts": 0, "rss_kb": 58000 + n % 900, "rule_errors": 0}}


class Host:
    __slots__ = ("host_id", "hostname", "seq", "token")

    def __init__(self, host_id: str, hostname: str, token: str, seq: int = 0) -> None:
        self.host_id, self.hostname, self.token, self.seq = host_id, hostname, token, seq


class Connection:
    """One kept-alive HTTP/1.1 connection per client thread (http.client: the simulator should spend as little
    CPU per request as it can, because it shares this machine's cores with the collectors it measures)."""

    def __init__(self, url: str) -> None:
        parsed = urlsplit(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: bytes, token: str) -> int:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request("POST", path, body, headers)
                resp = self.conn.getresponse()
                resp.read()
                return resp.status
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def connection(url: str) -> Connection:
    conns: dict[str, Connection] = _local.__dict__.setdefault("conns", {})
    if url not in conns:
        conns[url] = Connection(url)
    return conns[url]


def ship(url: str, host: Host, kind: str, body: dict[str, Any]) -> bool:
    host.seq += 1
    record = {"record_id": f"{host.host_id}:{host.seq}", "host_id": host.host_id, "seq": host.seq, "kind": kind,
              "created_at": now_iso(), "severity": 0, "body": body}
    # The real shipper sends its spool's counters with every batch (the collector keeps them on the host row).
    spool = {"dropped_total": 0, "rejected_total": 0, "dropped_by_severity": {}, "queued_records": 0,
             "queued_bytes": 0}
    payload = orjson.dumps({"host_id": host.host_id, "records": [record], "spool": spool})
    return connection(url).post("/api/v1/ingest", payload, host.token) == 200


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (the collectors, the PostgreSQL backends)."""
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def postgres_backend_pids(db_url: str) -> list[int]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [int(pid) for (pid,) in conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))]
    finally:
        engine.dispose()


# --- phases -----------------------------------------------------------------------------------------------

def enroll_via_api(urls: list[str], count: int, concurrency: int) -> tuple[list[Host], float]:
    def one(index: int) -> Host:
        host_id = f"bench-{index:07d}"
        resp = session().post(f"{urls[index % len(urls)]}/api/v1/enroll", timeout=60, json={
            "enroll_secret": ENROLL_SECRET, "host_id": host_id, "hostname": f"host-{index:07d}"})
        resp.raise_for_status()
        return Host(host_id, f"host-{index:07d}", resp.json()["token"], resp.json()["next_seq"] - 1)

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        hosts = list(pool.map(one, range(count)))
    return hosts, time.perf_counter() - start


def provision_in_bulk(db_url: str, first: int, last: int) -> tuple[list[Host], float]:
    """The rows enrollment writes (host + hashed sensor token), inserted in batches."""
    engine = create_engine(db_url)
    hosts: list[Host] = []
    start = time.perf_counter()
    with engine.begin() as conn:
        for low in range(first, last, 5000):
            host_rows, token_rows = [], []
            for index in range(low, min(last, low + 5000)):
                host = Host(f"bench-{index:07d}", f"host-{index:07d}", new_token())
                hosts.append(host)
                host_rows.append({"host_id": host.host_id, "hostname": host.hostname, "sensor_version": "0.1.0",
                                  "enrolled_at": time.time(), "last_seen": None, "last_addr": None, "max_seq": 0,
                                  "record_count": 0, "duplicate_count": 0, "spool_dropped_total": 0,
                                  "spool_rejected_total": 0})
                token_rows.append({"token_id": secrets.token_hex(8), "token_hash": token_hash(host.token),
                                   "role": "sensor", "host_id": host.host_id, "label": "bench",
                                   "created_at": time.time(), "revoked_at": None})
            conn.execute(insert(tables.hosts), host_rows)
            conn.execute(insert(tables.tokens), token_rows)
    engine.dispose()
    return hosts, time.perf_counter() - start


def drive(urls: list[str], hosts: list[Host], concurrency: int, body: Callable[[Host], tuple[str, dict[str, Any]]],
          *, seconds: float | None, label: str) -> tuple[int, int, float]:
    """Ship one record per host (round-robin, repeating when ``seconds`` is set); returns ok, failed, elapsed."""
    counter = {"next": 0, "ok": 0, "failed": 0}
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds if seconds else None
    total = len(hosts)

    def worker(worker_index: int) -> None:
        url = urls[worker_index % len(urls)]
        while True:
            with lock:
                index = counter["next"]
                counter["next"] += 1
            if deadline is None and index >= total:
                return
            if deadline is not None and time.perf_counter() >= deadline:
                return
            host = hosts[index % total]
            kind, payload = body(host)
            ok = ship(url, host, kind, payload)
            with lock:
                counter["ok" if ok else "failed"] += 1
                done = counter["ok"] + counter["failed"]
            if done % 10_000 == 0:
                rate = done / (time.perf_counter() - start)
                print(f"  [{label}] {done:,} records, {rate:,.0f}/s", file=sys.stderr, flush=True)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counter["ok"], counter["failed"], time.perf_counter() - start


QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    ("summary counts", "/api/v1/fleet/summary", {}),
    ("hosts, first page", "/api/v1/fleet/hosts", {}),
    ("hosts exposed + gmail", "/api/v1/fleet/hosts", {"exposed": "true", "grant": "gmail"}),
    ("hosts grant any slack,gmail", "/api/v1/fleet/hosts", {"grant": ["slack", "gmail"]}),
    ("hosts grant all shell,slack", "/api/v1/fleet/hosts", {"grant": ["shell", "slack"], "grant_mode": "all"}),
    ("hosts running", "/api/v1/fleet/hosts", {"running": "true"}),
    ("hosts version range", "/api/v1/fleet/hosts", {"version_min": "2026.5.0", "version_max": "2026.7.99"}),
    ("hosts owner", "/api/v1/fleet/hosts", {"owner": "user42"}),
    ("hosts stale", "/api/v1/fleet/hosts", {"stale": "true"}),
    ("hosts by last seen desc", "/api/v1/fleet/hosts", {"sort": "-last_seen"}),
    ("hosts deep page", "/api/v1/fleet/hosts", {"offset": 50_000}),
    ("hosts hostname substring", "/api/v1/fleet/hosts", {"hostname": "00042"}),
    ("installs exposed", "/api/v1/fleet/installs", {"exposed": "true"}),
    ("one host detail", "/api/v1/fleet/hosts/host-0000007", {}),
    ("one host timeline", "/api/v1/fleet/hosts/host-0000007/timeline", {}),
    ("alerts queue", "/api/v1/alerts", {"status": "new"}),
]


def run_queries(url: str, token: str, repeats: int, hosts: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    headers = {"Authorization": f"Bearer {token}"}
    for name, path, params in QUERIES:
        if params.get("offset", 0) >= hosts:
            params = {**params, "offset": hosts // 2}
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            resp = session().get(url + path, params=params, headers=headers, timeout=60)
            samples.append((time.perf_counter() - start) * 1000)
            if resp.status_code != 200:
                raise RuntimeError(f"{name}: HTTP {resp.status_code} {resp.text[:200]}")
        timings[name] = samples
    cookie = {"cw_console": token}
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        resp = session().get(url + "/console/", params={"exposed": "true", "grant": "gmail"}, cookies=cookie,
                             timeout=60)
        samples.append((time.perf_counter() - start) * 1000)
        assert resp.status_code == 200, resp.status_code
    timings["console fleet page (exposed+gmail)"] = samples
    return timings


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def database_size(db_url: str) -> list[tuple[str, int]]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY 2 DESC"))
        sizes = [(str(name), int(size)) for name, size in rows]
    engine.dispose()
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=100_000)
    parser.add_argument("--api-enroll", type=int, default=200, help="hosts enrolled through the API")
    parser.add_argument("--collectors", type=int, default=2, help="collector processes sharing the database")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads")
    parser.add_argument("--heartbeat-seconds", type=float, default=60.0)
    parser.add_argument("--query-repeats", type=int, default=30)
    parser.add_argument("--pg", default=PG_BASE, help="PostgreSQL URL (a scratch schema is created in it)")
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    args, _unknown = parser.parse_known_args()
    # A SIGTERM (timeout, Ctrl-C from a wrapper) still runs the clean-up below: collectors stopped, schema dropped.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))

    schema = f"cwbench_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db_url = f"{args.pg}?options=-csearch_path%3D{schema}"
    workdir = Path(f"/tmp/{schema}")
    workdir.mkdir(parents=True, exist_ok=True)
    admin_token = "cw_admin_" + secrets.token_hex(16)
    collectors = [Collector(db_url=db_url, workdir=workdir / f"c{i}", admin_token=admin_token,
                            extra=["--enroll-rate", "0", "--host-rate", "0"]) for i in range(args.collectors)]
    rng = random.Random(7)
    try:
        for collector in collectors:
            collector.workdir.mkdir(parents=True, exist_ok=True)
            collector.start(timeout=120)
        urls = [c.url for c in collectors]
        api_count = min(args.api_enroll, args.hosts)
        print(f"fleet benchmark: {args.hosts:,} hosts, {args.collectors} collector processes on PostgreSQL, "
              f"{args.concurrency} client threads; load average {os.getloadavg()[0]:.1f}", flush=True)

        api_hosts, api_seconds = enroll_via_api(urls, api_count, min(args.concurrency, 8))
        bulk_hosts, bulk_seconds = provision_in_bulk(db_url, api_count, args.hosts)
        hosts = api_hosts + bulk_hosts
        print(f"enrollment: {api_count} via API in {api_seconds:.1f} s ({api_count / api_seconds:,.0f}/s, "
              f"scrypt-checked); {len(bulk_hosts):,} provisioned in bulk in {bulk_seconds:.1f} s", flush=True)

        snapshots = {host.host_id: make_snapshot(rng, host.hostname) for host in hosts}
        ok, failed, seconds = drive(urls, hosts, args.concurrency,
                                    lambda h: ("inventory", snapshots[h.host_id]), seconds=None, label="snapshots")
        print(f"snapshots: {ok:,} stored ({failed} failed) in {seconds:.1f} s = {ok / seconds:,.0f}/s", flush=True)

        server_pids = [c.proc.pid for c in collectors if c.proc is not None]
        backend_pids = postgres_backend_pids(db_url)
        cpu_before = (cpu_seconds(server_pids), cpu_seconds(backend_pids), time.process_time())
        bytes_before = sum(size for _, size in database_size(db_url))
        ok, failed, seconds = drive(urls, hosts, args.concurrency,
                                    lambda h: ("health", make_health(h)), seconds=args.heartbeat_seconds,
                                    label="heartbeats")
        cpu_used = (cpu_seconds(server_pids) - cpu_before[0], cpu_seconds(backend_pids) - cpu_before[1],
                    time.process_time() - cpu_before[2])
        heartbeat_rate = ok / seconds
        bytes_per_heartbeat = (sum(size for _, size in database_size(db_url)) - bytes_before) / max(ok, 1)
        verdict = "PASS" if heartbeat_rate >= TARGET_HEARTBEATS else "FAIL"
        print(f"heartbeats: {ok:,} stored ({failed} failed) in {seconds:.1f} s = {heartbeat_rate:,.0f}/s sustained "
              f"(target >= {TARGET_HEARTBEATS:.0f}/s) {verdict}; ratio {heartbeat_rate / TARGET_HEARTBEATS:.2f}x",
              flush=True)
        if ok:
            print(f"  CPU per heartbeat: collectors {cpu_used[0] / ok * 1e3:.2f} ms, PostgreSQL backends "
                  f"{cpu_used[1] / ok * 1e3:.2f} ms, this simulator {cpu_used[2] / ok * 1e3:.2f} ms "
                  f"({os.cpu_count()} cores shared by all three)", flush=True)
            print(f"  database growth: {bytes_per_heartbeat:,.0f} bytes per heartbeat stored "
                  f"({bytes_per_heartbeat * 288 * args.hosts / 1e9:,.1f} GB a day at {args.hosts:,} hosts "
                  f"every 5 minutes)", flush=True)

        analyst = requests.post(f"{urls[0]}/api/v1/admin/tokens", json={"role": "analyst"}, timeout=30,
                                headers={"Authorization": f"Bearer {admin_token}"}).json()["token"]
        timings = run_queries(urls[0], analyst, args.query_repeats, args.hosts)
        print(f"\nqueries at {args.hosts:,} hosts ({args.query_repeats} runs each, ms):")
        print(f"  {'query':<38} {'p50':>8} {'p95':>8}")
        for name, samples in timings.items():
            print(f"  {name:<38} {statistics.median(samples):8.1f} {p95(samples):8.1f}")
        everything = [s for samples in timings.values() for s in samples]
        worst = max(p95(samples) for samples in timings.values())
        verdict = "PASS" if worst <= TARGET_P95_MS else "FAIL"
        print(f"  all queries: p95 {p95(everything):.1f} ms, worst per-query p95 {worst:.1f} ms "
              f"(target <= {TARGET_P95_MS:.0f} ms) {verdict}; ratio {TARGET_P95_MS / worst:.2f}x")

        sizes = database_size(db_url)
        total = sum(size for _, size in sizes)
        print(f"\ndatabase size: {total / 1e6:,.1f} MB ({total / args.hosts / 1024:.1f} KiB per host)")
        for name, size in sizes[:8]:
            print(f"  {name:<24} {size / 1e6:10.1f} MB")
    finally:
        for collector in collectors:
            collector.kill()
        if not args.keep:
            with admin_engine.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
