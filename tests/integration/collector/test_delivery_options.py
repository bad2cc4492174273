"""Shipper behaviours against the real collector: TLS with a private CA, Retry-After, re-enrollment after
revocation, batch halving on 413, and several collector processes sharing one PostgreSQL."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.collector.processes import Collector, Sensor, stored_seqs
from tests.integration.collector.tcp_proxy import TcpProxy

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _exact(collector: Collector, sensor: Sensor, n: int) -> dict[str, object]:
    assert [s for s, _ in stored_seqs(collector.db_url, sensor.host_id)] == list(range(1, n + 1))
    host = collector.host(sensor.host_id)
    assert host["missing"] == 0 and host["record_count"] == n
    return host


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the test CA")
    cert, key = tmp / "collector.pem", tmp / "collector.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=clawwatch-test-collector",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    return cert, key


@sqlite_only
def test_tls_with_private_ca_bundle(db_url: str, tmp_path: Path, collector_factory: list[Collector]) -> None:
    cert, key = _self_signed(tmp_path)
    collector = Collector(db_url=db_url, workdir=tmp_path, admin_token="cw_admin_" + secrets.token_hex(8),
                          extra=["--tls-cert", str(cert), "--tls-key", str(key)])
    collector_factory.append(collector)
    collector.start()
    assert collector.url.startswith("https://")
    untrusted = Sensor(state_dir=tmp_path / "untrusted", collector_url=collector.url, until_seq=20, rate=0)
    untrusted.start()
    time.sleep(4)
    assert untrusted.proc is not None and untrusted.proc.poll() is None  # still trying, nothing lost
    untrusted.kill()
    assert "TLS verification" in untrusted.log.read_text()
    assert collector.api("GET", "/api/v1/delivery/hosts", collector.admin_token).json() == []
    trusted = Sensor(state_dir=tmp_path / "untrusted", collector_url=collector.url, until_seq=20, rate=0,
                     extra=["--ca-bundle", str(cert)], starts=1)  # same spool; its own log file
    trusted.start()
    assert trusted.wait(60) == 0
    _exact(collector, trusted, 20)  # the same spool: the 20 records made while untrusted arrive now


@sqlite_only
def test_retry_after_and_reenrollment(db_url: str, tmp_path: Path, collector_factory: list[Collector]) -> None:
    collector = Collector(db_url=db_url, workdir=tmp_path, admin_token="cw_admin_" + secrets.token_hex(8),
                          extra=["--host-rate", "300", "--host-burst", "300"])
    collector_factory.append(collector)
    collector.start()
    sensor = Sensor(state_dir=tmp_path / "s", collector_url=collector.url, until_seq=1500, rate=0,
                    extra=["--batch-records", "300"])
    started = time.monotonic()
    sensor.start()
    time.sleep(1.5)
    revoked = collector.api("POST", f"/api/v1/admin/hosts/{sensor.host_id}/revoke", collector.admin_token)
    assert revoked.status_code == 200
    assert sensor.wait(120) == 0
    _exact(collector, sensor, 1500)
    assert time.monotonic() - started >= 1500 / 300 - 1.5, "the host rate limit was not honoured"
    log = sensor.log.read_text()
    assert "HTTP 429 rate_limited" in log
    assert "enrolling again" in log or "refused our credential" in log


@sqlite_only
def test_batch_halving_on_413(db_url: str, tmp_path: Path, collector_factory: list[Collector]) -> None:
    collector = Collector(db_url=db_url, workdir=tmp_path, admin_token="cw_admin_" + secrets.token_hex(8),
                          extra=["--max-body-bytes", "20000"])
    collector_factory.append(collector)
    collector.start()
    # ~2 KB of incompressible-ish padding per record: 500-record batches are far over 20 KB gzipped.
    sensor = Sensor(state_dir=tmp_path / "s", collector_url=collector.url, until_seq=300, rate=0,
                    drill_extra=["--pad", "2000"], extra=["--batch-records", "500"])
    sensor.start()
    assert sensor.wait(120) == 0
    _exact(collector, sensor, 300)


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_collectors_share_one_postgresql(db_url: str, tmp_path: Path,
                                            collector_factory: list[Collector]) -> None:
    token = "cw_admin_" + secrets.token_hex(8)
    first = Collector(db_url=db_url, workdir=tmp_path / "a", admin_token=token)
    second = Collector(db_url=db_url, workdir=tmp_path / "b", admin_token=token)
    for c in (first, second):
        c.workdir.mkdir()
        collector_factory.append(c)
    first.start()
    second.start()
    balancer = TcpProxy([("127.0.0.1", first.port), ("127.0.0.1", second.port)])
    balancer.faults.reset_every_nth_response = 7  # and connections keep being re-balanced
    try:
        sensors = [Sensor(state_dir=tmp_path / f"s{i}", collector_url=balancer.url, until_seq=1500, rate=500,
                          extra=["--batch-records", "100"]) for i in range(2)]
        for s in sensors:
            s.start()
        for s in sensors:
            assert s.wait(120) == 0
        for s in sensors:
            _exact(first, s, 1500)
            assert second.host(s.host_id)["record_count"] == 1500
        assert balancer.counters.connections >= 4
    finally:
        balancer.close()
