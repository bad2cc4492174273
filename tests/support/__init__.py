"""Test support: the real-OpenClaw harness (see openclaw_host.py) and helpers shared by tests."""
