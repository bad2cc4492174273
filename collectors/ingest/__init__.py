"""Ingest: body limits and decoding, per-host rate limits, idempotent writes with gap accounting."""
