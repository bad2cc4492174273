"""``lsof -F`` parsing on real lsof output (tests/fixtures/lsof/README.md), and the lsof socket table
against sockets this test opens, read by the real lsof of this host."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.sources.lsof.fields import parse
from sensor.sources.lsof.table import LsofTable
from sensor.sources.sockets.base import SocketEntry

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "lsof"
META = json.loads((FIXTURES / "debian-lsof-4.95.0.meta.json").read_text())


def expected_from_meta() -> set[tuple[object, ...]]:
    p = META["ports"]
    pid, uid = META["pid"], META["uid"]
    rows = [
        ("tcp", socket.AF_INET, "127.0.0.1", p["tcp_v4"], None, None, "LISTEN"),
        ("tcp", socket.AF_INET6, "::1", p["tcp_v6"], None, None, "LISTEN"),
        ("tcp", socket.AF_INET, "0.0.0.0", p["tcp_any"], None, None, "LISTEN"),
        ("udp", socket.AF_INET, "127.0.0.1", p["udp"], None, None, "NONE"),
        ("udp", socket.AF_INET, "127.0.0.1", p["udp_connected"], "127.0.0.1", p["udp"], "NONE"),
        ("tcp", socket.AF_INET, "127.0.0.1", p["client"], "127.0.0.1", p["tcp_v4"], "ESTABLISHED"),
        ("tcp", socket.AF_INET, "127.0.0.1", p["server"], "127.0.0.1", p["client"], "ESTABLISHED"),
    ]
    return {(*row, pid, uid) for row in rows}


def as_rows(entries: list[SocketEntry]) -> set[tuple[object, ...]]:
    return {(e.protocol, e.family, e.local_ip, e.local_port, e.remote_ip, e.remote_port, e.state, e.pid, e.uid)
            for e in entries}


@pytest.mark.parametrize("name", ["debian-lsof-4.95.0.F.txt", "debian-lsof-4.95.0.F0.bin"])
def test_recorded_output_parses_to_the_sockets_that_were_open(name: str) -> None:
    result = parse((FIXTURES / name).read_bytes())
    assert as_rows(result.entries) == expected_from_meta()
    assert result.commands == {META["pid"]: META["command"]}  # a command name with a space survives
    assert META["pid"] in result.parents
    assert not result.counters, result.counters
    listeners = [e for e in result.entries if e.is_listener]
    assert len(listeners) == 4


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_garbage_never_raises(data: bytes) -> None:
    parse(data)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_truncated_or_spliced_recordings_never_raise(data: st.DataObject) -> None:
    raw = (FIXTURES / "debian-lsof-4.95.0.F0.bin").read_bytes()
    start = data.draw(st.integers(0, len(raw)))
    end = data.draw(st.integers(start, len(raw)))
    junk = data.draw(st.binary(max_size=40))
    result = parse(raw[:start] + junk + raw[end:])
    assert all(0 <= e.local_port <= 65535 for e in result.entries)


@pytest.mark.parametrize(("name", "want"), [
    ("n[fe80::1%en0]:5353", ("fe80::1", 5353)),
    ("n[::ffff:10.0.0.2]:443", ("10.0.0.2", 443)),
    ("n*:18789", ("::", 18789)),
])
def test_other_name_forms_from_lsof_docs(name: str, want: tuple[str, int]) -> None:
    """Name forms not in the recording (scoped link-local, IPv4-mapped, IPv6 wildcard): hand-written
    from lsof(8)'s description of ``n`` for Internet files, not recorded."""
    data = f"p1\ncx\nu0\nf3\ntIPv6\nPTCP\n{name}\nTST=LISTEN\n".encode()
    [entry] = parse(data).entries
    assert (entry.local_ip, entry.local_port, entry.family) == (*want, socket.AF_INET6)


def test_non_socket_files_and_unknown_fields_are_counted() -> None:
    data = b"p7\ncvim\nfcwd\ntDIR\nn/home/x\nf3\ntREG\nn/etc/hosts\nf4\ntIPv4\nPTCP\nnnot-an-address\nZx\n"
    result = parse(data)
    assert result.entries == []
    assert result.counters["skipped_not_inet"] == 2 and result.counters["skipped_bad_name"] == 1
    assert result.counters["unknown_field.Z"] == 1


def test_table_reads_this_hosts_sockets_with_the_real_lsof() -> None:
    lsof = shutil.which("lsof")
    if lsof is None:
        reason = "lsof not installed (run: bash scripts/install-packaging-tools.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        table = LsofTable(lsof)
        mine = [e for e in table.read() if e.local_port == port and e.protocol == "tcp"]
        assert table.degraded is None
        assert [(e.local_ip, e.state) for e in mine] == [("127.0.0.1", "LISTEN")]
        assert mine[0].pid == os.getpid()
        listeners_only = table.read(outbound=False)
        assert all(e.is_listener for e in listeners_only)


def test_table_without_lsof_is_degraded(tmp_path: Path) -> None:
    table = LsofTable(str(tmp_path / "lsof"))
    assert table.read() == [] and table.degraded is not None and "not found" in table.degraded
