"""Canary: what the COLLECTOR stores and what the SENSOR's SPOOL holds never contains a secret value.

A real OpenClaw (onboarded, risky grants) under a scratch HOME is given distinct random canary secrets:
model API keys (Anthropic key in the auth profiles by onboarding, the mock provider's ``apiKey`` in
``openclaw.json``), the gateway auth token, hook and Gmail push tokens, a Slack bot token and a password
in ``~/.openclaw/.env``, a Gmail OAuth token in gogcli's keyring dir, gogcli's client secret,
``~/.ssh/id_ed25519``, AWS keys. The real sensor (``clawwatch sensor run --only-homes --home H``,
``ship_events = true`` so every event goes to the collector too) is started with a canary enroll secret
on its own command line and ships to a real ``clawwatch collector serve`` (SQLite file, or a scratch
PostgreSQL schema) whose admin token is a canary as well. One agent turn reads the SSH key and the
``.env`` with a canary ``--password`` on the exec shell's command line.

Once an inventory snapshot and the alerts are stored, every table and column of the collector database
(reflected; JSON values and JSON text walked leaf by leaf), the raw bytes of the collector's SQLite
file and its ``-wal``/``-shm``, the sensor's live spool (``spool.db`` + ``-wal``/``-shm`` raw bytes and its
rows, sampled while records flow: a clean stop checkpoints the WAL away), its state dir after the stop
(``host_id``, ``credential.json``, ``spool.db``), and both processes' logs are searched for every canary
value and its distinctive random core, raw, JSON-escaped, hex and base64 (at every byte alignment).
Positively, the stored inventory reports each planted credential by kind and path with a fingerprint.
The scanning helpers themselves are checked to find a planted leak (``test_dump_scanner_finds_*``).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from collectors.store.database import normalize_url
from sensor.delivery.spool import Spool
from tests.integration.collector.conftest import scratch_database
from tests.integration.collector.processes import CLAWWATCH, Collector, _env
from tests.support.fixtures import HostFactory
from tests.support.openclaw_host import Grants, OpenClawHost
from tests.unit.daemon.sensor_process import E2E_RULES, REPO

LISTENER_RULE = "4f0c2b8e-6a51-4d8e-9d47-0c1f3a9e2b11"
SSH_READ_RULE = "8d3e1f52-2b7a-4c69-a0f4-5e6d7c8b9a10"
_HEX_CORE = re.compile(r"[0-9a-f]{16,}")


# ---- needles: every form a leaked value could take ------------------------------------------------------

def _b64_aligned(data: bytes) -> set[bytes]:
    """Base64 (standard and URL-safe) of ``data`` at each of the 3 byte alignments inside a longer blob:
    only the characters that depend on ``data`` alone (no padding, no neighbour bits)."""
    out: set[bytes] = set()
    for off in range(3):
        for enc in (base64.b64encode, base64.urlsafe_b64encode):
            text = enc(b"\0" * off + data + b"\0\0\0")
            start = (0, 2, 3)[off]
            end = ((off + len(data)) // 3) * 4
            piece = text[start:end]
            if len(piece) >= 12:
                out.add(piece)
    return out


def needle_forms(value: str) -> set[bytes]:
    raw = value.encode()
    forms = {raw, json.dumps(value)[1:-1].encode(), json.dumps(value, ensure_ascii=True)[1:-1].encode(),
             raw.hex().encode(), raw.hex().upper().encode(), *_b64_aligned(raw)}
    return {f for f in forms if len(f) >= 8}


def needles(canaries: dict[str, str]) -> dict[bytes, str]:
    """needle bytes -> 'name (form)' for each canary and for its distinctive random hex core."""
    out: dict[bytes, str] = {}
    for name, value in canaries.items():
        parts = {value: name}
        for core in _HEX_CORE.findall(value):
            parts.setdefault(core, f"{name} core")
        for part, label in parts.items():
            for form in needle_forms(part):
                out.setdefault(form, label)
    return out


def find_leaks(blobs: Iterable[tuple[str, bytes]], canaries: dict[str, str]) -> list[str]:
    """'<canary> in <where>' for every needle form found; pieces are searched grouped by where they came from
    (a table.column, a file), hex forms case-insensitively."""
    table = needles(canaries)
    grouped: dict[str, list[bytes]] = {}
    for where, blob in blobs:
        grouped.setdefault(where, []).append(blob)
    hits = set()
    for where, parts in grouped.items():
        blob = b"\n\0".join(parts)  # a separator no needle contains: no match across two pieces
        lowered = blob.lower()
        for needle, label in table.items():
            if needle in blob or (_HEX_BYTES.fullmatch(needle) and needle.lower() in lowered):
                hits.add(f"{label} in {where}")
    return sorted(hits)


_HEX_BYTES = re.compile(rb"[0-9a-fA-F]+")


# ---- dumpers ---------------------------------------------------------------------------------------------

def _leaves(value: Any) -> Iterator[bytes]:
    """Every string in a (possibly JSON-text) value, decoded: keys and leaves, recursively."""
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        yield data
        try:
            yield from _leaves(orjson.loads(data))
        except orjson.JSONDecodeError:
            pass
        return
    if isinstance(value, str):
        yield value.encode("utf-8", "surrogatepass")
        stripped = value.strip()
        if stripped[:1] in ("{", "[", '"'):
            try:
                yield from _leaves(json.loads(stripped))
            except ValueError:
                pass
        return
    if isinstance(value, dict):
        for key, child in value.items():
            yield str(key).encode()
            yield from _leaves(child)
        yield json.dumps(value, default=str).encode()
        return
    if isinstance(value, list | tuple):
        for child in value:
            yield from _leaves(child)
        return
    yield str(value).encode()


def dump_database(url: str) -> list[tuple[str, bytes]]:
    """Every table and column of the database at ``url`` (SQLAlchemy reflection) as (where, text) pieces."""
    engine = sa.create_engine(normalize_url(url))
    pieces: list[tuple[str, bytes]] = []
    try:
        meta = sa.MetaData()
        meta.reflect(bind=engine)
        assert meta.tables, f"no tables reflected from {url}"
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                for row in conn.execute(sa.select(table)).mappings():
                    for column, value in row.items():
                        if value is None:
                            continue
                        where = f"{table.name}.{column}"
                        pieces.extend((where, leaf) for leaf in _leaves(value))
    finally:
        engine.dispose()
    return pieces


def dump_sqlite_rows(path: Path) -> list[tuple[str, bytes]]:
    """Every row of every table of a SQLite file (read on a copy: the original, WAL and all, is untouched)."""
    pieces: list[tuple[str, bytes]] = []
    with _sqlite_copy(path) as copy:
        conn = sqlite3.connect(copy)
        try:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            assert names, f"no tables in {path}"
            for name in names:
                for row in conn.execute(f'SELECT * FROM "{name}"'):  # names from sqlite_master
                    for index, value in enumerate(row):
                        if value is not None:
                            pieces.extend((f"{path.name}:{name}[{index}]", leaf) for leaf in _leaves(value))
        finally:
            conn.close()
    return pieces


@contextmanager
def _sqlite_copy(path: Path) -> Iterator[Path]:
    """A throw-away copy of a SQLite database with its -wal/-shm (opening it may checkpoint the copy)."""
    with tempfile.TemporaryDirectory(prefix="canary-dump-") as tmp:
        for suffix in ("", "-wal", "-shm"):
            src = Path(f"{path}{suffix}")
            if src.exists():
                shutil.copyfile(src, Path(tmp) / f"{path.name}{suffix}")
        yield Path(tmp) / path.name


def raw_files(*roots: Path) -> list[tuple[str, bytes]]:
    """Raw bytes of every file under the roots (databases, -wal, -shm, state files, logs)."""
    out = []
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            out.append((str(path), path.read_bytes()))
    return out


# ---- self-checks: the scanner finds a planted leak -------------------------------------------------------

def test_dump_scanner_finds_every_encoded_form(tmp_path: Path) -> None:
    """Each leak form (raw, JSON-escaped, hex, base64 at any alignment, inside JSON, in a BLOB, in the WAL)
    is found by the helpers the real test uses; a clean database is not flagged."""
    canary = f"FAKE-selfcheck-{secrets.token_hex(16)}"
    other = f"FAKE-other\n-{secrets.token_hex(16)}"  # newline: only its JSON-escaped form is in JSON text
    canaries = {"canary": canary, "other": other}
    forms = {
        "raw": canary.encode(),
        "json-escaped": json.dumps({"k": other}).encode(),
        "hex": canary.encode().hex().upper().encode(),
        "b64-off1": base64.b64encode(b"x" + canary.encode()),
        "b64-off2-urlsafe": base64.urlsafe_b64encode(b"xy" + canary.encode() + b"tail"),
        "core-only": f"truncated {canary[-32:]}".encode(),
    }
    for label, blob in forms.items():
        assert find_leaks([(label, b"prefix " + blob + b" suffix")], canaries), f"{label} form not found"
    assert not find_leaks([("clean", b"FAKE-selfcheck-" + secrets.token_hex(16).encode())], canaries)

    db = tmp_path / "probe.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # keep the row in the -wal file only
    conn.execute("CREATE TABLE clean (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO clean(body) VALUES (?)", (json.dumps({"fingerprint": "sha256:abc"}),))
    assert not find_leaks(dump_sqlite_rows(db), canaries)
    assert not find_leaks(raw_files(tmp_path), canaries)
    conn.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, body TEXT, payload BLOB)")
    conn.execute("INSERT INTO scratch(body, payload) VALUES (?, ?)",
                 (json.dumps({"nested": [{"v": other}]}), base64.b64encode(canary.encode())))
    rows = find_leaks(dump_sqlite_rows(db), canaries)
    assert "canary in probe.db:scratch[2]" in rows and "other in probe.db:scratch[1]" in rows, rows
    raw = find_leaks(raw_files(tmp_path), canaries)
    assert any(hit.endswith("probe.db-wal") for hit in raw), raw
    conn.close()
    # the reflection dumper over the same file
    reflected = find_leaks(dump_database(f"sqlite:///{db}"), canaries)
    assert "canary in scratch.payload" in reflected and "other in scratch.body" in reflected, reflected


def test_dump_scanner_finds_a_leak_in_the_real_spool(tmp_path: Path) -> None:
    """The live-spool sampler finds a value put in the sensor's real Spool, also once it was acknowledged."""
    canary = f"FAKE-spool-selfcheck-{secrets.token_hex(16)}"
    spool = Spool(tmp_path / "spool.db", "h" * 32)
    sampler = SpoolSampler(tmp_path, {"canary": canary})
    sampler.sample()
    assert sampler.samples == 1 and not sampler.hits and sampler.with_records == 0
    put = spool.put("event", {"CommandLine": f"x --token {canary}"})
    sampler.sample()
    assert "canary in live spool.db-wal" in sampler.hits and sampler.with_records == 1, sampler.hits
    spool.ack([put.record.seq])
    sampler.hits.clear()
    sampler.sample()
    assert "canary in live spool.db-wal" in sampler.hits, "an acknowledged record is still in the live WAL"
    spool.close()


# ---- the real run ----------------------------------------------------------------------------------------

SENSOR_CONFIG = """
[sensor]
rules = [{rules}]
health_interval_s = 2.0

[openclaw_state]
debounce_s = 1.0
min_interval_s = 5.0

[collector]
ship_events = true
"""


def plant_extra_secrets(host: OpenClawHost) -> dict[str, Path]:
    """Canaries beyond the harness's own: Slack bot token + a password in ~/.openclaw/.env, a Gmail OAuth
    token in gogcli's keyring dir. Each value has its own random core."""
    host.secrets["slack_bot_token_env"] = f"xoxb-111111111111-2222222222222-FAKE{secrets.token_hex(12)}"
    host.secrets["dotenv_password"] = f"FAKE-clawwatch-smtp-password-{secrets.token_hex(16)}"
    host.secrets["gmail_refresh_token"] = f"1//0FAKE-clawwatch-gmail-refresh-{secrets.token_hex(16)}"
    host.secrets["gmail_access_token"] = f"ya29.FAKE-clawwatch-gmail-access-{secrets.token_hex(16)}"
    dotenv = host.state_dir / ".env"
    dotenv.write_text(f"SLACK_BOT_TOKEN={host.secrets['slack_bot_token_env']}\n"
                      f"SMTP_PASSWORD=\"{host.secrets['dotenv_password']}\"\n")
    dotenv.chmod(0o600)
    keyring = host.home / ".config" / "gogcli" / "keyring"
    keyring.mkdir(parents=True, mode=0o700)
    token_file = keyring / "token-default-employee@example.com"
    token_file.write_text(json.dumps({"access_token": host.secrets["gmail_access_token"],
                                      "refresh_token": host.secrets["gmail_refresh_token"],
                                      "token_type": "Bearer", "expiry": "2026-11-22T08:00:00Z"}))
    token_file.chmod(0o600)
    return {"dotenv": dotenv, "gmail_token": token_file}


def _collector_rows(url: str, sql: str, **params: Any) -> list[Any]:
    engine = sa.create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params).all())
    finally:
        engine.dispose()


class SpoolSampler:
    """Reads the live spool (``spool.db`` + ``-wal``/``-shm`` raw bytes, and its rows on a copy) while the
    sensor runs: after a clean stop the WAL is checkpointed away and deleted pages may be zeroed, so the
    records that passed through the spool are only visible while it is live."""

    FILES = ("spool.db", "spool.db-wal", "spool.db-shm")

    def __init__(self, state_dir: Path, canaries: dict[str, str]) -> None:
        self.state_dir = state_dir
        self.canaries = canaries
        self.hits: set[str] = set()
        self.samples = 0
        self.with_records = 0  # samples whose raw bytes held a spooled record payload

    def sample(self) -> None:
        pieces = [(f"live {name}", (self.state_dir / name).read_bytes())
                  for name in self.FILES if (self.state_dir / name).exists()]
        if not pieces:
            return
        self.samples += 1
        if any(b'"record_id":"' in data for _, data in pieces):
            self.with_records += 1
        if (self.state_dir / "spool.db").exists():
            try:
                pieces += [(f"live {where}", leaf) for where, leaf in dump_sqlite_rows(self.state_dir / "spool.db")]
            except (sqlite3.DatabaseError, AssertionError):
                pass  # copied mid-write: the raw bytes above still count
        self.hits.update(find_leaks(pieces, self.canaries))


def _wait(pred: Any, what: str, timeout: float, proc: subprocess.Popen[bytes], log: Path, *,
          spool: SpoolSampler | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if spool is not None:
            spool.sample()
        got = pred()
        if got:
            return got
        assert proc.poll() is None, f"sensor exited {proc.returncode}: {log.read_text()[-3000:]}"
        time.sleep(0.5)
    pytest.fail(f"collector never stored {what} in {timeout}s; sensor log: {log.read_text()[-3000:]}")


def _inventory_install(url: str, host_id: str, state_dir: Path, want_kinds: set[str]) -> dict[str, Any] | None:
    """The newest stored inventory install for the state dir once it lists every wanted credential kind."""
    rows = _collector_rows(url, "SELECT body FROM cw_records WHERE host_id = :h AND kind = 'inventory' "
                           "ORDER BY seq DESC", h=host_id)
    for (body,) in rows:
        for install in json.loads(body).get("installs", []):
            kinds = {c["kind"] for c in install.get("credentials", [])}
            if install.get("state_dir") == str(state_dir) and want_kinds <= kinds:
                return dict(install)
    return None


def _alert_rules(url: str, host_id: str) -> set[str]:
    return {r[0] for r in _collector_rows(url, "SELECT rule_id FROM cw_alerts WHERE host_id = :h", h=host_id)}


@pytest.mark.e2e
@pytest.mark.root
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_no_canary_in_collector_store_or_sensor_spool(openclaw_host: HostFactory, tmp_path: Path,
                                                      backend: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("the live sensor runs as root here (fanotify, netlink proc connector)")
    host = openclaw_host(start=False, plant_secrets=True, bind="loopback", grants=Grants.risky())
    planted = plant_extra_secrets(host)
    enroll_secret = f"FAKE-clawwatch-enroll-secret-{secrets.token_hex(16)}"
    admin_token = f"cw_admin_FAKE{secrets.token_hex(16)}"
    cmdline_password = f"FAKE-clawwatch-cmdline-password-{secrets.token_hex(16)}"
    canaries = dict(host.secrets, enroll_secret=enroll_secret, collector_admin_token=admin_token,
                    cmdline_password=cmdline_password)
    assert len(set(canaries.values())) == len(canaries), "canary values must be distinct"
    assert all(len(v) >= 24 for v in canaries.values())

    with scratch_database(backend, tmp_path) as db_url, ExitStack() as cleanup:
        collector_dir = tmp_path / "collector"
        collector_dir.mkdir()
        # the last --enroll-secret wins: the canary one, not processes.ENROLL_SECRET
        collector = Collector(db_url=db_url, workdir=collector_dir, admin_token=admin_token,
                              extra=["--enroll-secret", enroll_secret, "--host-rate", "1000",
                                     "--host-burst", "5000"])
        cleanup.callback(collector.kill)  # on any failure too, before the scratch schema is dropped
        collector.start()
        state = tmp_path / "sensor-state"
        sensor_dir = tmp_path / "sensor"
        sensor_dir.mkdir()
        config = sensor_dir / "sensor.toml"
        config.write_text(SENSOR_CONFIG.format(rules=", ".join(f'"{p}"' for p in (REPO / "detections", E2E_RULES))))
        log = sensor_dir / "sensor.log"
        spool = SpoolSampler(state, canaries)
        output = sensor_dir / "out.jsonl"
        sensor = subprocess.Popen(
            [str(CLAWWATCH), "sensor", "run", "--config", str(config), "--only-homes", "--home", str(host.home),
             "--collector", collector.url, "--enroll-secret", enroll_secret, "--state-dir", str(state),
             "--output", str(output), "--log-level", "INFO"],
            stdout=subprocess.DEVNULL, stderr=log.open("wb"), env=_env(), cwd=REPO)
        try:
            _wait(lambda: "sensor running" in log.read_text(errors="replace"), "a running sensor", 90, sensor, log)
            host.start_gateway()
            gw = host.gateway_pid
            run = host.run_agent_exec(f"cat ~/.ssh/id_ed25519 ~/.openclaw/.env >/dev/null; "
                                      f"true --password {cmdline_password}; sleep 2; echo canary-ok")
            assert run.returncode == 0, run.stderr[-2000:]
            host_id = _wait(lambda: (state / "host_id").exists() and (state / "host_id").read_text().strip(),
                            "an enrolled host", 60, sensor, log, spool=spool)

            want_kinds = {"anthropic_api_key", "gateway_token", "hooks_token", "gmail_push_token",
                          "slack_bot_token", "generic_secret", "gogcli_keyring_item",
                          "google_oauth_client_secret"}
            install = _wait(lambda: _inventory_install(db_url, host_id, host.state_dir, want_kinds),
                            "an inventory snapshot with the planted credentials", 180, sensor, log, spool=spool)
            _wait(lambda: {LISTENER_RULE, SSH_READ_RULE} <= _alert_rules(db_url, host_id),
                  "the listener and SSH-key-read alerts", 120, sensor, log, spool=spool)
            _wait(lambda: _collector_rows(
                db_url, "SELECT 1 FROM cw_fleet_installs WHERE host_id = :h AND state_dir = :s",
                h=host_id, s=str(host.state_dir)), "the fleet projection of the install", 60, sensor, log, spool=spool)
            for _ in range(6):  # a few more looks at the live spool while records still flow
                spool.sample()
                time.sleep(0.5)
        finally:
            host.stop()
            sensor.send_signal(signal.SIGTERM)
            try:
                sensor_rc = sensor.wait(timeout=60)
            except subprocess.TimeoutExpired:
                sensor.kill()
                sensor_rc = sensor.wait()
        assert sensor_rc == 0, log.read_text()[-3000:]
        assert gw is not None

        # -- positive: the credentials are reported, by kind/path/fingerprint only
        creds = install["credentials"]
        by_kind_path = {(c["kind"], c["path"], c.get("location")) for c in creds}
        assert ("gateway_token", str(host.config_path), "gateway.auth.token") in by_kind_path, by_kind_path
        assert ("slack_bot_token", str(planted["dotenv"]), "SLACK_BOT_TOKEN") in by_kind_path, by_kind_path
        assert ("generic_secret", str(planted["dotenv"]), "SMTP_PASSWORD") in by_kind_path, by_kind_path
        mock_key = [c for c in creds if c.get("location") == "models.providers.mock.apiKey"]
        assert mock_key and mock_key[0]["path"] == str(host.config_path), by_kind_path
        assert any(c["kind"] == "gogcli_keyring_item" and c["path"] == str(planted["gmail_token"]) for c in creds)
        assert any(c["kind"] == "anthropic_api_key" and str(host.state_dir) in c["path"] for c in creds)
        assert all(c["fingerprint"] and c["fingerprint"] not in canaries.values() for c in creds)
        stored_kinds = _collector_rows(db_url, "SELECT credential_kinds FROM cw_fleet_installs WHERE host_id = :h "
                                       "AND state_dir = :s", h=host_id, s=str(host.state_dir))[0][0]
        if isinstance(stored_kinds, str):
            stored_kinds = json.loads(stored_kinds)
        assert want_kinds <= set(stored_kinds if isinstance(stored_kinds, list) else dict(stored_kinds))
        ssh_alerts = [json.loads(b) for (b,) in _collector_rows(
            db_url, "SELECT body FROM cw_alerts WHERE host_id = :h AND rule_id = :r", h=host_id, r=SSH_READ_RULE)]
        key = host.home / ".ssh" / "id_ed25519"
        assert any(a["event"].get("TargetFilename") == str(key) and a["event"].get("CredentialKind")
                   == "ssh_private_key" for a in ssh_alerts), ssh_alerts
        shells = [json.loads(b) for (b,) in _collector_rows(
            db_url, "SELECT body FROM cw_records WHERE host_id = :h AND kind = 'event' AND body LIKE :p",
            h=host_id, p="%canary-ok%")]
        assert any("[REDACTED]" in json.dumps(s) for s in shells), \
            "the agent's exec shell (with the command-line canary) was not shipped as an event"

        # -- negative: nothing anywhere holds a value
        sensor_token = orjson.loads((state / "credential.json").read_bytes())["token"]
        assert (state / "spool.db").exists()
        pieces = dump_database(db_url)
        pieces += dump_sqlite_rows(state / "spool.db")
        pieces += raw_files(state, log, output, collector_dir)
        if backend == "sqlite":
            collector_db = tmp_path / "collector.db"
            assert collector_db.exists()
            pieces += raw_files(*(p for p in tmp_path.glob("collector.db*") if p.is_file()))
        leaks = find_leaks(pieces, canaries) + sorted(spool.hits)
        assert not leaks, f"secret values stored: {leaks}"
        assert spool.with_records > 0, f"no spooled record seen in {spool.samples} samples of the live spool"
        # the sensor's own bearer token lives in its credential.json by design; the collector keeps a hash
        collector_pieces = [p for p in pieces if not p[0].startswith(str(state))]
        assert not find_leaks(collector_pieces, {"sensor_bearer_token": sensor_token})

        # -- self-check on this very database: a leak planted in a scratch table is found
        collector.stop()
        probe_url = db_url
        if backend == "sqlite":
            copy = tmp_path / "probe" / "collector.db"
            copy.parent.mkdir()
            for p in tmp_path.glob("collector.db*"):
                shutil.copyfile(p, copy.parent / p.name)
            probe_url = f"sqlite:///{copy}"
        engine = sa.create_engine(normalize_url(probe_url))
        try:
            scratch = sa.Table("zz_canary_probe", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                               sa.Column("detail", sa.JSON))
            scratch.create(engine)
            with engine.begin() as conn:
                conn.execute(scratch.insert().values(
                    detail={"x": base64.b64encode(b"k=" + host.secrets["slack_bot_token_env"].encode()).decode()}))
        finally:
            engine.dispose()
        probe_hits = find_leaks(dump_database(probe_url), canaries)
        assert "slack_bot_token_env in zz_canary_probe.detail" in probe_hits, probe_hits
