"""Sockets from ``lsof`` in field mode (``-F``), the fallback where psutil sees no other user's sockets.

``fields`` parses lsof's field output (identical on macOS and Linux: one field per line or NUL-ended,
a one-letter tag first); ``table`` runs lsof and serves the socket watcher's table interface.
"""
