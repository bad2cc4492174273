"""Credential stores of OpenClaw installs: kinds, extraction, file and SQLite stores."""
