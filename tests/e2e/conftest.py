"""e2e tests use the real-OpenClaw harness fixtures from tests/conftest.py (tests/support/fixtures.py)."""
