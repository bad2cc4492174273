"""Where the daemon's records go: one ``Sink`` interface, a list of sinks per daemon.

A sink takes typed records (``sensor.schema.records.SensorRecord``). ``JsonLinesSink`` writes every event
and alert as one JSON object per line (``--output FILE|-``):
``{"kind": "event"|"alert"|"health"|"inventory", "severity": 0-4, "body": {...}}``.
The delivery layer adds a spool sink with the same interface.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import IO, Protocol

import orjson

from sensor.schema.records import SensorRecord


class Sink(Protocol):
    def emit(self, record: SensorRecord) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class JsonLinesSink:
    def __init__(self, target: str) -> None:
        self._lock = threading.Lock()
        self._owned = target != "-"
        if self._owned:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._fh: IO[bytes] = os.fdopen(fd, "ab")
        else:
            self._fh = sys.stdout.buffer
        self.written = 0

    def emit(self, record: SensorRecord) -> None:
        self.write_line(orjson.dumps({"kind": record.kind.value, "severity": record.severity,
                                      "body": record.body_json()}))

    def write_line(self, data: bytes) -> None:
        """One JSON document (without its newline) as one line, atomically among threads."""
        with self._lock:
            self._fh.write(data + b"\n")
            self.written += 1

    def flush(self) -> None:
        with self._lock:
            self._fh.flush()

    def close(self) -> None:
        with self._lock:
            self._fh.flush()
            if self._owned:
                self._fh.close()


class MemorySink:
    """Keeps records in memory (tests, and embedding the daemon in another program)."""

    def __init__(self) -> None:
        self.records: list[SensorRecord] = []
        self._lock = threading.Lock()

    def emit(self, record: SensorRecord) -> None:
        with self._lock:
            self.records.append(record)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None
