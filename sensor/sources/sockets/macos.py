"""macOS sockets: psutil (libproc) is the reader; root sees every process's sockets."""

from sensor.sources.sockets.portable import list_sockets, make_table

__all__ = ["list_sockets", "make_table"]
