"""The psutil implementations used on macOS and Windows, exercised here on real processes/sockets."""

from __future__ import annotations

import os
import socket
import subprocess

from sensor.sources.processes.portable import PsutilReader
from sensor.sources.sockets.portable import PortableTable


def test_psutil_reader_reads_a_child() -> None:
    child = subprocess.Popen(["/bin/sleep", "2"])
    try:
        info = PsutilReader().read(child.pid)
        assert info is not None
        assert info.ppid == os.getpid() and info.cmdline == ("/bin/sleep", "2") and info.name == "sleep"
        assert child.pid in PsutilReader().pids()
    finally:
        child.kill()
        child.wait()
    assert PsutilReader().read(child.pid) is None


def test_portable_table_reports_listener_with_owner() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    try:
        port = s.getsockname()[1]
        [entry] = [e for e in PortableTable().read() if e.local_port == port and e.state == "LISTEN"]
        assert entry.pid == os.getpid() and entry.local_ip == "127.0.0.1" and entry.is_listener
    finally:
        s.close()
