"""Storage of the collector: SQLAlchemy Core tables, versioned migrations, SQLite or PostgreSQL."""

from collectors.store.database import Store, default_sqlite_url, normalize_url, open_store

__all__ = ["Store", "default_sqlite_url", "normalize_url", "open_store"]
