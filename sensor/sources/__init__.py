"""Live sensor sources: one folder per concern, each with a ``base`` interface and per-OS modules.

The per-OS module is chosen once at import (psutil style); callers never test ``sys.platform``.
"""
