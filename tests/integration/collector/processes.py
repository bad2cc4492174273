"""Real collector and sensor-side delivery processes for the integration tests.

The collector is ``clawwatch collector serve``; the sensor side is ``python -m sensor.delivery drill``,
the real spool + shipper producing synthetic alerts (resumable after SIGKILL: it produces until its spool
has allocated ``until_seq`` numbers).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text

from collectors.store.database import normalize_url

ROOT = Path(__file__).resolve().parents[3]
CLAWWATCH = ROOT / ".venv" / "bin" / "clawwatch"
ENROLL_SECRET = "test-enroll-secret-0123456789"
_LISTEN_RE = re.compile(r"listening on (https?)://([\d.]+):(\d+)")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CLAWWATCH_ADMIN_TOKEN", None)
    env.pop("CLAWWATCH_ENROLL_SECRET", None)
    env["PYTHONUNBUFFERED"] = "1"
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(var, None)
    env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


@dataclass
class Collector:
    db_url: str
    workdir: Path
    admin_token: str
    extra: list[str] = field(default_factory=list)
    command: list[str] = field(default_factory=lambda: [str(CLAWWATCH)])  # argv that runs the `clawwatch` dispatcher
    python_path: Path | None = None  # run with this first on PYTHONPATH, from inside it (an older tree of the code)
    port: int = 0
    scheme: str = "http"
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> None:
        assert self.proc is None or self.proc.poll() is not None
        self.starts += 1
        log = self.workdir / f"collector-{self.starts}.log"
        argv = [*self.command, "collector", "serve", "--db", self.db_url,
                "--listen", f"127.0.0.1:{self.port}", "--enroll-secret", ENROLL_SECRET,
                "--admin-token", self.admin_token, *self.extra]
        env = _env()
        if self.python_path is not None:
            env["PYTHONPATH"] = str(self.python_path)
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log.open("wb"), env=env,
                                     cwd=self.python_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"collector exited ({self.proc.returncode}): {log.read_text()[-2000:]}")
            match = _LISTEN_RE.search(log.read_text(errors="replace"))
            if match:
                self.scheme, self.port = match.group(1), int(match.group(3))
                if self._healthy():
                    return
            time.sleep(0.1)
        raise RuntimeError(f"collector did not become healthy: {log.read_text()[-2000:]}")

    def _healthy(self) -> bool:
        try:
            return requests.get(self.url + "/healthz", timeout=2, verify=False).status_code == 200
        except requests.RequestException:
            return False

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self._healthy()

    def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.url + path, headers=headers, timeout=30, verify=False, **kwargs)

    def host(self, host_id: str) -> dict[str, Any]:
        resp = self.api("GET", f"/api/v1/delivery/hosts/{host_id}", self.admin_token)
        resp.raise_for_status()
        data: dict[str, Any] = resp.json()
        return data


@dataclass
class Sensor:
    state_dir: Path
    collector_url: str
    until_seq: int
    rate: float = 200.0
    severities: str = "0,1,2,3,4"
    extra: list[str] = field(default_factory=list)
    drill_extra: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        log = self.state_dir.parent / f"{self.state_dir.name}-sensor-{self.starts}.log"
        argv = [sys.executable, "-m", "sensor.delivery", "--state-dir", str(self.state_dir),
                "--collector", self.collector_url, "--enroll-secret", ENROLL_SECRET,
                "--backoff-max", "2", "--read-timeout", "10", *self.extra,
                "drill", "--until-seq", str(self.until_seq), "--rate", str(self.rate),
                "--severities", self.severities, *self.drill_extra]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log.open("wb"), env=_env())
        self.log = log

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            tail = self.log.read_text()[-3000:]
            raise AssertionError(f"sensor did not finish in {timeout}s: {tail}") from None

    @property
    def host_id(self) -> str:
        return (self.state_dir / "host_id").read_text().strip()


def stored_seqs(db_url: str, host_id: str) -> list[tuple[int, int]]:
    """(seq, severity) of every stored record of the host, straight from the database."""
    engine = create_engine(normalize_url(db_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT seq, severity FROM cw_records WHERE host_id = :h ORDER BY seq"),
                                {"h": host_id}).all()
    finally:
        engine.dispose()
    return [(int(a), int(b)) for a, b in rows]
