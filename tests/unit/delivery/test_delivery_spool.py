"""The spool: durable order, acks, byte cap with lowest-severity-oldest-first eviction, counted drops."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from sensor.delivery.spool import Spool
from sensor.schema.records import Record

HOST = "hosttest0001"


def _spool(tmp_path: Path, cap: int = 10**9) -> Spool:
    return Spool(tmp_path / "spool.db", HOST, cap)


def _size(tmp_path: Path) -> int:
    probe = Spool(tmp_path / "probe.db", HOST)
    r = probe.put("alert", {"pad": "x" * 100}, 1)
    b = probe.peek(1, 10**9)
    probe.close()
    assert r.stored
    return len(b.payloads[0])


def test_records_get_host_scoped_ids_and_increasing_seq(tmp_path: Path) -> None:
    spool = _spool(tmp_path)
    records = [spool.put("alert", {"i": i}, 2).record for i in range(5)]
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert [r.record_id for r in records] == [f"{HOST}:{i}" for i in range(1, 6)]
    batch = spool.peek(10, 10**9)
    assert batch.seqs == [1, 2, 3, 4, 5]
    assert Record.model_validate(orjson.loads(batch.payloads[0])) == records[0]


def test_only_acked_records_are_deleted_and_seq_survives_reopen(tmp_path: Path) -> None:
    spool = _spool(tmp_path)
    for i in range(10):
        spool.put("alert", {"i": i}, 1)
    batch = spool.peek(4, 10**9)
    spool.release()
    assert spool.ack(batch.seqs[:3]) == 3
    spool.close()
    again = _spool(tmp_path)
    assert again.peek(100, 10**9).seqs == [4, 5, 6, 7, 8, 9, 10]
    assert again.put("heartbeat", {}, 0).record.seq == 11
    assert len(again) == 8
    assert again.stats().queued_records == 8


def test_peek_respects_byte_budget_but_always_returns_one(tmp_path: Path) -> None:
    spool = _spool(tmp_path)
    for _ in range(5):
        spool.put("alert", {"pad": "y" * 1000}, 1)
    assert len(spool.peek(100, 10).seqs) == 1
    assert len(spool.peek(100, 2500).seqs) == 2


def test_full_spool_evicts_lowest_severity_oldest_first(tmp_path: Path) -> None:
    one = _size(tmp_path)
    spool = _spool(tmp_path, cap=one * 4 + one // 2)  # room for 4 records
    spool.put("alert", {"pad": "x" * 100}, 3)  # seq 1, high
    spool.put("alert", {"pad": "x" * 100}, 1)  # seq 2, low
    spool.put("alert", {"pad": "x" * 100}, 1)  # seq 3, low
    spool.put("alert", {"pad": "x" * 100}, 2)  # seq 4, medium
    result = spool.put("alert", {"pad": "x" * 100}, 2)  # seq 5: evicts seq 2 (lowest, oldest)
    assert result.stored and result.evicted == 1
    assert spool.peek(10, 10**9).seqs == [1, 3, 4, 5]
    spool.release()
    spool.put("alert", {"pad": "x" * 100}, 4)  # seq 6: evicts seq 3
    assert spool.peek(10, 10**9).seqs == [1, 4, 5, 6]
    spool.release()
    stats = spool.stats()
    assert stats.dropped_total == 2 and stats.dropped_by_severity == {"1": 2}


def test_new_record_is_dropped_when_only_more_severe_ones_remain(tmp_path: Path) -> None:
    one = _size(tmp_path)
    spool = _spool(tmp_path, cap=one * 2 + one // 2)
    spool.put("alert", {"pad": "x" * 100}, 4)
    spool.put("alert", {"pad": "x" * 100}, 4)
    result = spool.put("alert", {"pad": "x" * 100}, 0)
    assert not result.stored and result.record.seq == 3
    assert spool.peek(10, 10**9).seqs == [1, 2]
    assert spool.stats().dropped_by_severity == {"0": 1}


def test_in_flight_batch_is_never_evicted(tmp_path: Path) -> None:
    one = _size(tmp_path)
    spool = _spool(tmp_path, cap=one * 3 + one // 2)
    for _ in range(3):
        spool.put("alert", {"pad": "x" * 100}, 1)
    assert spool.peek(2, 10**9).seqs == [1, 2]  # seqs 1-2 are being sent
    spool.put("alert", {"pad": "x" * 100}, 1)  # must evict seq 3, not 1 or 2
    spool.release()
    assert spool.peek(10, 10**9).seqs == [1, 2, 4]


def test_oversized_record_is_dropped_and_counted(tmp_path: Path) -> None:
    spool = _spool(tmp_path, cap=500)
    result = spool.put("inventory", {"pad": "x" * 1000}, 4)
    assert not result.stored
    assert spool.stats().dropped_total == 1 and len(spool) == 0


def test_reject_counts_separately(tmp_path: Path) -> None:
    spool = _spool(tmp_path)
    spool.put("alert", {}, 1)
    assert spool.reject([1]) == 1
    assert spool.stats().rejected_total == 1 and spool.stats().dropped_total == 0


def test_seq_floor_from_collector(tmp_path: Path) -> None:
    spool = _spool(tmp_path)
    spool.put("alert", {}, 1)
    spool.raise_seq_floor(100)
    assert spool.put("alert", {}, 1).record.seq == 100
    spool.raise_seq_floor(5)  # never goes back
    assert spool.put("alert", {}, 1).record.seq == 101


def test_spool_file_is_private(tmp_path: Path) -> None:
    _spool(tmp_path).put("alert", {}, 1)
    assert (tmp_path / "spool.db").stat().st_mode & 0o077 == 0


_CHILD = """
import sys
from pathlib import Path
from sensor.delivery.spool import Spool
spool = Spool(Path(sys.argv[1]), "hosttest0001")
for i in range(200):
    spool.put("alert", {"i": i}, 1)
print("done", flush=True)
import os, signal
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_committed_records_survive_sigkill(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path / "spool.db")], capture_output=True, timeout=60, check=False
    )
    assert proc.returncode == -9 and b"done" in proc.stdout
    spool = _spool(tmp_path)
    assert spool.peek(1000, 10**9).seqs == list(range(1, 201))
