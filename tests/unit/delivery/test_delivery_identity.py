"""Host identity, private files, credential storage, backoff and Retry-After parsing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from sensor.delivery.enrollment import Credential, CredentialStore, parse_retry_after
from sensor.delivery.secure_file import read_private, write_private
from sensor.delivery.sequence import load_or_create_host_id
from sensor.delivery.shipper import Backoff


def test_host_id_is_created_once_and_private(tmp_path: Path) -> None:
    first = load_or_create_host_id(tmp_path)
    assert load_or_create_host_id(tmp_path) == first
    assert len(first) == 32 and ":" not in first
    assert (tmp_path / "host_id").stat().st_mode & 0o777 == 0o600


def test_corrupt_host_id_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "host_id").write_text("not:valid\n")
    assert load_or_create_host_id(tmp_path) != "not:valid"


def test_symlinked_private_file_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("0123456789abcdef0123456789abcdef")
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "host_id").symlink_to(target)
    assert read_private(tmp_path / "state" / "host_id") is None
    assert load_or_create_host_id(tmp_path / "state") != target.read_text()


def test_credential_is_0600_and_bound_to_collector_and_host(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.save(Credential("https://c.example:8765", "hostaaaa1111", "cw_secret"))
    assert store.path.stat().st_mode & 0o777 == 0o600
    assert store.load("https://c.example:8765", "hostaaaa1111") is not None
    assert store.load("https://other.example", "hostaaaa1111") is None
    assert store.load("https://c.example:8765", "hostbbbb2222") is None
    write_private(store.path, b"{broken")
    assert store.load("https://c.example:8765", "hostaaaa1111") is None
    store.clear()
    assert not store.path.exists()


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    backoff = Backoff(0.5, 8.0, random.Random(7))
    delays = [backoff.next_delay() for _ in range(10)]
    ceilings = [min(8.0, 0.5 * 2**i) for i in range(10)]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len({round(d, 6) for d in delays[5:]}) > 1  # jittered, not constant at the cap
    backoff.reset()
    assert backoff.next_delay() <= 0.5


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("999999") == 3600.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    when = datetime.now(UTC) + timedelta(seconds=30)
    parsed = parse_retry_after(format_datetime(when, usegmt=True))
    assert parsed is not None and 25 <= parsed <= 31
