"""What the OpenClaw-state source watches, and how it asks for a fresh inventory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sensor.schema import ScanReport

ScanHost = Callable[[Sequence[Path]], ScanReport]
"""Runs the scanner's inventory over some home directories (``sensor.inventory.scanner.scan_host``)."""
