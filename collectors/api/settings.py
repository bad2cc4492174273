"""Collector settings: everything `clawwatch collector serve` can tune."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CollectorSettings:
    max_body_bytes: int = 8 * 1024 * 1024  # as sent (gzip or not)
    max_decoded_bytes: int = 32 * 1024 * 1024  # after gzip
    host_records_per_s: float = 2000.0  # per host token bucket; 0 disables
    host_records_burst: float = 50_000.0
    enroll_attempts_per_s: float = 2.0  # per client address; 0 disables
    enroll_attempts_burst: float = 20.0
