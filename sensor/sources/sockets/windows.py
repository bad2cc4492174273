"""Windows sockets: psutil (GetExtendedTcpTable/UdpTable) is the reader."""

from sensor.sources.sockets.portable import list_sockets, make_table

__all__ = ["list_sockets", "make_table"]
