"""The Windows lane: the real python.org Windows CPython under Wine (scripts/install-wine-python.sh) over the fake
Windows host (tests/support/wine/fake_host.py). Every test here carries the ``windows`` marker. Without the
install, the lane fails under CI (scripts/test.sh installs it) and is skipped elsewhere.

The scan outputs are computed once per session: each Wine start costs seconds."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.wine import fake_host
from tests.support.wine.runner import WinePython, WineUnavailable

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.windows)


@pytest.fixture(scope="session")
def wine() -> WinePython:
    try:
        return WinePython.find()
    except WineUnavailable as exc:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def windows_host(wine: WinePython) -> fake_host.FakeHost:
    return fake_host.build(wine)


@dataclass
class LaneRun:
    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes


class LaneRuns:
    """Every Windows-CPython run of the lane, kept for the canary test."""

    def __init__(self, wine: WinePython) -> None:
        self.wine = wine
        self.runs: dict[tuple[str, ...], LaneRun] = {}

    def scan(self, *args: str, utf8_mode: bool = True) -> LaneRun:
        key = (*args, f"utf8={utf8_mode}")
        if key not in self.runs:
            done: subprocess.CompletedProcess[bytes] = self.wine.run_module(
                "sensor.cli.main", "scan", *args, utf8_mode=utf8_mode, timeout=300)
            self.runs[key] = LaneRun(key, done.returncode, done.stdout, done.stderr)
        return self.runs[key]


@pytest.fixture(scope="session")
def lane(wine: WinePython, windows_host: fake_host.FakeHost) -> LaneRuns:
    return LaneRuns(wine)
