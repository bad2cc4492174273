"""The eslogger supervisor: spawns, reads lines, restarts with backoff, reads a refusal from stderr.

/usr/bin/eslogger does not exist here. The real-process tests run ``/bin/sh`` in its place through
the production ``spawn`` (real pipes, real exit codes, real restarts). Where a test needs eslogger's
Full Disk Access refusal, the shell prints the ``es_new_client_result_t`` name eslogger reports: a
stand-in for a failure that cannot be caused without a Mac, said so here.
"""

from __future__ import annotations

import os
import shlex
import time
from pathlib import Path

from sensor.sources.eslogger.refusals import classify
from sensor.sources.eslogger.replay import ReplayFile
from sensor.sources.eslogger.supervisor import Backoff, EsloggerSupervisor, spawn

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "eslogger" / "macos15-msg9" / "exec.jsonl"


def shell(script: str) -> list[str]:
    """``events`` for a supervisor whose executable is /bin/sh: ``sh -c SCRIPT``."""
    return ["-c", script]


def wait_until(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_reads_every_line_of_a_real_process_and_restarts_it_with_backoff() -> None:
    lines: list[bytes] = []
    script = f"cat {shlex.quote(str(FIXTURE))}; exit 3"
    sup = EsloggerSupervisor(shell(script), lines.append, launcher=spawn, executable="/bin/sh",
                             backoff=Backoff(initial_s=0.05, max_s=0.2, stable_s=60))
    sup.start()
    try:
        assert wait_until(lambda: sup.counters["starts"] >= 4)
    finally:
        sup.stop()
    assert lines[0] == FIXTURE.read_bytes().strip()
    assert sup.counters["restarts"] >= 3 and sup.counters["exits"] >= 3
    assert sup.backoff.current_s == 0.2  # doubled up to the cap
    assert not sup.running


def test_full_disk_access_refusal_is_degraded_health_and_retried_slowly() -> None:
    refusal = ("eslogger: Failed to create new Endpoint Security client: ES_NEW_CLIENT_RESULT_ERR_NOT_PERMITTED")
    sup = EsloggerSupervisor(shell(f"echo {shlex.quote(refusal)} >&2; exit 1"), lambda _l: None,
                             launcher=spawn, executable="/bin/sh", backoff=Backoff(initial_s=0.01))
    sup.start()
    try:
        assert wait_until(lambda: sup.counters["refused.full_disk_access_missing"] == 1)
        time.sleep(0.3)
        assert sup.counters["starts"] == 1, "a refusal waits its retry interval (300 s), not the backoff"
        assert sup.degraded is not None and "Full Disk Access" in sup.degraded
        assert sup.refusal is not None and sup.refusal.retry_s == 300.0
    finally:
        sup.stop()


def test_missing_eslogger_is_degraded_and_not_retried(tmp_path: Path) -> None:
    sup = EsloggerSupervisor(["exec"], lambda _l: None, executable=str(tmp_path / "no-eslogger"))
    sup.start()
    assert wait_until(lambda: not sup.running)
    assert sup.degraded is not None and "macOS 13" in sup.degraded
    assert sup.counters["starts"] == 0


def test_stop_ends_the_running_process(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    sup = EsloggerSupervisor(shell(f"echo $$ > {shlex.quote(str(pidfile))}; cat {shlex.quote(str(FIXTURE))}; "
                                   "exec sleep 60"), lambda _l: None, launcher=spawn, executable="/bin/sh")
    sup.start()
    assert wait_until(lambda: sup.counters["lines"] == 1 and pidfile.exists() and pidfile.read_text().strip())
    pid = int(pidfile.read_text())
    sup.stop(timeout=5)
    assert wait_until(lambda: not _alive(pid), timeout=5), "eslogger's stand-in still running after stop"
    assert sup.counters["restarts"] == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ", 1)[1].startswith("Z"))


def test_an_oversized_line_is_skipped_and_the_next_is_read(tmp_path: Path) -> None:
    stream = tmp_path / "stream.jsonl"
    stream.write_bytes(b'{"x":"' + b"a" * (3 << 20) + b'"}\n' + FIXTURE.read_bytes())
    lines: list[bytes] = []
    sup = EsloggerSupervisor(["exec"], lines.append, launcher=ReplayFile(stream))
    sup.start()
    try:
        assert sup.wait_idle(10)
    finally:
        sup.stop()
    assert sup.counters["oversized_lines"] == 1 and lines == [FIXTURE.read_bytes().strip()]


def test_a_consumer_error_does_not_stop_the_stream(tmp_path: Path) -> None:
    stream = tmp_path / "stream.jsonl"
    stream.write_bytes(FIXTURE.read_bytes() * 3)
    seen: list[bytes] = []

    def flaky(line: bytes) -> None:
        seen.append(line)
        if len(seen) == 2:
            raise RuntimeError("consumer bug")

    sup = EsloggerSupervisor(["exec"], flaky, launcher=ReplayFile(stream))
    sup.start()
    try:
        assert sup.wait_idle(10)
    finally:
        sup.stop()
    assert len(seen) == 3 and sup.counters["consumer_errors"] == 1


def test_replay_launcher_is_called_with_the_eslogger_command_line(tmp_path: Path) -> None:
    stream = tmp_path / "s.jsonl"
    stream.write_bytes(b"")
    replay = ReplayFile(stream)
    sup = EsloggerSupervisor(["exec", "fork", "exit", "open"], lambda _l: None, launcher=replay)
    sup.start()
    try:
        assert sup.wait_idle(10)
    finally:
        sup.stop()
    assert replay.launches == [["/usr/bin/eslogger", "exec", "fork", "exit", "open"]]


def test_refusals_are_read_from_apples_result_names() -> None:
    assert classify(["ES_NEW_CLIENT_RESULT_ERR_NOT_PRIVILEGED"]) is not None
    assert classify(["some other complaint"]) is None
    refusal = classify(["x", "...: ES_NEW_CLIENT_RESULT_ERR_TOO_MANY_CLIENTS"])
    assert refusal is not None and refusal.code == "too_many_es_clients"
