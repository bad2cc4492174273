"""Shared pytest setup: the repo root on sys.path is handled by the editable install."""
