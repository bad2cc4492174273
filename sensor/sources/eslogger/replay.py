"""The replay seam: a launcher for ``EsloggerSupervisor`` that plays a file instead of running eslogger.

Used by replay tests (and by the integration test that drives the whole daemon): the supervisor,
parser and everything downstream run unchanged; only the process is a file reader.
"""

from __future__ import annotations

import io
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from sensor.sources.eslogger.supervisor import LoggerProcess


class ReplayFile:
    """The seam for replay tests: a launcher whose "eslogger" prints ``path`` (JSON lines recorded
    from eslogger, or derived from such lines) and ``stderr``, then either exits with ``exit_code``
    or, when that is None, stays alive printing nothing until stopped, like a live eslogger."""

    def __init__(self, path: Path, *, stderr: bytes = b"", exit_code: int | None = None) -> None:
        self.path = path
        self.stderr = stderr
        self.exit_code = exit_code
        self.launches: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> LoggerProcess:
        self.launches.append(list(argv))
        return _ReplayProcess(self.path, self.stderr, self.exit_code)


class _ReplayProcess:
    def __init__(self, path: Path, stderr: bytes, exit_code: int | None) -> None:
        self._stdout: IO[bytes] = path.open("rb")
        self._stderr: IO[bytes] = io.BytesIO(stderr)
        self._exit_code = exit_code
        self._ended = threading.Event()
        if exit_code is not None:
            self._ended.set()

    @property
    def stdout(self) -> IO[bytes] | None:
        return self._stdout

    @property
    def stderr(self) -> IO[bytes] | None:
        return self._stderr

    def wait(self, timeout: float | None = None) -> int:
        if not self._ended.wait(timeout):
            raise subprocess.TimeoutExpired("replay", timeout or 0)
        self._stdout.close()
        return self._exit_code if self._exit_code is not None else -15

    def terminate(self) -> None:
        self._ended.set()

    def kill(self) -> None:
        self._ended.set()
