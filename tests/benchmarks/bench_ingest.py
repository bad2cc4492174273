"""Benchmark: collector ingest rate (alerts/s in batches) on SQLite and PostgreSQL, and delivery latency.

Run: ``.venv/bin/python tests/benchmarks/bench_ingest.py [--alerts N] [--batch B] [--clients C]``
(``make bench``). Starts a real collector process per database (SQLite file in a temp dir; PostgreSQL on
127.0.0.1:5432 in a fresh schema, dropped at the end), enrolls hosts through the API, then C client threads
post pre-built gzip batches of B alerts (real Alert bodies, as the shipper sends them) until N alerts are
stored. The rate counts only 200-acknowledged, stored alerts and is checked against the database.
Targets: >= 5,000 alerts/s on SQLite, >= 10,000 alerts/s on PostgreSQL. Client and collector share the
machine's cores, so the numbers are a floor.

Then the delivery latency: the real spool + shipper process (``python -m sensor.delivery drill``) produces
alerts at a steady rate; latency = collector ``received_at`` - record ``created_at`` (same clock), p50/p95.
This covers spool -> shipper -> collector -> stored; the sensor's detection time in front of it is not
included (see docs/collector.md).
"""

from __future__ import annotations

import argparse
import gzip
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson
import requests
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.integration.collector.processes import ENROLL_SECRET, Collector  # noqa: E402

PG_BASE = os.environ.get("CLAWWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGETS = {"sqlite": 5000.0, "postgresql": 10000.0}


def _alert(i: int) -> dict[str, object]:
    now = datetime.now(UTC).isoformat()
    return {
        "AlertId": str(uuid.uuid4()), "UtcTime": now, "Hostname": "bench-host",
        "rule_id": "5f0e1a8c-7d3b-4c55-9a51-3c1b7e0f4a21", "title": "OpenClaw gateway listening on all interfaces",
        "level": "high", "status": "stable", "tags": ["attack.t1133", "attack.persistence"],
        "matched": ["selection_listen"],
        "event": {"EventType": "listen", "Image": "/usr/bin/node", "CommandLine": "openclaw-gateway",
                  "User": "alice", "LocalIp": "0.0.0.0", "LocalPort": 18789 + (i % 5), "AgentProduct": "openclaw",
                  "InAgentTree": True, "AgentRootPid": 4242, "ProcessId": 4242 + i % 100},
    }


def _batches(host_id: str, start_seq: int, count: int, batch: int) -> list[bytes]:
    out = []
    seq = start_seq
    created = datetime.now(UTC).isoformat()
    for first in range(0, count, batch):
        records = []
        for _ in range(min(batch, count - first)):
            records.append({"record_id": f"{host_id}:{seq}", "host_id": host_id, "seq": seq, "kind": "alert",
                            "created_at": created, "severity": 3, "body": _alert(seq)})
            seq += 1
        out.append(gzip.compress(orjson.dumps({"host_id": host_id, "records": records}), 5))
    return out


def _scratch_db(kind: str, tmp: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}", None
    schema = f"cwbench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{PG_BASE}?options=-csearch_path%3D{schema}", schema


def _drop_schema(schema: str | None) -> None:
    if schema is None:
        return
    engine = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def _count(db_url: str) -> int:
    from collectors.store.database import normalize_url

    engine = create_engine(normalize_url(db_url))
    with engine.connect() as conn:
        n = int(conn.execute(text("SELECT count(*) FROM cw_records")).scalar_one())
    engine.dispose()
    return n


def bench_rate(kind: str, args: argparse.Namespace, tmp: Path, processes: int) -> dict[str, float]:
    db_url, schema = _scratch_db(kind, tmp)
    admin = "cw_bench_" + secrets.token_hex(12)
    collectors = [Collector(db_url=db_url, workdir=tmp / f"c{index}", admin_token=admin,
                            extra=["--host-rate", "0", "--enroll-rate", "0"]) for index in range(processes)]
    try:
        for collector in collectors:
            collector.workdir.mkdir(parents=True, exist_ok=True)
            collector.start()
        per_client = args.alerts // args.clients
        work: list[tuple[str, str, list[bytes]]] = []
        for c in range(args.clients):
            host_id = f"benchhost{c:04d}{uuid.uuid4().hex[:8]}"
            collector = collectors[c % len(collectors)]
            token = collector.api("POST", "/api/v1/enroll", json={"enroll_secret": ENROLL_SECRET,
                                                                  "host_id": host_id}).json()["token"]
            work.append((collector.url, token, _batches(host_id, 1, per_client, args.batch)))
        errors: list[str] = []

        def client(url: str, token: str, bodies: list[bytes]) -> None:
            session = requests.Session()
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                       "Content-Encoding": "gzip"}
            for body in bodies:
                resp = session.post(url + "/api/v1/ingest", data=body, headers=headers, timeout=60)
                if resp.status_code != 200:
                    errors.append(f"{resp.status_code} {resp.text[:200]}")

        threads = [threading.Thread(target=client, args=w) for w in work]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        stored = _count(db_url)
        if errors or stored != per_client * args.clients:
            raise SystemExit(f"{kind}: {len(errors)} errors ({errors[:3]}), stored {stored}")
        return {"alerts": float(stored), "seconds": elapsed, "rate": stored / elapsed}
    finally:
        for collector in collectors:
            collector.kill()
        _drop_schema(schema)


def bench_latency(kind: str, args: argparse.Namespace, tmp: Path) -> dict[str, float]:
    db_url, schema = _scratch_db(kind, tmp)
    collector = Collector(db_url=db_url, workdir=tmp, admin_token="cw_bench_" + secrets.token_hex(12))
    try:
        collector.start()
        n = int(args.latency_rate * args.latency_seconds)
        proc = subprocess.run(
            [sys.executable, "-m", "sensor.delivery", "--state-dir", str(tmp / f"sensor-{kind}"),
             "--collector", collector.url, "--enroll-secret", ENROLL_SECRET,
             "drill", "--until-seq", str(n), "--rate", str(args.latency_rate)],
            capture_output=True, timeout=args.latency_seconds * 5 + 60, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"delivery drill failed: {proc.stderr.decode()[-2000:]}")
        from collectors.store.database import normalize_url

        engine = create_engine(normalize_url(db_url))
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT created_at, received_at FROM cw_records")).all()
        engine.dispose()
        lat = sorted(r[1] - datetime.fromisoformat(r[0]).timestamp() for r in rows)
        return {"records": float(len(lat)), "p50_ms": statistics.median(lat) * 1000,
                "p95_ms": lat[int(len(lat) * 0.95) - 1] * 1000, "max_ms": lat[-1] * 1000}
    finally:
        collector.kill()
        _drop_schema(schema)


def stage_breakdown(kind: str, tmp: Path, count: int = 10000, batch: int = 500) -> dict[str, float]:
    """Records/s of each ingest stage, in process, one thread: where the collector's time goes."""
    from collectors.fleet.projection import after_ingest
    from collectors.ingest.read import read_fresh
    from collectors.ingest.writer import write_batch
    from collectors.store import open_store, tables
    from sensor.schema.wire import IngestBatch

    db_url, schema = _scratch_db(kind, tmp)
    store = open_store(db_url)
    try:
        host = f"stagehost{uuid.uuid4().hex[:10]}"
        with store.engine.begin() as conn:
            conn.execute(tables.hosts.insert().values(
                host_id=host, hostname="bench", sensor_version="", enrolled_at=0, max_seq=0, record_count=0,
                duplicate_count=0, spool_dropped_total=0, spool_rejected_total=0))
        raw = [gzip.decompress(b) for b in _batches(host, 1, count, batch)]
        spent = {"parse+validate": 0.0, "store (idempotent insert)": 0.0, "fleet projection": 0.0}
        for body in raw:
            t0 = time.perf_counter()
            parsed = IngestBatch.model_validate_json(body)
            t1 = time.perf_counter()
            with store.engine.begin() as conn:
                now = time.time()
                result = write_batch(conn, parsed, now, None)
                t2 = time.perf_counter()
                after_ingest(conn, parsed, result.inserted_seqs, now, read_fresh(parsed, result.inserted_seqs))
            t3 = time.perf_counter()
            spent["parse+validate"] += t1 - t0
            spent["store (idempotent insert)"] += t2 - t1
            spent["fleet projection"] += t3 - t2
        return {k: count / v for k, v in spent.items()}
    finally:
        store.dispose()
        _drop_schema(schema)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alerts", type=int, default=60000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--pg-collectors", type=int, default=2,
                        help="collector processes sharing the PostgreSQL database (the fleet deployment; SQLite "
                             "always gets one: its single writer lock is the limit there)")
    parser.add_argument("--latency-rate", type=float, default=50.0)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"ingest benchmark: {args.alerts} alerts, batches of {args.batch}, {args.clients} client threads, "
          f"{os.cpu_count()} cores shared by clients and collector; load average {os.getloadavg()[0]:.1f}")
    ok = True
    for kind in args.databases.split(","):
        with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
            processes = args.pg_collectors if kind == "postgresql" else 1
            r = bench_rate(kind, args, Path(tmp), processes)
            target = TARGETS[kind]
            verdict = "ok" if r["rate"] >= target else "BELOW TARGET"
            ok &= r["rate"] >= target
            print(f"  {kind:10s} ingest ({processes} collector process{'es' if processes > 1 else ''}): "
                  f"{r['alerts']:.0f} alerts in {r['seconds']:.2f} s = {r['rate']:,.0f} "
                  f"alerts/s (target {target:,.0f}/s, ratio {r['rate'] / target:.2f}) {verdict}")
        with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
            stages = stage_breakdown(kind, Path(tmp))
            print(f"  {kind:10s} stages (in process, one thread, records/s): "
                  + ", ".join(f"{name} {rate:,.0f}" for name, rate in stages.items()))
        with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
            lat = bench_latency(kind, args, Path(tmp))
            print(f"  {kind:10s} delivery latency (spool -> stored) at {args.latency_rate:.0f} alerts/s: "
                  f"p50 {lat['p50_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} ms, max {lat['max_ms']:.0f} ms "
                  f"over {lat['records']:.0f} records (target p95 <= 2000 ms end to end)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
