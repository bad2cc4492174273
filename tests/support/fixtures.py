"""pytest fixtures for tests that need the real OpenClaw (import them in a conftest.py).

- ``openclaw_install`` (session): install root of the real package (Path). Outside CI a missing
  package skips the test with the reason; in CI (env CI=true) it fails, because scripts/test.sh
  installs it.
- ``openclaw_host`` (function): factory ``openclaw_host(**kwargs) -> OpenClawHost`` that onboards,
  applies grants and starts a gateway under tmp_path (pass ``start=False`` to only set up, and
  ``plant_secrets=True`` to plant canary credential files first); every host is stopped at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.openclaw_host import OpenClawHost
from tests.support.openclaw_install import DEFAULT_VERSION, OpenClawUnavailable, in_ci, openclaw_root


def require_openclaw(version: str = DEFAULT_VERSION) -> Path:
    """openclaw_root(version), or skip (outside CI) / fail (in CI) with the reason."""
    try:
        return openclaw_root(version)
    except OpenClawUnavailable as exc:
        if in_ci():
            pytest.fail(f"real OpenClaw {version} unavailable in CI: {exc}")
        pytest.skip(f"real OpenClaw {version} unavailable (run scripts/install-openclaw.sh): {exc}")


@pytest.fixture(scope="session")
def openclaw_install() -> Path:
    return require_openclaw()


HostFactory = Callable[..., OpenClawHost]


@pytest.fixture
def openclaw_host(openclaw_install: Path, tmp_path: Path) -> Iterator[HostFactory]:
    hosts: list[OpenClawHost] = []

    def make(*, start: bool = True, plant_secrets: bool = False, start_timeout: float = 120,
             **kwargs: Any) -> OpenClawHost:
        if kwargs.get("version", DEFAULT_VERSION) != DEFAULT_VERSION:
            kwargs.setdefault("root", require_openclaw(kwargs["version"]))
        else:
            kwargs.setdefault("root", openclaw_install)
        host = OpenClawHost(tmp_path / f"host{len(hosts)}", **kwargs)
        hosts.append(host)
        host.onboard()
        host.apply_grants()
        if plant_secrets:
            host.plant_secret_files()
        if start:
            host.start_gateway(timeout=start_timeout)
        return host

    yield make
    for host in hosts:
        host.stop()
