"""Run the real sensor daemon (``python -m sensor.daemon run``) as a child process for tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[3]
E2E_RULES = REPO / "tests" / "e2e" / "rules"


class SensorProcess:
    def __init__(self, workdir: Path, homes: list[Path], config: str = "", rules: Path = E2E_RULES) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.output = workdir / "sensor.jsonl"
        self.log = workdir / "sensor.log"
        self.config = workdir / "sensor.toml"
        rules_line = f'rules = ["{rules}"]\n' if rules else ""
        self.config.write_text(f"[sensor]\n{rules_line}{config}")
        args = [
            sys.executable,
            "-m",
            "sensor.daemon",
            "run",
            "--config",
            str(self.config),
            "--output",
            str(self.output),
            "--only-homes",  # never the real users' homes: tests watch their scratch homes only
        ]
        for home in homes:
            args += ["--home", str(home)]
        self._log_fh = self.log.open("wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self._log_fh, cwd=REPO)
        self._wait_log("sensor running", timeout=60)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _wait_log(self, needle: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.log.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"sensor exited early ({self.proc.returncode}): {self.log.read_text()}")
            time.sleep(0.05)
        raise AssertionError(f"sensor did not log {needle!r} in {timeout}s: {self.log.read_text()}")

    def records(self) -> list[dict[str, Any]]:
        if not self.output.exists():
            return []
        out = []
        for line in self.output.read_bytes().splitlines():
            try:
                out.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue  # a line being written right now
        return out

    def events(self, kind: str = "event") -> list[dict[str, Any]]:
        return [r["body"] for r in self.records() if r["kind"] == kind]

    def wait_for(
        self, pred: Callable[[dict[str, Any]], bool], kind: str = "event", timeout: float = 15.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for body in self.events(kind):
                if pred(body):
                    return body
            if self.proc.poll() is not None:
                raise AssertionError(f"sensor died ({self.proc.returncode}): {self.log.read_text()[-3000:]}")
            time.sleep(0.1)
        raise AssertionError(f"no matching {kind} in {timeout}s; log tail: {self.log.read_text()[-2000:]}")

    def stop(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_fh.close()
        return self.proc.returncode

    def all_text(self) -> str:
        parts = [self.log.read_text(errors="replace")]
        if self.output.exists():
            parts.append(self.output.read_text(errors="replace"))
        return "\n".join(parts)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
