"""e2e fixtures: the real-OpenClaw harness (tests/support/fixtures.py)."""

from tests.support.fixtures import openclaw_host, openclaw_install

__all__ = ["openclaw_host", "openclaw_install"]
