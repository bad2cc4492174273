"""Collector + sensor delivery tests with real processes and real databases (SQLite, PostgreSQL)."""
