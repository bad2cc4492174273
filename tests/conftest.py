"""Shared pytest setup: the real-OpenClaw harness fixtures are available to every test directory, and the
xdist scheduling that scripts/test.sh asks for (``-n 2 --dist loadscope``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.fixtures import openclaw_host, openclaw_install

__all__ = ["openclaw_host", "openclaw_install"]


def xdist_scope_of(nodeid: str) -> str:
    """The unit of work one xdist worker takes whole: a test module (its module-scoped fixtures, a real collector
    or four real OpenClaw installs, are set up once), except that all packaging tests are one unit, because they
    share one build of dist/ (a session fixture two workers must not run at once)."""
    if nodeid.startswith("tests/packaging/"):
        return "tests/packaging"
    if nodeid.startswith("tests/windows/"):  # one Wine prefix holds the fake Windows host: one worker
        return "tests/windows"
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleOrPackagingScope(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope_of(nodeid)

    return ModuleOrPackagingScope(config, log)
