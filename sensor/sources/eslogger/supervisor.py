"""Runs ``/usr/bin/eslogger <events>`` for as long as the sensor runs, and hands each line on.

* Spawned in the sensor's own process group: eslogger suppresses events of its process group (its
  man page), so the sensor's own reads of credential files never come back as events.
* Restarted with exponential backoff when it exits; the backoff resets after a stable run.
* A refusal on stderr (``refusals``) becomes the sensor's degraded-health reason and sets the retry
  interval (Full Disk Access missing: retried every 5 min, so a PPPC profile pushed later takes effect
  without a restart). No eslogger at all (macOS 12): degraded, not retried.
* The only place that starts a process. ``launcher`` is the seam: replay tests pass a
  ``replay.ReplayFile``, whose "process" prints a recorded stream and then waits like a live eslogger.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import IO, Protocol

from sensor.sources.eslogger.refusals import NOT_FOUND, Refusal, classify

log = logging.getLogger(__name__)

ESLOGGER = "/usr/bin/eslogger"
MAX_LINE_BYTES = 1 << 20
STDERR_LINES_KEPT = 20


class LoggerProcess(Protocol):
    """What the supervisor needs of a running eslogger (``subprocess.Popen`` is one)."""

    @property
    def stdout(self) -> IO[bytes] | None: ...

    @property
    def stderr(self) -> IO[bytes] | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def terminate(self) -> None: ...

    def kill(self) -> None: ...


Launcher = Callable[[Sequence[str]], LoggerProcess]


def spawn(argv: Sequence[str]) -> LoggerProcess:
    """Start eslogger for real (same process group as the sensor, see the module docstring)."""
    return subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, close_fds=True)


class Backoff:
    def __init__(self, initial_s: float = 1.0, max_s: float = 60.0, stable_s: float = 60.0) -> None:
        self.initial_s = initial_s
        self.max_s = max_s
        self.stable_s = stable_s
        self.current_s = initial_s

    def next_delay(self, ran_for_s: float) -> float:
        if ran_for_s >= self.stable_s:
            self.current_s = self.initial_s
        delay = self.current_s
        self.current_s = min(self.current_s * 2, self.max_s)
        return delay


class EsloggerSupervisor:
    name = "eslogger"

    def __init__(self, events: Sequence[str], on_line: Callable[[bytes], None], *,
                 launcher: Launcher = spawn, executable: str = ESLOGGER, backoff: Backoff | None = None,
                 on_restart: Callable[[], None] | None = None) -> None:
        self.argv = [executable, *events]
        self.on_line = on_line
        self.launcher = launcher
        self.backoff = backoff or Backoff()
        self.on_restart = on_restart
        self.counters: Counter[str] = Counter()
        self.refusal: Refusal | None = None
        self.last_exit: int | None = None
        self._degraded: str | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._proc: LoggerProcess | None = None
        self._thread: threading.Thread | None = None
        self._stderr: deque[str] = deque(maxlen=STDERR_LINES_KEPT)

    @property
    def degraded(self) -> str | None:
        return self._degraded

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="eslogger", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            proc = self._proc
        if proc is not None:
            _end(proc, timeout)
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def wait_idle(self, timeout: float) -> bool:
        """For tests and replay: True once the current run's stdout is read to the end."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.counters["stdout_eof"] >= self.counters["starts"] > 0:
                return True
            time.sleep(0.01)
        return False

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            delay = self._run_once()
            if delay is None or self._stop.is_set():
                return
            delay = max(delay, self.backoff.next_delay(time.monotonic() - started))
            self.counters["restarts"] += 1
            log.warning("eslogger stopped (%s); restarting in %.1f s", self._degraded, delay)
            self._stop.wait(delay)

    def _run_once(self) -> float | None:
        """One eslogger run. Returns the minimum delay before the next, None to give up."""
        try:
            proc = self.launcher(self.argv)
        except FileNotFoundError:
            self._refused(NOT_FOUND)
            return None
        except OSError as exc:
            self.counters["launch_errors"] += 1
            self._degraded = f"eslogger could not be started: {exc}"
            return 0.0
        with self._lock:
            self._proc = proc
        self.counters["starts"] += 1
        if self.on_restart is not None:
            self.on_restart()
        self._stderr.clear()
        stderr_thread = threading.Thread(target=self._read_stderr, args=(proc,), name="eslogger-stderr",
                                         daemon=True)
        stderr_thread.start()
        self._read_stdout(proc)
        self.counters["stdout_eof"] += 1
        code = _wait(proc, self._stop)
        stderr_thread.join(timeout=5)
        with self._lock:
            self._proc = None
        self.last_exit = code
        if self._stop.is_set():
            return None
        refusal = classify(self._stderr)
        if refusal is not None:
            self._refused(refusal)
            return refusal.retry_s
        self.counters["exits"] += 1
        tail = self._stderr[-1] if self._stderr else ""
        self._degraded = f"eslogger exited with status {code}" + (f": {tail}" if tail else "")
        return 0.0

    def _refused(self, refusal: Refusal) -> None:
        self.refusal = refusal
        self.counters[f"refused.{refusal.code}"] += 1
        self._degraded = refusal.reason
        log.error("%s", refusal.reason)

    def _read_stdout(self, proc: LoggerProcess) -> None:
        stream = proc.stdout
        if stream is None:
            return
        while not self._stop.is_set():
            line = stream.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                self.counters["oversized_lines"] += 1
                _skip_rest_of_line(stream)
                continue
            if self.counters["lines"] == 0 or self._degraded is not None:
                self._degraded = None  # events flow: whatever held it back is over
                self.refusal = None
            self.counters["lines"] += 1
            try:
                self.on_line(line.rstrip(b"\n"))
            except Exception:  # a consumer's bug must not stop the event stream
                self.counters["consumer_errors"] += 1
                log.exception("eslogger line handler failed")

    def _read_stderr(self, proc: LoggerProcess) -> None:
        stream = proc.stderr
        if stream is None:
            return
        for raw in iter(lambda: stream.readline(4096), b""):
            text = raw.decode("utf-8", "replace").strip()
            if text:
                self._stderr.append(text[:500])
                self.counters["stderr_lines"] += 1


def _skip_rest_of_line(stream: IO[bytes]) -> None:
    while True:
        chunk = stream.readline(MAX_LINE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return


def _wait(proc: LoggerProcess, stop: threading.Event) -> int | None:
    while True:
        try:
            return proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            if stop.is_set():
                return None


def _end(proc: LoggerProcess, timeout: float) -> None:
    try:
        proc.terminate()
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
    except OSError:
        pass

