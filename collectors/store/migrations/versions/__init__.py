"""Alembic revisions of the collector's schema, one file per version (see collectors/store/migrations)."""
