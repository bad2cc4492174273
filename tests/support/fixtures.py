"""pytest fixtures for tests that need the real OpenClaw (import them in a conftest.py).

- ``openclaw_install`` (session): install root of the real package (Path). Outside CI a missing
  package skips the test with the reason; in CI (env CI=true) it fails, because scripts/test.sh
  installs it.
- ``openclaw_host`` (function): factory ``openclaw_host(**kwargs) -> OpenClawHost`` that onboards,
  applies grants and starts a gateway under /tmp/clawwatch-openclaw-hosts-* (pass ``start=False``
  to only set up, and ``plant_secrets=True`` to plant canary credential files first); every host
  is stopped at teardown.
"""

from __future__ import annotations

import os
import shutil
import tempfile
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
def openclaw_host(openclaw_install: Path) -> Iterator[HostFactory]:
    # Not tmp_path: pytest prunes old /tmp/pytest-of-<user>/pytest-N dirs, and with several pytest
    # runs on one machine a running gateway's HOME was deleted under it. Own dir, removed after
    # stop (kept when CLAWWATCH_KEEP_HOSTS=1, for debugging).
    workdir = Path(tempfile.mkdtemp(prefix="clawwatch-openclaw-hosts-"))
    hosts: list[OpenClawHost] = []

    def make(*, start: bool = True, plant_secrets: bool = False, start_timeout: float = 300,
             **kwargs: Any) -> OpenClawHost:
        if kwargs.get("version", DEFAULT_VERSION) != DEFAULT_VERSION:
            kwargs.setdefault("root", require_openclaw(kwargs["version"]))
        else:
            kwargs.setdefault("root", openclaw_install)
        host = OpenClawHost(workdir / f"host{len(hosts)}", **kwargs)
        hosts.append(host)
        host.onboard()
        host.apply_grants()
        if plant_secrets:
            host.plant_secret_files()
        if start:
            host.start_gateway(timeout=start_timeout)
        return host

    try:
        yield make
    finally:
        for host in hosts:
            host.stop()
        if os.environ.get("CLAWWATCH_KEEP_HOSTS") != "1":
            shutil.rmtree(workdir, ignore_errors=True)
