"""Shared pytest setup: the real-OpenClaw harness fixtures are available to every test directory."""

from tests.support.fixtures import openclaw_host, openclaw_install

__all__ = ["openclaw_host", "openclaw_install"]
